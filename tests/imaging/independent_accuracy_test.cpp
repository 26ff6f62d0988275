// The SPEC's accuracy targets on photos from the second, independent generator: the page
// finder was developed on the shared renderer's photos, these it has to generalize to.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "accuracy_cases.hpp"
#include "golden_checksum.hpp"
#include "independent_photos.hpp"
#include "spec_targets.hpp"
#include "temp_dir.hpp"

namespace digikit::imaging {
namespace {

using digikit::testing::TempDir;
using namespace testing;

// Small frames for CI, in the two usual camera shapes (3:2 and 4:3).
cv::Size frame_for(std::uint64_t seed)
{
    return seed % 3 == 0 ? cv::Size(900, 675) : cv::Size(960, 640);
}

// How well a master reproduces the true page's layout (its lines of text, pictures,
// margins), leaving out the slow shading of light and gutter that this generator puts on
// the page and the flat page lacks: normalised cross-correlation of the two after taking
// away their blur, at about 1% of the page per pixel; near 1 for the same layout, low
// when it is shifted by a line.
double layout_match(const cv::Mat& master_bgr, const cv::Mat& flat_bgr)
{
    std::array<cv::Mat, 2> detail;
    for (std::size_t i = 0; i < 2; ++i) {
        cv::Mat grey;
        cv::cvtColor(i == 0 ? master_bgr : flat_bgr, grey, cv::COLOR_BGR2GRAY);
        cv::resize(grey, grey, cv::Size(100, 150), 0, 0, cv::INTER_AREA);
        grey.convertTo(grey, CV_32F);
        cv::Mat shading;
        cv::GaussianBlur(grey, shading, cv::Size(0, 0), 3.0);
        detail[i] = grey - shading;
    }
    cv::Mat score;
    cv::matchTemplate(detail[0], detail[1], score, cv::TM_CCOEFF_NORMED);
    return static_cast<double>(score.at<float>(0, 0));
}

// The page's content as the photo shows it, straightened with the true quad.
cv::Mat straightened_truth(const IndependentPhoto& photo, std::size_t page)
{
    const cv::Size size = photo.flat_pages[page].size();
    const auto w = static_cast<float>(size.width);
    const auto h = static_cast<float>(size.height);
    std::array<cv::Point2f, 4> from;
    for (std::size_t i = 0; i < 4; ++i) from[i] = cv::Point2f(photo.pages[page][i]);
    const std::array<cv::Point2f, 4> to{cv::Point2f(-0.5f, -0.5f), cv::Point2f(w - 0.5f, -0.5f),
                                        cv::Point2f(w - 0.5f, h - 0.5f), cv::Point2f(-0.5f, h - 0.5f)};
    cv::Mat straight;
    cv::warpPerspective(photo.bgr, straight, cv::getPerspectiveTransform(from.data(), to.data()), size);
    return straight;
}

// The generator's ground truth is what it drew: the photo, straightened by the true
// corners, is the flat page (so a wrong truth cannot make the finder look good or bad).
TEST(IndependentPhotos, TrueCornersFrameTheDrawnPages)
{
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
        const auto photo = independent_photo(frame_for(seed), seed, seed % 2 == 0);
        ASSERT_EQ(photo.pages.size(), seed % 2 == 0 ? 2u : 1u);
        ASSERT_EQ(photo.flat_pages.size(), photo.pages.size());
        // Clips and fingers over the page leave a little less than a perfect match.
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            EXPECT_GT(layout_match(straightened_truth(photo, i), photo.flat_pages[i]), 0.85)
                << photo.description << ", page " << i;
        }
        // Corners off by about 1% of the page (half a line of text) match clearly worse.
        auto shifted = photo;
        for (auto& corner : shifted.pages[0]) corner += cv::Point2d(0, 0.01 * photo.bgr.rows);
        EXPECT_LT(layout_match(straightened_truth(shifted, 0), photo.flat_pages[0]),
                  layout_match(straightened_truth(photo, 0), photo.flat_pages[0]) - 0.1)
            << photo.description;
    }
}

