// The SPEC's accuracy targets over a fixed set of rendered photos (small, for CI).
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "accuracy_cases.hpp"
#include "spec_targets.hpp"
#include "temp_dir.hpp"

namespace digikit::imaging {
namespace {

using digikit::testing::TempDir;
using namespace testing;

// Runs process_photo on every case whose name contains one of `kinds` and scores it.
Tally run_cases(const std::vector<std::string>& kinds, int width, int height, int seeds)
{
    TempDir dir;
    Tally tally;
    for (const auto& c : accuracy_cases(width, height, seeds)) {
        const bool wanted = std::any_of(kinds.begin(), kinds.end(),
                                        [&](const std::string& k) { return c.name.find(k) != std::string::npos; });
        if (!wanted) continue;
        const auto photo = capture::render_page_photo(c.spec);
        const auto input = dir / (c.name + ".jpg");
        const auto jpeg = capture::encode_camera_jpeg(photo.bgr);
        std::ofstream(input, std::ios::binary)
            .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
        const auto result = process_photo(input, dir / "out", c.name, {});
        tally.pages += photo.pages.size();
        EXPECT_EQ(result.pages.size(), photo.pages.size()) << c.name;
        if (result.pages.size() != photo.pages.size()) continue;
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            tally.add(score_page(corners_of(result.pages[i].quad), photo.pages[i]));
            const double match = content_match(cv::imread(result.pages[i].master.string()), photo.flat_pages[i]);
            tally.matches.push_back(match);
            EXPECT_GT(match, 0.9) << c.name << " page " << i << ": the master is not the page's content";
        }
    }
    return tally;
}

TEST(PageAccuracy, SinglePagesMeetTheSpecTargets)
{
    expect_spec_targets(run_cases({"single_plain", "single_mid_cloth", "single_light_background", "single_perspective",
                                   "single_uneven_light", "single_noise", "single_illustration", "single_rotated_10"},
                                  1200, 800, 2));
}

TEST(PageAccuracy, SpreadsOnClothMeetTheSpecTargets)
{
    expect_spec_targets(run_cases({"spread_plain", "spread_mid_cloth", "spread_perspective", "spread_uneven_light",
                                   "spread_noise", "spread_illustration", "spread_rotated_10"},
                                  1200, 800, 2));
}

// The hardest kind: on a light background the paper's edge fades where the gutter's
// shadow matches the background.
TEST(PageAccuracy, SpreadsOnALightBackgroundMeetTheSpecTargets)
{
    expect_spec_targets(run_cases({"spread_light_background"}, 1200, 800, 2));
}

// The part of a page outside the frame cannot be seen: the quad found must match the
// visible part of the true page.
void expect_cropped_at_frame(const std::string& kind)
{
    TempDir dir;
    for (const auto& c : accuracy_cases(1200, 800, 2)) {
        if (c.name.find(kind) == std::string::npos) continue;
        const auto photo = capture::render_page_photo(c.spec);
        const auto input = dir / (c.name + ".png");
        ASSERT_TRUE(cv::imwrite(input.string(), photo.bgr));
        const auto result = process_photo(input, dir / "out", c.name, {});
        ASSERT_EQ(result.pages.size(), photo.pages.size()) << c.name;
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            EXPECT_GE(visible_iou(corners_of(result.pages[i].quad), photo.pages[i], photo.bgr.size()), 0.98)
                << c.name << " page " << i;
        }
    }
}

TEST(PageAccuracy, SinglePagesRunningOffTheFrameAreCroppedAtTheFrame)
{
    expect_cropped_at_frame("single_touches_edge");
}

TEST(PageAccuracy, SpreadsRunningOffTheFrameAreCroppedAtTheFrame)
{
    expect_cropped_at_frame("spread_touches_edge");
}

}  // namespace
}  // namespace digikit::imaging
