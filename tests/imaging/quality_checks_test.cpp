#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "temp_dir.hpp"

namespace digikit::imaging {
namespace {

using digikit::testing::TempDir;

bool has_warning(const PageResult& page, const std::string& code)
{
    return std::find(page.warnings.begin(), page.warnings.end(), code) != page.warnings.end();
}

cv::Mat rendered(std::uint64_t seed)
{
    capture::PagePhotoSpec spec;
    spec.seed = seed;
    spec.width = 1800;
    spec.height = 1200;
    return capture::render_page_photo(spec).bgr;
}

PageResult first_page(const TempDir& dir, const std::string& name, const cv::Mat& bgr)
{
    const auto input = dir / (name + ".png");
    EXPECT_TRUE(cv::imwrite(input.string(), bgr));
    const auto result = process_photo(input, dir / "out", name, {});
    EXPECT_FALSE(result.error);
    EXPECT_EQ(result.pages.size(), 1u);
    return result.pages.empty() ? PageResult{} : result.pages.front();
}

TEST(QualityChecks, ABlurredPhotoIsFlaggedAndASharpOneIsNot)
{
    TempDir dir;
    const cv::Mat sharp = rendered(5);
    cv::Mat blurred;
    cv::GaussianBlur(sharp, blurred, cv::Size(0, 0), 3.0);
    const PageResult good = first_page(dir, "sharp", sharp);
    const PageResult bad = first_page(dir, "blurred", blurred);
    EXPECT_FALSE(has_warning(good, "blurry")) << describe(good.checks);
    EXPECT_TRUE(has_warning(bad, "blurry")) << describe(bad.checks);
    EXPECT_GT(check_value(good.checks, "sharpness"), 3 * check_value(bad.checks, "sharpness"));
}

TEST(QualityChecks, ExposureProblemsAreFlagged)
{
    TempDir dir;
    const cv::Mat normal = rendered(6);
    cv::Mat bright;
    normal.convertTo(bright, -1, 1.5, 20);
    cv::Mat dark;
    normal.convertTo(dark, -1, 0.45, 0);
    const PageResult ok = first_page(dir, "normal", normal);
    const PageResult over = first_page(dir, "bright", bright);
    const PageResult under = first_page(dir, "dark", dark);
    EXPECT_FALSE(has_warning(ok, "clipped") || has_warning(ok, "underexposed")) << describe(ok.checks);
    EXPECT_TRUE(has_warning(over, "clipped")) << describe(over.checks);
    EXPECT_TRUE(has_warning(under, "underexposed")) << describe(under.checks);
}

TEST(QualityChecks, APhotoWithoutAPageSaysSoAndKeepsTheWholeFrame)
{
    TempDir dir;
    cv::Mat cloth(600, 900, CV_8UC3, cv::Scalar(40, 42, 45));
    cv::randn(cloth, cv::Scalar(40, 42, 45), cv::Scalar(3, 3, 3));
    const PageResult page = first_page(dir, "empty", cloth);
    EXPECT_TRUE(has_warning(page, "page_not_found"));
    EXPECT_EQ(page.checks.at("page_found"), CheckValue{0});
    EXPECT_EQ(page.width, 900);
    EXPECT_EQ(page.height, 600);
}

TEST(QualityChecks, APageOfAnotherSizeThanTheBookIsFlagged)
{
    TempDir dir;
    std::vector<std::filesystem::path> inputs;
    for (int i = 0; i < 4; ++i) {
        capture::PagePhotoSpec spec;
        spec.seed = 20;  // one book: same page size
        spec.first_page_number = i + 1;
        spec.width = 1200;
        spec.height = 800;
        spec.page_fill = i == 3 ? 0.6 : 0.8;  // the last photo shows a smaller page
        inputs.push_back(dir / ("p" + std::to_string(i) + ".png"));
        ASSERT_TRUE(cv::imwrite(inputs.back().string(), capture::render_page_photo(spec).bgr));
    }
    const auto results = process_batch(inputs, dir / "out", {});
    ASSERT_EQ(results.size(), 4u);
    for (int i = 0; i < 4; ++i) {
        const auto& page = results[static_cast<std::size_t>(i)].pages.at(0);
        EXPECT_EQ(has_warning(page, "size_inconsistent"), i == 3) << i << " " << describe(page.checks);
    }
}

}  // namespace
}  // namespace digikit::imaging

namespace digikit::imaging {
namespace {

// A scan with no visible page edge (white page under a white lid), text turned 3 degrees.
TEST(FlatbedProfile, DeskewsByTheTextAndCropsToIt)
{
    TempDir dir;
    cv::Mat flat(1000, 800, CV_8UC3, cv::Scalar(250, 250, 250));
    for (int y = 150; y < 850; y += 25)
        cv::rectangle(flat, cv::Rect(150, y, 500, 9), cv::Scalar(30, 30, 30), cv::FILLED);
    const cv::Mat turn = cv::getRotationMatrix2D(cv::Point2f(400, 500), -3.0, 1.0);  // clockwise
    cv::Mat scan;
    cv::warpAffine(flat, scan, turn, flat.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    const auto input = dir / "scan.png";
    ASSERT_TRUE(cv::imwrite(input.string(), scan));
    PipelineOptions options;
    options.profile = SourceProfile::flatbed;
    const auto result = process_photo(input, dir / "out", "scan", options);
    ASSERT_FALSE(result.error);
    ASSERT_EQ(result.pages.size(), 1u);
    const auto& page = result.pages[0];
    EXPECT_NEAR(check_value(page.checks, "rotation_deg"), 3.0, 0.2);
    // The text block (500 x 709) plus a margin, not the whole scan.
    EXPECT_GT(page.width, 500);
    EXPECT_LT(page.width, 700);
    EXPECT_GT(page.height, 700);
    EXPECT_LT(page.height, 900);
    // Straightened: the text bars are level again (rows either clear paper or ink).
    cv::Mat grey;
    cv::cvtColor(cv::imread(page.master.string()), grey, cv::COLOR_BGR2GRAY);
    cv::Mat rows;
    cv::reduce(grey, rows, 1, cv::REDUCE_AVG, CV_64F);
    double lightest = 0;
    double darkest = 255;
    cv::minMaxLoc(rows.rowRange(rows.rows / 4, rows.rows * 3 / 4), &darkest, &lightest);
    EXPECT_GT(lightest - darkest, 120);
}

}  // namespace
}  // namespace digikit::imaging