// The cradle views (one camera per page, turned as the camera is mounted) are drawn
// truthfully too: the page straightened by its true corners is the page drawn, and the
// sliver of the facing page is not part of the truth.
TEST(IndependentPhotos, CradleViewsFrameTheirOnePage)
{
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        const bool left = seed % 2 == 1;
        const int turns = static_cast<int>(seed / 2) % 4;
        const auto photo = independent_cradle_photo(cv::Size(640, 960), seed, left, turns);
        ASSERT_EQ(photo.pages.size(), 1u);
        ASSERT_EQ(photo.flat_pages.size(), 1u);
        EXPECT_EQ(photo.bgr.size(), turns % 2 == 0 ? cv::Size(640, 960) : cv::Size(960, 640));
        const double match = layout_match(straightened_truth(photo, 0), photo.flat_pages[0]);
        EXPECT_GT(match, 0.85) << photo.description;
        auto shifted = photo;
        for (auto& corner : shifted.pages[0]) corner += cv::Point2d(0.01 * photo.bgr.cols, 0.01 * photo.bgr.rows);
        EXPECT_LT(layout_match(straightened_truth(shifted, 0), photo.flat_pages[0]), match - 0.1) << photo.description;
    }
}

TEST(IndependentPhotos, SameSeedSamePhoto)
{
    const auto a = independent_photo({480, 320}, 7, true);
    const auto b = independent_photo({480, 320}, 7, true);
    EXPECT_EQ(a.jpeg, b.jpeg);
    EXPECT_NE(a.jpeg, independent_photo({480, 320}, 8, true).jpeg);
}

// The same seed draws the same photo on the kit (arm64) as on the workstation (x86):
// see PagePhotoRenderer.SameSeedDrawsTheSamePhotoOnEveryArchitecture. Also on an x86
// without AVX2: the generator's float stages are its own scalar code (portable_pixels.hpp),
// not OpenCV's SIMD-dispatched float functions. A deliberate change to the generator
// changes these values: update them in the same commit.
TEST(IndependentPhotos, SameSeedDrawsTheSamePhotoOnEveryArchitecture)
{
    struct Golden {
        std::uint64_t seed;
        bool spread;
        std::uint64_t truth;
        std::uint64_t jpeg;
    };
    const Golden cases[] = {
        {3, false, 0xedd0b6ae6c697e21ULL, 0x917400375518ffbfULL},
        {4, true, 0xfcb86d1f307f67b4ULL, 0x63b36d01035c71d6ULL},
        {11, true, 0xd3af4bf061e71144ULL, 0xd46741d24ce916e0ULL},
    };
    for (const auto& golden : cases) {
        const auto photo = independent_photo({480, 320}, golden.seed, golden.spread);
        digikit::testing::GoldenChecksum truth;
        truth.add(photo.pages);
        digikit::testing::GoldenChecksum jpeg;
        jpeg.add(photo.jpeg.data(), photo.jpeg.size());
        EXPECT_EQ(truth.value(), golden.truth) << "seed " << golden.seed << ": the pages are placed differently";
        EXPECT_EQ(jpeg.value(), golden.jpeg) << "seed " << golden.seed << ": the photo differs";
    }
    // A cradle view too: its platen's glare (8-bit GaussianBlur, added in our own code) and
    // the camera's quarter turn.
    const auto cradle = independent_cradle_photo({320, 480}, 5, true, 1);
    digikit::testing::GoldenChecksum truth;
    truth.add(cradle.pages);
    digikit::testing::GoldenChecksum jpeg;
    jpeg.add(cradle.jpeg.data(), cradle.jpeg.size());
    EXPECT_EQ(truth.value(), 0xac666a51c551ccf8ULL) << "cradle seed 5: the page is placed differently";
    EXPECT_EQ(jpeg.value(), 0x9e7f4e37ec7f09f9ULL) << "cradle seed 5: the photo differs";
}

