#include "digikit/imaging/page_pipeline.hpp"
#include "digikit/base/read_file.hpp"

#include <algorithm>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>
#include <tiffio.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "quad_metrics.hpp"
#include "synthetic_photo.hpp"
#include "temp_dir.hpp"

namespace digikit::imaging {
namespace {

using digikit::testing::TempDir;
using testing::corner_error;
using testing::corners_of;
using testing::quad_iou;
using testing::synthetic_photo;

std::filesystem::path write_jpeg(const TempDir& dir, const std::string& name, const cv::Mat& bgr)
{
    const auto path = dir / name;
    EXPECT_TRUE(cv::imwrite(path.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 92}));
    return path;
}

std::size_t files_in(const std::filesystem::path& dir)
{
    if (!std::filesystem::exists(dir)) return 0;
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
}

TEST(ParseOptions, AcceptsTheDocumentedValuesAndNamesThemOnError)
{
    EXPECT_EQ(parse_split_mode("auto"), SplitMode::automatic);
    EXPECT_EQ(parse_split_mode("never"), SplitMode::never);
    EXPECT_EQ(parse_split_mode("always"), SplitMode::always);
    EXPECT_EQ(parse_tiff_compression("none"), TiffCompression::none);
    EXPECT_EQ(parse_tiff_compression("lzw"), TiffCompression::lzw);
    EXPECT_EQ(parse_tiff_compression("deflate"), TiffCompression::deflate);
    try {
        (void)parse_split_mode("sometimes");
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("auto, never or always"), std::string::npos);
    }
    EXPECT_THROW((void)parse_tiff_compression("jpeg"), std::invalid_argument);
}

TEST(ParseOptions, PageViewsAndRotations)
{
    for (const auto view :
         {PageView::automatic, PageView::left_page, PageView::right_page, PageView::spread, PageView::single}) {
        EXPECT_EQ(parse_page_view(page_view_name(view)), view);
    }
    EXPECT_EQ(parse_page_view("left-page"), PageView::left_page);
    EXPECT_EQ(parse_page_view("auto"), PageView::automatic);
    try {
        (void)parse_page_view("left");
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("auto, left-page, right-page, spread or single"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("'left'"), std::string::npos);
    }
    for (const int degrees : {0, 90, 180, 270}) EXPECT_EQ(checked_rotate(degrees), degrees);
    for (const int degrees : {-90, 45, 360}) EXPECT_THROW((void)checked_rotate(degrees), std::invalid_argument);
}

// The photo turned `quarter_turns` x 90 degrees counter-clockwise, as a camera mounted
// that way sees the page, and the quad's corners carried along (reading order kept).
std::pair<cv::Mat, std::array<cv::Point2d, 4>> as_mounted(const cv::Mat& photo, std::array<cv::Point2d, 4> quad,
                                                          int quarter_turns)
{
    cv::Mat turned = photo;
    for (int t = 0; t < quarter_turns; ++t) {
        const int width = turned.cols;
        cv::rotate(turned, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
        for (auto& c : quad) c = {c.y, width - 1 - c.x};
    }
    return {turned, quad};
}

TEST(ProcessPhoto, AMountedCameraGivesUprightPagesAndQuadsInThePhotosPixels)
{
    TempDir dir;
    const auto photo = synthetic_photo({1200, 900}, 3.0, false);
    const auto plain = process_photo(write_jpeg(dir, "plain.jpg", photo.bgr), dir / "out", "plain", {});
    ASSERT_EQ(plain.pages.size(), 1u);
    const cv::Mat upright_master = cv::imread(plain.pages[0].master.string(), cv::IMREAD_GRAYSCALE);
    for (const int turns : {1, 2, 3}) {
        const auto [turned, truth] = as_mounted(photo.bgr, photo.quads[0], turns);
        const auto input = write_jpeg(dir, "turned" + std::to_string(turns) + ".jpg", turned);
        PipelineOptions options;
        options.rotate = 90 * turns;  // the camera turned counter-clockwise: turn the photo clockwise
        const auto result = process_photo(input, dir / "out", "turned" + std::to_string(turns), options);
        ASSERT_FALSE(result.error) << *result.error;
        ASSERT_EQ(result.pages.size(), 1u) << turns;
        const auto& page = result.pages[0];
        // Corners in the photo as taken, in reading order: exactly the truth, not a cyclic shift.
        EXPECT_LT(corner_error(corners_of(page.quad), truth), 0.005) << turns;
        EXPECT_GT(quad_iou(corners_of(page.quad), truth), 0.98) << turns;
        EXPECT_NEAR(page.width, plain.pages[0].width, 4) << turns;
        EXPECT_NEAR(page.height, plain.pages[0].height, 4) << turns;
        const cv::Mat master = cv::imread(page.master.string(), cv::IMREAD_GRAYSCALE);
        cv::Mat resized;
        cv::resize(master, resized, upright_master.size());
        cv::Mat match;
        cv::matchTemplate(resized, upright_master, match, cv::TM_CCOEFF_NORMED);
        EXPECT_GT(match.at<float>(0, 0), 0.9) << "master not upright for rotate " << options.rotate;
    }
}

TEST(ProcessPhoto, AOnePageViewStopsAtTheFoldAndLeavesTheFacingPage)
{
    TempDir dir;
    const auto photo = testing::cradle_photo({1200, 900}, 2.0);
    const auto input = write_jpeg(dir, "cradle.jpg", photo.bgr);
    for (const auto view : {PageView::left_page, PageView::automatic}) {
        PipelineOptions options;
        options.view = view;
        const auto result = process_photo(input, dir / "out", "cradle", options);
        ASSERT_EQ(result.pages.size(), 1u) << page_view_name(view);
        EXPECT_GT(quad_iou(corners_of(result.pages[0].quad), photo.quads[0]), 0.98) << page_view_name(view);
        EXPECT_LT(corner_error(corners_of(result.pages[0].quad), photo.quads[0]), 0.005) << page_view_name(view);
    }
    // The same camera mounted sideways: the fold is at the bottom of the photo.
    const auto [turned, truth] = as_mounted(photo.bgr, photo.quads[0], 1);
    PipelineOptions options;
    options.view = PageView::left_page;
    options.rotate = 90;
    const auto result = process_photo(write_jpeg(dir, "turned.jpg", turned), dir / "out", "turned", options);
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_LT(corner_error(corners_of(result.pages[0].quad), truth), 0.005);
}

// A table's header row and its column rules are as dark as a fold or a gutter in the
// middle of a sheet but stop at its margins: a single sheet is neither cut nor split there.
TEST(ProcessPhoto, ASheetWithATableIsNeitherCutNorSplitAtItsRules)
{
    TempDir dir;
    cv::Mat sheet = testing::synthetic_page({840, 600}, 3);
    const cv::Rect table(84, 150, 672, 390);
    sheet(table).setTo(cv::Scalar(235, 240, 242));
    sheet(cv::Rect(table.x, table.y, table.width, 36)).setTo(cv::Scalar(90, 60, 40));  // header row
    for (const int x : {table.x, table.x + table.width / 2, table.x + table.width - 3}) {
        sheet(cv::Rect(x, table.y, 3, table.height)).setTo(cv::Scalar(40, 40, 40));  // column rules
    }
    cv::Mat photo(cv::Size(1200, 900), CV_8UC3, cv::Scalar(50, 45, 40));
    const auto truth = testing::rotated_box({600, 450}, cv::Size2d(840, 600), 2.0);
    testing::paste_page(photo, sheet, truth);
    const auto result = process_photo(write_jpeg(dir, "table.jpg", photo), dir / "out", "table", {});
    ASSERT_EQ(result.pages.size(), 1u);
    EXPECT_GT(quad_iou(corners_of(result.pages[0].quad), truth), 0.98);
    EXPECT_GE(result.pages[0].confidence, min_page_confidence);
}

TEST(ProcessPhoto, EveryPageHasAConfidenceAndAnEmptyClothIsNoPage)
{
    TempDir dir;
    const auto photo = synthetic_photo({1200, 900}, 2.0, false);
    const auto found = process_photo(write_jpeg(dir, "page.jpg", photo.bgr), dir / "out", "page", {});
    ASSERT_EQ(found.pages.size(), 1u);
    EXPECT_GE(found.pages[0].confidence, min_page_confidence);
    EXPECT_LE(found.pages[0].confidence, 1.0);
    EXPECT_EQ(nlohmann::json::parse(report_json({found}))["images"][0]["pages"][0]["confidence"],
              found.pages[0].confidence);

    cv::Mat cloth(900, 1200, CV_8UC3, cv::Scalar(50, 45, 40));
    cv::randn(cloth, cv::Scalar(50, 45, 40), cv::Scalar(6, 6, 6));
    const auto none = process_photo(write_jpeg(dir, "cloth.jpg", cloth), dir / "out", "cloth", {});
    ASSERT_EQ(none.pages.size(), 1u);  // the frame as it is, flagged, so nothing is lost
    EXPECT_EQ(none.pages[0].confidence, 0.0);
    EXPECT_NE(std::find(none.pages[0].warnings.begin(), none.pages[0].warnings.end(), "page_not_found"),
              none.pages[0].warnings.end());
}

bool has(const PageResult& page, const std::string& warning)
{
    return std::find(page.warnings.begin(), page.warnings.end(), warning) != page.warnings.end();
}

// With no page found the page is the photo itself, turned upright, every pixel as taken
// (a warp had shifted it by half a reduced pixel, 3 pixels at 24 MP, and blurred it), and
// its quad the frame's outer corners in reading order on the photo as taken.
TEST(ProcessPhoto, APhotoWithNoPageIsKeptPixelForPixel)
{
    TempDir dir;
    cv::Mat cloth(900, 1200, CV_8UC3);
    cv::randn(cloth, cv::Scalar(50, 45, 40), cv::Scalar(6, 6, 6));
    const auto input = dir / "cloth.png";
    ASSERT_TRUE(cv::imwrite(input.string(), cloth));
    for (const int rotate : {0, 90}) {
        PipelineOptions options;
        options.rotate = rotate;
        const auto none = process_photo(input, dir / "out", "cloth" + std::to_string(rotate), options);
        ASSERT_EQ(none.pages.size(), 1u);
        ASSERT_TRUE(has(none.pages[0], "page_not_found"));
        const cv::Mat master = cv::imread(none.pages[0].master.string(), cv::IMREAD_COLOR);
        cv::Mat expected = cloth;
        if (rotate == 90) cv::rotate(cloth, expected, cv::ROTATE_90_CLOCKWISE);
        ASSERT_EQ(master.size(), expected.size()) << rotate;
        EXPECT_EQ(cv::norm(master, expected, cv::NORM_INF), 0) << rotate;
        // Reading order: the upright page's top-left is the photo's bottom-left when turned.
        const auto& top_left = none.pages[0].quad[0];
        EXPECT_DOUBLE_EQ(top_left.x, -0.5) << rotate;
        EXPECT_DOUBLE_EQ(top_left.y, rotate == 90 ? 899.5 : -0.5) << rotate;
    }
}

PageQuad page_quad(const std::array<cv::Point2d, 4>& corners, cv::Point2d shift = {})
{
    PageQuad quad;
    for (std::size_t k = 0; k < 4; ++k) quad[k] = {corners[k].x + shift.x, corners[k].y + shift.y};
    return quad;
}

TEST(ProcessPhoto, APageFarFromTheBookPriorIsFlagged)
{
    TempDir dir;
    const auto photo = synthetic_photo({1200, 900}, 1.0, false);
    const auto input = write_jpeg(dir, "page.jpg", photo.bgr);
    PipelineOptions options;
    options.book_prior = {page_quad(photo.quads[0], {6, -4})};  // where the book's pages lie
    const auto near = process_photo(input, dir / "out", "near", options);
    ASSERT_EQ(near.pages.size(), 1u);
    EXPECT_FALSE(has(near.pages[0], "size_inconsistent")) << describe(near.pages[0].checks);
    EXPECT_LT(check_value(near.pages[0].checks, "prior_deviation"), 0.01);

    options.book_prior = {page_quad(photo.quads[0], {120, 0})};  // the same size, elsewhere
    const auto far = process_photo(input, dir / "out", "far", options);
    ASSERT_EQ(far.pages.size(), 1u);
    EXPECT_TRUE(has(far.pages[0], "size_inconsistent")) << describe(far.pages[0].checks);
    EXPECT_LT(far.pages[0].confidence, near.pages[0].confidence);
}

TEST(BookPrior, TheMedianOfEachCornerOverConfidentResults)
{
    std::vector<ImageResult> recent;
    for (const double x : {10.0, 14.0, 12.0, 500.0}) {
        ImageResult result;
        PageResult page;
        page.quad = {Point{x, 5}, Point{x + 100, 5}, Point{x + 100, 150}, Point{x, 150}};
        page.confidence = 0.9;
        if (x == 500.0) page.warnings = {"page_uncertain"};  // doubted: left out
        result.pages = {page};
        recent.push_back(result);
    }
    EXPECT_TRUE(book_prior_from(recent, 4).empty());  // only three are confident
    const auto prior = book_prior_from(recent);
    ASSERT_EQ(prior.size(), 1u);
    EXPECT_DOUBLE_EQ(prior[0][0].x, 12.0);
    EXPECT_DOUBLE_EQ(prior[0][1].x, 112.0);
    EXPECT_DOUBLE_EQ(prior[0][2].y, 150.0);
}

TEST(ProcessPhoto, FindsARotatedPageAndWritesBothOutputs)
{
    TempDir dir;
    const auto photo = synthetic_photo({1200, 900}, 4.0, false);
    const auto input = write_jpeg(dir, "IMG_0001.jpg", photo.bgr);
    const auto result = process_photo(input, dir / "out", "IMG_0001", {});
    ASSERT_FALSE(result.error) << *result.error;
    ASSERT_EQ(result.pages.size(), 1u);
    const auto& page = result.pages[0];
    EXPECT_GT(quad_iou(corners_of(page.quad), photo.quads[0]), 0.98);
    EXPECT_LT(corner_error(corners_of(page.quad), photo.quads[0]), 0.005);
    EXPECT_EQ(page.master, dir / "out" / "IMG_0001_1.tif");
    EXPECT_EQ(page.access, dir / "out" / "IMG_0001_1.jpg");
    const cv::Mat jpeg = cv::imread(page.access.string());
    ASSERT_FALSE(jpeg.empty());
    EXPECT_EQ(jpeg.cols, page.width);
    EXPECT_EQ(jpeg.rows, page.height);
    EXPECT_NEAR(page.width, photo.flat_pages[0].cols, photo.flat_pages[0].cols * 0.01);
    EXPECT_NEAR(page.height, photo.flat_pages[0].rows, photo.flat_pages[0].rows * 0.01);
    for (const char* check : {"sharpness", "clipped", "paper_white", "rotation_deg", "page_found"}) {
        EXPECT_TRUE(page.checks.contains(check)) << check;
    }
    EXPECT_NEAR(check_value(page.checks, "rotation_deg"), 4.0, 0.2);
    EXPECT_TRUE(page.warnings.empty()) << page.warnings.front();
}

TEST(ProcessPhoto, AThumbnailIsWrittenBesideTheAccessCopyOnlyWhenAsked)
{
    TempDir dir;
    const auto input = write_jpeg(dir, "IMG_0002.jpg", synthetic_photo({1200, 900}, 2.0, false).bgr);
    const auto plain = process_photo(input, dir / "plain", "p", {});
    ASSERT_FALSE(plain.error) << *plain.error;
    EXPECT_FALSE(std::filesystem::exists(thumbnail_path(plain.pages.at(0).access)));

    PipelineOptions options;
    options.thumbnail_size = 320;
    const auto result = process_photo(input, dir / "out", "p", options);
    ASSERT_FALSE(result.error) << *result.error;
    const auto& page = result.pages.at(0);
    EXPECT_EQ(thumbnail_path(page.access), dir / "out" / "p_1.thumb.jpg");
    const cv::Mat thumbnail = cv::imread(thumbnail_path(page.access).string());
    ASSERT_FALSE(thumbnail.empty());
    EXPECT_EQ(std::max(thumbnail.cols, thumbnail.rows), 320);
    EXPECT_NEAR(static_cast<double>(thumbnail.cols) / thumbnail.rows, static_cast<double>(page.width) / page.height,
                0.01);
    EXPECT_LT(std::filesystem::file_size(thumbnail_path(page.access)), std::filesystem::file_size(page.access));
}

struct TiffCloser {
    void operator()(TIFF* t) const { TIFFClose(t); }
};

class TiffOnThreads : public ::testing::TestWithParam<int> {};

TEST_P(TiffOnThreads, WritesAnRgbTiffWithResolutionAndTheChosenCompression)
{
    TempDir dir;
    const auto photo = synthetic_photo({900, 700}, -2.0, false);
    const auto input = write_jpeg(dir, "p.jpg", photo.bgr);
    for (const auto& [option, tag] :
         {std::pair{TiffCompression::none, COMPRESSION_NONE}, std::pair{TiffCompression::lzw, COMPRESSION_LZW},
          std::pair{TiffCompression::deflate, COMPRESSION_ADOBE_DEFLATE}}) {
        PipelineOptions options;
        options.tiff_compression = option;
        options.resolution_dpi = 400;
        options.threads = GetParam();
        const auto result = process_photo(input, dir / "out", "p", options);
        ASSERT_FALSE(result.error) << *result.error;
        const std::unique_ptr<TIFF, TiffCloser> tiff(TIFFOpen(result.pages[0].master.c_str(), "r"));
        ASSERT_TRUE(tiff);
        std::uint32_t width = 0;
        std::uint16_t samples = 0;
        std::uint16_t bits = 0;
        std::uint16_t compression = 0;
        std::uint16_t photometric = 0;
        float x_resolution = 0;
        TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &width);
        TIFFGetField(tiff.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
        TIFFGetField(tiff.get(), TIFFTAG_BITSPERSAMPLE, &bits);
        TIFFGetField(tiff.get(), TIFFTAG_COMPRESSION, &compression);
        TIFFGetField(tiff.get(), TIFFTAG_PHOTOMETRIC, &photometric);
        ASSERT_TRUE(TIFFGetField(tiff.get(), TIFFTAG_XRESOLUTION, &x_resolution));
        EXPECT_EQ(static_cast<int>(width), result.pages[0].width);
        EXPECT_EQ(samples, 3);
        EXPECT_EQ(bits, 8);
        EXPECT_EQ(compression, tag);
        EXPECT_EQ(photometric, PHOTOMETRIC_RGB);
        EXPECT_FLOAT_EQ(x_resolution, 400.0f);
        if (tag != COMPRESSION_NONE) {
            std::uint16_t predictor = 0;
            TIFFGetField(tiff.get(), TIFFTAG_PREDICTOR, &predictor);
            EXPECT_EQ(predictor, PREDICTOR_HORIZONTAL);
        }
        // The master and the access copy hold the same pixels (RGB order kept).
        const cv::Mat master = cv::imread(result.pages[0].master.string());
        const cv::Mat access = cv::imread(result.pages[0].access.string());
        ASSERT_EQ(master.size(), access.size());
        EXPECT_LT(cv::norm(master, access, cv::NORM_L1) / static_cast<double>(master.total() * 3), 4.0);
    }
}

INSTANTIATE_TEST_SUITE_P(OneAndTwo, TiffOnThreads, ::testing::Values(1, 2));

TEST(ProcessPhoto, TheDeflateLevelTradesSizeAndKeepsEveryPixel)
{
    TempDir dir;
    const auto input = write_jpeg(dir, "p.jpg", synthetic_photo({900, 700}, 1.5, false).bgr);
    std::uintmax_t sizes[2] = {};
    cv::Mat masters[2];
    for (int i = 0; i < 2; ++i) {
        PipelineOptions options;
        options.tiff_level = i == 0 ? 1 : 12;
        const auto result = process_photo(input, dir / ("level" + std::to_string(i)), "p", options);
        ASSERT_FALSE(result.error) << *result.error;
        sizes[i] = std::filesystem::file_size(result.pages[0].master);
        masters[i] = cv::imread(result.pages[0].master.string(), cv::IMREAD_UNCHANGED);
    }
    EXPECT_LT(sizes[1], sizes[0]) << "level 12 should be smaller than level 1";
    ASSERT_EQ(masters[0].size(), masters[1].size());
    EXPECT_EQ(cv::norm(masters[0], masters[1], cv::NORM_INF), 0.0) << "deflate is lossless at every level";
}

// Every pixel of a TIFF as libtiff itself decodes it, in BGR order like OpenCV's.
cv::Mat read_with_libtiff(const std::filesystem::path& path)
{
    const std::unique_ptr<TIFF, TiffCloser> tiff(TIFFOpen(path.c_str(), "r"));
    if (!tiff) return {};
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &height);
    cv::Mat rgb(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
    for (std::uint32_t y = 0; y < height; ++y) {
        if (TIFFReadScanline(tiff.get(), rgb.ptr(static_cast<int>(y)), y) < 0) return {};
    }
    cv::cvtColor(rgb, rgb, cv::COLOR_RGB2BGR);
    return rgb;
}

TEST(ProcessPhoto, WritesTheSameFilesOnAnyNumberOfThreads)
{
    TempDir dir;
    // Large enough for 19 TIFF strips and 6 bands of the warp: the strips are shared out
    // a window of 16 at a time on 2 threads, so this crosses a window's end.
    const auto photo = synthetic_photo({2000, 1900}, 3.0, false);
    const auto input = write_jpeg(dir, "p.jpg", photo.bgr);
    for (const auto compression : {TiffCompression::none, TiffCompression::lzw, TiffCompression::deflate}) {
        PipelineOptions options;
        options.tiff_compression = compression;
        const auto one = process_photo(input, dir / "one", "p", options);
        options.threads = 2;
        const auto two = process_photo(input, dir / "two", "p", options);
        options.threads = 5;
        const auto five = process_photo(input, dir / "five", "p", options);
        ASSERT_FALSE(one.error || two.error || five.error);
        ASSERT_EQ(one.pages.size(), 1u);
        const int strip_rows = 256 * 1024 / (3 * one.pages[0].width);  // the writer's strips: 256 KiB
        ASSERT_GT((one.pages[0].height + strip_rows - 1) / strip_rows, 16);
        // Compared as booleans: a diff of two binary files helps nobody.
        const std::string master = base::read_file(one.pages[0].master);
        const auto name = " for compression " + std::to_string(static_cast<int>(compression));
        EXPECT_TRUE(base::read_file(two.pages[0].master) == master) << "2 threads" << name;
        EXPECT_TRUE(base::read_file(five.pages[0].master) == master) << "5 threads" << name;
        EXPECT_TRUE(base::read_file(two.pages[0].access) == base::read_file(one.pages[0].access)) << "JPEG" << name;
        // libtiff and OpenCV both read the master back, pixel for pixel the same.
        const cv::Mat by_libtiff = read_with_libtiff(two.pages[0].master);
        const cv::Mat by_opencv = cv::imread(two.pages[0].master.string(), cv::IMREAD_UNCHANGED);
        ASSERT_FALSE(by_libtiff.empty());
        ASSERT_EQ(by_opencv.size(), by_libtiff.size());
        EXPECT_EQ(cv::norm(by_opencv, by_libtiff, cv::NORM_INF), 0.0);
    }
}

TEST(ProcessPhoto, TheMasterIsOneWarpOfThePhotoEvenInBands)
{
    TempDir dir;
    const auto photo = synthetic_photo({1200, 1000}, -5.0, false);
    const auto input = write_jpeg(dir, "p.jpg", photo.bgr);
    PipelineOptions options;
    options.threads = 2;
    const auto result = process_photo(input, dir / "out", "p", options);
    ASSERT_FALSE(result.error) << *result.error;
    const auto& page = result.pages.at(0);
    ASSERT_GT(page.height, 2 * 256);  // more than one band
    // The page's corners are the outer corners of its corner pixels.
    std::array<cv::Point2f, 4> from{};
    for (std::size_t k = 0; k < 4; ++k) from[k] = cv::Point2f(cv::Point2d(page.quad[k].x, page.quad[k].y));
    const auto w = static_cast<float>(page.width);
    const auto h = static_cast<float>(page.height);
    const std::array<cv::Point2f, 4> to{cv::Point2f(-0.5f, -0.5f), cv::Point2f(w - 0.5f, -0.5f),
                                        cv::Point2f(w - 0.5f, h - 0.5f), cv::Point2f(-0.5f, h - 0.5f)};
    cv::Mat whole;
    cv::warpPerspective(cv::imread(input.string()), whole, cv::getPerspectiveTransform(from.data(), to.data()),
                        cv::Size(page.width, page.height), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    const cv::Mat master = cv::imread(page.master.string());
    ASSERT_EQ(master.size(), whole.size());
    // Each band has its own (shifted) map, so a coordinate may round differently in the
    // last bit now and then: at most one grey level, on a handful of pixels.
    EXPECT_LE(cv::norm(master, whole, cv::NORM_INF), 1.0);
    cv::Mat differs;
    cv::compare(master, whole, differs, cv::CMP_NE);
    EXPECT_LE(cv::countNonZero(differs.reshape(1)), static_cast<int>(master.total() / 10000));
}

TEST(ProcessPhoto, SplitsASpreadAtTheGutterInReadingOrder)
{
    TempDir dir;
    const auto photo = synthetic_photo({1400, 900}, 2.0, true);
    const auto input = write_jpeg(dir, "spread.jpg", photo.bgr);
    const auto result = process_photo(input, dir / "out", "spread", {});
    ASSERT_FALSE(result.error) << *result.error;
    ASSERT_EQ(result.pages.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        EXPECT_GT(quad_iou(corners_of(result.pages[i].quad), photo.quads[i]), 0.97)
            << i << ": " << report_json({result}, -1) << " truth "
            << cv::Mat(std::vector<cv::Point2d>(photo.quads[i].begin(), photo.quads[i].end()));
        EXPECT_EQ(result.pages[i].master.filename(), "spread_" + std::to_string(i + 1) + ".tif");
    }
    PipelineOptions never;
    never.split = SplitMode::never;
    EXPECT_EQ(process_photo(input, dir / "whole", "spread", never).pages.size(), 1u);
}

TEST(ProcessPhoto, ReportsBadInputAsAnErrorAndWritesNothing)
{
    TempDir dir;
    const auto out = dir / "out";
    std::ofstream(dir / "empty.jpg").close();
    std::ofstream(dir / "text.jpg") << "this is not an image\n";
    const auto photo = synthetic_photo({800, 600}, 1.0, false);
    std::vector<uchar> bytes;
    cv::imencode(".jpg", photo.bgr, bytes);
    std::ofstream(dir / "truncated.jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size() / 2));
    cv::imwrite((dir / "tiny.png").string(), cv::Mat(20, 20, CV_8UC3, cv::Scalar(255, 255, 255)));
    const std::vector<std::pair<std::string, std::string>> cases{{"missing.jpg", "no such file"},
                                                                 {"empty.jpg", "empty file"},
                                                                 {"text.jpg", "not a readable image"},
                                                                 {"truncated.jpg", "truncated"},
                                                                 {"tiny.png", "too small"}};
    for (const auto& [name, message] : cases) {
        const auto result = process_photo(dir / name, out, "x", {});
        ASSERT_TRUE(result.error) << name;
        EXPECT_NE(result.error->find(message), std::string::npos) << name << ": " << *result.error;
        EXPECT_NE(result.error->find(name), std::string::npos) << *result.error;
        EXPECT_TRUE(result.pages.empty());
    }
    EXPECT_EQ(files_in(out), 0u);
}

// On the kit the pages of a shot must not eat the room its next captures need.
TEST(ProcessPhoto, LeavesTheRoomItIsAskedToKeepFreeOrWritesNothing)
{
    TempDir dir;
    const auto input = write_jpeg(dir, "IMG_0003.jpg", synthetic_photo({1200, 900}, 1.0, true).bgr);
    PipelineOptions options;
    // The whole disk: never free, however much other processes delete meanwhile.
    options.keep_free_bytes = std::filesystem::space(dir.path()).capacity;
    const auto refused = process_photo(input, dir / "full", "p", options);
    ASSERT_TRUE(refused.error);
    EXPECT_EQ(refused.error->rfind("No space left on device for its pages: ", 0), 0u) << *refused.error;
    EXPECT_NE(refused.error->find(" are kept free"), std::string::npos) << *refused.error;
    EXPECT_TRUE(refused.pages.empty());
    EXPECT_EQ(files_in(dir / "full"), 0u);

    options.keep_free_bytes = 1024 * 1024;
    const auto written = process_photo(input, dir / "room", "p", options);
    ASSERT_FALSE(written.error) << *written.error;
    EXPECT_EQ(written.pages.size(), 2u);
    EXPECT_EQ(files_in(dir / "room"), 4u);
}

TEST(ProcessPhoto, RefusesAPhotoOverTwoHundredMegapixelsFromItsHeader)
{
    TempDir dir;
    std::vector<uchar> bytes;
    cv::imencode(".jpg", cv::Mat(64, 64, CV_8UC3, cv::Scalar(128, 128, 128)), bytes);
    // Rewrite the frame header's size to 20000 x 12000 (240 MP): never decoded.
    for (std::size_t i = 2; i + 8 < bytes.size(); ++i) {
        if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
            bytes[i + 5] = 12000 >> 8;
            bytes[i + 6] = 12000 & 0xFF;
            bytes[i + 7] = 20000 >> 8;
            bytes[i + 8] = 20000 & 0xFF;
            break;
        }
    }
    std::ofstream(dir / "huge.jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    const auto result = process_photo(dir / "huge.jpg", dir / "out", "huge", {});
    ASSERT_TRUE(result.error);
    EXPECT_NE(result.error->find("too large"), std::string::npos) << *result.error;
}

TEST(ProcessBatch, ExpandsFoldersSortedKeepsOrderAndReportsEachImage)
{
    TempDir dir;
    const auto in = dir / "in";
    std::filesystem::create_directories(in);
    for (int i = 3; i >= 1; --i) {
        const auto photo = synthetic_photo({800, 600}, i, false, i);
        cv::imwrite((in / ("IMG_000" + std::to_string(i) + ".jpg")).string(), photo.bgr);
    }
    std::ofstream(in / "notes.txt") << "not a photo\n";
    std::ofstream(dir / "broken.jpg") << "garbage";
    BatchOptions options;
    options.threads = 2;
    std::size_t calls = 0;
    options.on_done = [&](const ImageResult&, std::size_t done, std::size_t total) {
        ++calls;
        EXPECT_LE(done, total);
        EXPECT_EQ(total, 4u);
    };
    const auto results = process_batch({in, dir / "broken.jpg"}, dir / "out", options);
    ASSERT_EQ(results.size(), 4u);
    EXPECT_EQ(calls, 4u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(results[static_cast<std::size_t>(i)].input.filename(), "IMG_000" + std::to_string(i + 1) + ".jpg");
        EXPECT_FALSE(results[static_cast<std::size_t>(i)].error);
    }
    EXPECT_TRUE(results[3].error);

    const auto report = nlohmann::json::parse(report_json(results));
    ASSERT_EQ(report["images"].size(), 4u);
    const auto& first = report["images"][0];
    EXPECT_EQ(first["input"], (in / "IMG_0001.jpg").string());
    EXPECT_TRUE(first["error"].is_null());
    const auto& page = first["pages"][0];
    ASSERT_EQ(page["quad"].size(), 4u);
    EXPECT_EQ(page["quad"][0].size(), 2u);
    EXPECT_EQ(page["master"], (dir / "out" / "IMG_0001_1.tif").string());
    EXPECT_EQ(page["access"], (dir / "out" / "IMG_0001_1.jpg").string());
    EXPECT_TRUE(page["width"].is_number_integer());
    EXPECT_TRUE(page["height"].is_number_integer());
    ASSERT_TRUE(page["checks"].is_object());
    EXPECT_TRUE(page["checks"]["page_found"].is_number_integer()) << page["checks"];  // whole numbers stay whole
    EXPECT_TRUE(page["checks"]["sharpness"].is_number_float()) << page["checks"];
    EXPECT_TRUE(page["warnings"].is_array());
    EXPECT_TRUE(report["images"][3]["error"].is_string());
    EXPECT_TRUE(report["images"][3]["pages"].empty());
}

TEST(ProcessBatch, FlagsARepeatedCapture)
{
    TempDir dir;
    const auto photo = synthetic_photo({800, 600}, 1.0, false, 7);
    const auto other = synthetic_photo({800, 600}, -3.0, false, 8);
    cv::imwrite((dir / "a.jpg").string(), photo.bgr);
    cv::imwrite((dir / "b.jpg").string(), photo.bgr);
    cv::imwrite((dir / "c.jpg").string(), other.bgr);
    const auto results = process_batch({dir / "a.jpg", dir / "b.jpg", dir / "c.jpg"}, dir / "out", {});
    ASSERT_EQ(results.size(), 3u);
    auto warned = [](const ImageResult& r) {
        const auto& w = r.pages.at(0).warnings;
        return std::find(w.begin(), w.end(), "duplicate") != w.end();
    };
    EXPECT_FALSE(warned(results[0]));
    EXPECT_TRUE(warned(results[1]));
    EXPECT_FALSE(warned(results[2]));
}

TEST(FirstLook, FindsThePageAndSpotsARepeat)
{
    TempDir dir;
    const auto photo = synthetic_photo({1600, 1200}, 2.0, false, 3);
    const auto other = synthetic_photo({1600, 1200}, -2.0, false, 4);
    const auto a = write_jpeg(dir, "a.jpg", photo.bgr);
    const auto b = write_jpeg(dir, "b.jpg", other.bgr);
    const FirstLook first = first_look(a);
    ASSERT_FALSE(first.error);
    EXPECT_EQ(first.pages_found, 1);
    EXPECT_FALSE(first.duplicate);
    EXPECT_TRUE(first_look(a, &first).duplicate);
    EXPECT_FALSE(first_look(b, &first).duplicate);
    EXPECT_GE(first.confidence, min_page_confidence);
    const FirstLook broken = first_look(dir / "missing.jpg");
    EXPECT_TRUE(broken.error);
    EXPECT_FALSE(broken.ok());
}

}  // namespace
}  // namespace digikit::imaging