// Runs the pipeline on the generator's photos for `seeds` (odd seeds single pages, even
// seeds spreads) and scores every page; each master is compared with the photo
// straightened by the true corners (the same light, gutter and fingers, so only the
// geometry can differ).
Tally run_photos(const std::vector<std::uint64_t>& seeds, const std::function<cv::Size(std::uint64_t)>& frame)
{
    TempDir dir;
    Tally tally;
    for (const std::uint64_t seed : seeds) {
        const auto photo = independent_photo(frame(seed), seed, seed % 2 == 0);
        const std::string name = "independent_" + std::to_string(seed);
        const auto input = dir / (name + ".jpg");
        std::ofstream(input, std::ios::binary)
            .write(reinterpret_cast<const char*>(photo.jpeg.data()), static_cast<std::streamsize>(photo.jpeg.size()));
        const auto result = process_photo(input, dir / "out", name, {});
        tally.pages += photo.pages.size();
        EXPECT_EQ(result.pages.size(), photo.pages.size()) << name << ": " << photo.description;
        if (result.pages.size() != photo.pages.size()) continue;
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            const auto score = score_page(corners_of(result.pages[i].quad), photo.pages[i]);
            tally.add(score);
            // Honest doubt: a page found right carries no doubt, a wrong one must.
            const auto& warnings = result.pages[i].warnings;
            const bool doubted = std::find(warnings.begin(), warnings.end(), "page_uncertain") != warnings.end() ||
                                 std::find(warnings.begin(), warnings.end(), "page_not_found") != warnings.end();
            EXPECT_EQ(doubted, !score.found)
                << name << " page " << i << " (" << photo.description << "), confidence " << result.pages[i].confidence;
            // The master against the photo straightened by the true corners: the same
            // light, gutter and fingers, so only the geometry can differ.
            const double match =
                layout_match(cv::imread(result.pages[i].master.string()), straightened_truth(photo, i));
            EXPECT_GT(match, 0.9) << name << " page " << i << " (" << photo.description
                                  << "): the master is not the page's content";
        }
    }
    return tally;
}

std::vector<std::uint64_t> seed_range(std::uint64_t first, std::uint64_t count)
{
    std::vector<std::uint64_t> seeds(count);
    for (std::uint64_t i = 0; i < count; ++i) seeds[i] = first + i;
    return seeds;
}

TEST(IndependentAccuracy, PhotosFromASecondGeneratorMeetTheSpecTargets)
{
    const Tally tally = run_photos(seed_range(1, 24), frame_for);
    std::printf("independent generator, 24 photos: %s\n", tally.summary().c_str());
    expect_spec_targets(tally);
}

// Seeds the finder was never developed or tuned on (fixed, so a failure can be replayed).
// Enabled in session 11: with the generator's float stages made portable (the photos of
// every seed changed) the finder meets every target on them, 36 of 36 pages, mean IoU
// 0.9970. Before, on the old photos, one master matched its page only 0.880 (90012 page
// 1: clipped on checked cloth); that photo is no longer drawn, the weakness may remain.
TEST(IndependentAccuracy, FreshSeedsMeetTheSpecTargets)
{
    const Tally tally = run_photos(seed_range(90001, 24), frame_for);
    std::printf("independent generator, 24 fresh photos: %s\n", tally.summary().c_str());
    expect_spec_targets(tally);
}

// One photo at the kit's full 24 MP, where every pixel measure is six times larger.
TEST(IndependentAccuracy, AFullSizePhotoMeetsTheSpecTargets)
{
    const Tally tally = run_photos({90101, 90102}, [](std::uint64_t) { return cv::Size(6000, 4000); });
    std::printf("independent generator, 6000x4000: %s\n", tally.summary().c_str());
    expect_spec_targets(tally);
}

}  // namespace
}  // namespace digikit::imaging
