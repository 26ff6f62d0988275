// The operator's quick verdict (first_look) on the cases a volunteer meets at the kit:
// the same page shot twice, the next page of the same book, a soft focus, a page of large
// type, a hand in the frame. The photos are built from the shared renderer's pages, placed
// where a fixed camera sees each page of one book: same table, same place, same light.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "temp_dir.hpp"

namespace digikit::imaging {
namespace {

using digikit::testing::TempDir;

constexpr int photo_width = 2400;
constexpr int photo_height = 1600;

bool warns(const FirstLook& look, const std::string& code)
{
    return std::find(look.warnings.begin(), look.warnings.end(), code) != look.warnings.end();
}

// One book on the kit: the table, the light and the place of the page come from the first
// rendered photo; each further page of the book is another rendered page's content drawn
// into that same place.
class Book {
public:
    Book()
    {
        capture::PagePhotoSpec spec;
        spec.seed = 21;
        spec.width = photo_width;
        spec.height = photo_height;
        spec.noise_sigma = 0;
        const auto first = capture::render_page_photo(spec);
        scene_ = first.bgr;
        quad_ = first.pages.front();
        page_size_ = first.flat_pages.front().size();
        // The light on the page as rendered: the photo's page divided by the flat page.
        cv::Mat flat_in_place = place(first.flat_pages.front());
        scene_.convertTo(light_, CV_32FC3);
        cv::Mat flat_f;
        flat_in_place.convertTo(flat_f, CV_32FC3);
        cv::divide(light_, cv::max(flat_f, 1.0F), light_);
        cv::Mat mask = page_mask();
        light_.setTo(cv::Scalar::all(1.0), ~mask);
    }

    // The photo of page `n` of the book: its content in the book's place, the camera's
    // own noise, the whole frame moved by `shift` (a fraction of the width).
    [[nodiscard]] cv::Mat shot(const cv::Mat& page, std::uint64_t noise_seed, double shift = 0) const
    {
        cv::Mat photo = scene_.clone();
        place(page).copyTo(photo, page_mask());
        cv::Mat lit;
        photo.convertTo(lit, CV_32FC3);
        cv::multiply(lit, light_, lit, 1.0, CV_32FC3);
        lit.convertTo(photo, CV_8UC3);
        if (shift != 0) {
            const cv::Mat move = (cv::Mat_<double>(2, 3) << 1, 0, shift * photo_width, 0, 1, shift * photo_height / 2);
            cv::warpAffine(photo, photo, move, photo.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        }
        cv::Mat noise(photo.size(), CV_16SC3);
        cv::RNG rng(noise_seed);
        rng.fill(noise, cv::RNG::NORMAL, 0, 3.0);
        cv::Mat noisy;
        photo.convertTo(noisy, CV_16SC3);
        noisy += noise;
        noisy.convertTo(photo, CV_8UC3);
        return photo;
    }

    // Page `seed` of a book: the renderer's page content (text, page number, margins).
    [[nodiscard]] cv::Mat page(std::uint64_t seed) const
    {
        capture::PagePhotoSpec spec;
        spec.seed = seed;
        spec.width = photo_width;
        spec.height = photo_height;
        cv::Mat content = capture::render_page_photo(spec).flat_pages.front();
        cv::resize(content, content, page_size_, 0, 0, cv::INTER_AREA);
        return content;
    }

    // A page of large type (a title page, a children's book): few, big letters.
    [[nodiscard]] cv::Mat large_type_page() const
    {
        cv::Mat content(page_size_, CV_8UC3, cv::Scalar(228, 236, 240));
        const double scale = page_size_.height / 220.0;
        const int thickness = std::max(2, static_cast<int>(scale * 1.6));
        const std::array<const char*, 4> lines{"THE", "LITTLE", "RED", "HEN"};
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const cv::Point origin(page_size_.width / 8,
                                   static_cast<int>(page_size_.height * (0.3 + 0.14 * static_cast<double>(i))));
            cv::putText(content, lines[i], origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(30, 30, 30), thickness,
                        cv::LINE_AA);
        }
        return content;
    }

    [[nodiscard]] const capture::Quad& quad() const { return quad_; }

    // A hand reaching in over the page's bottom edge: `reach` is how far up the page the
    // fingertips come (0 = they just touch the bottom edge, 0.5 = half the page).
    [[nodiscard]] cv::Mat with_hand(cv::Mat photo, double reach) const
    {
        const cv::Point2d bottom_mid = (quad_[2] + quad_[3]) * 0.5;
        const cv::Point2d up = (quad_[0] + quad_[1]) * 0.5 - bottom_mid;
        const double page_height = cv::norm(up);
        const cv::Point2d u = up / page_height;
        const cv::Point2d across(-u.y, u.x);
        const double finger = page_height * 0.045;  // a finger's width
        const cv::Scalar skin(120, 150, 205);
        const cv::Point2d palm = bottom_mid + u * (reach * page_height - 0.28 * page_height);
        const cv::Point2d wrist = palm - u * (0.45 * page_height);  // the arm comes from beyond the page
        cv::line(photo, cv::Point(palm), cv::Point(wrist), skin, static_cast<int>(3.6 * finger), cv::LINE_AA);
        cv::ellipse(photo,
                    cv::RotatedRect(cv::Point2f(palm), cv::Size2f(float(4.6 * finger), float(0.3 * page_height)),
                                    float(std::atan2(u.y, u.x) * 180 / CV_PI)),
                    skin, cv::FILLED, cv::LINE_AA);
        for (int f = 0; f < 4; ++f) {
            const cv::Point2d base = palm + across * ((f - 1.5) * 1.1 * finger) + u * (0.1 * page_height);
            const double length = page_height * (f == 0 || f == 3 ? 0.13 : 0.16);
            const cv::Point2d tip = base + u * length;
            cv::line(photo, cv::Point(base), cv::Point(tip), skin, static_cast<int>(finger), cv::LINE_AA);
            cv::circle(photo, cv::Point(tip), static_cast<int>(finger / 2), skin, cv::FILLED, cv::LINE_AA);
        }
        return photo;
    }

private:
    [[nodiscard]] cv::Mat place(const cv::Mat& page) const
    {
        const auto w = static_cast<float>(page.cols);
        const auto h = static_cast<float>(page.rows);
        const std::array<cv::Point2f, 4> from{cv::Point2f(-0.5F, -0.5F), cv::Point2f(w - 0.5F, -0.5F),
                                              cv::Point2f(w - 0.5F, h - 0.5F), cv::Point2f(-0.5F, h - 0.5F)};
        const std::array<cv::Point2f, 4> to{cv::Point2f(quad_[0]), cv::Point2f(quad_[1]), cv::Point2f(quad_[2]),
                                            cv::Point2f(quad_[3])};
        cv::Mat placed = scene_.clone();
        cv::warpPerspective(page, placed, cv::getPerspectiveTransform(from.data(), to.data()), scene_.size(),
                            cv::INTER_AREA, cv::BORDER_TRANSPARENT);
        return placed;
    }

    [[nodiscard]] cv::Mat page_mask() const
    {
        cv::Mat mask(scene_.size(), CV_8U, cv::Scalar(0));
        std::array<cv::Point, 4> corners;
        for (std::size_t i = 0; i < 4; ++i) corners[i] = cv::Point(quad_[i]);
        cv::fillConvexPoly(mask, corners.data(), 4, cv::Scalar(255));
        return mask;
    }

    cv::Mat scene_;
    cv::Mat light_;
    capture::Quad quad_{};
    cv::Size page_size_;
};

std::filesystem::path write(const TempDir& dir, const std::string& name, const cv::Mat& bgr)
{
    const auto path = dir / name;
    EXPECT_TRUE(cv::imwrite(path.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 92}));
    return path;
}

TEST(OperatorVerdict, TheSamePageShotAgainIsADuplicateTheNextPageIsNot)
{
    TempDir dir;
    const Book book;
    const cv::Mat page_7 = book.page(7);
    const FirstLook first = first_look(write(dir, "p7.jpg", book.shot(page_7, 1)));
    ASSERT_TRUE(first.ok()) << first.warnings.size();
    for (const double shift : {0.01, 0.015, 0.02}) {
        const FirstLook again = first_look(write(dir, "p7_again.jpg", book.shot(page_7, 2, shift)), &first);
        EXPECT_TRUE(again.duplicate) << "the same page moved by " << shift * 100 << "% was not seen as a repeat";
    }
    for (const std::uint64_t next : {8U, 9U, 10U}) {
        const FirstLook look = first_look(write(dir, "next.jpg", book.shot(book.page(next), 3)), &first);
        EXPECT_FALSE(look.duplicate) << "the next page (" << next << ") was taken for a repeat";
        EXPECT_TRUE(look.ok());
    }
}

// `digikit process` on a book's photos judges repeats as the first look does, by the page's
// print: a kit camera's photos of different pages share the cradle, the cover and the
// page's place, and their whole-photo hashes can be as close as a repeat's (two cradle
// photos of different pages of a real book were flagged that way).
TEST(OperatorVerdict, TheBatchFlagsTheSamePageShotAgainNotTheNextPage)
{
    TempDir dir;
    const Book book;
    const cv::Mat page_7 = book.page(7);
    BatchOptions options;
    options.pipeline.tiff_compression = TiffCompression::none;
    const auto results = process_batch(
        {write(dir, "p7.jpg", book.shot(page_7, 1)), write(dir, "p7_again.jpg", book.shot(page_7, 2, 0.015)),
         write(dir, "p8.jpg", book.shot(book.page(8), 3))},
        dir / "out", options);
    ASSERT_EQ(results.size(), 3U);
    const auto duplicate = [](const ImageResult& result) {
        EXPECT_EQ(result.pages.size(), 1U) << result.input;
        return !result.pages.empty() && std::find(result.pages[0].warnings.begin(), result.pages[0].warnings.end(),
                                                  "duplicate") != result.pages[0].warnings.end();
    };
    EXPECT_FALSE(duplicate(results[0]));
    EXPECT_TRUE(duplicate(results[1])) << "the same page moved by 1.5% was not seen as a repeat";
    EXPECT_FALSE(duplicate(results[2])) << "the next page was taken for a repeat";
}

// The focus measure must not depend on how much print the page has: a title page of a few
// big letters is as sharp as a page of body text.
TEST(OperatorVerdict, BlurJustPastWhatReadsWellIsFlaggedLargeTypeIsNot)
{
    TempDir dir;
    const Book book;
    const cv::Mat sharp = book.shot(book.page(11), 4);
    const auto blurred = [&](double sigma) {
        cv::Mat soft;
        cv::GaussianBlur(sharp, soft, cv::Size(0, 0), sigma);
        return first_look(write(dir, "soft.jpg", soft));
    };
    const FirstLook crisp = first_look(write(dir, "sharp.jpg", sharp));
    // Lens blur of 1 px at 2400 px across (2.5 px on a 24 MP photo) still reads well;
    // 2 px (5 px at 24 MP) no longer: body text loses its strokes, and the operator must
    // hear it before turning the page.
    const FirstLook slight = blurred(1.0);
    const FirstLook soft = blurred(2.0);
    const FirstLook large = first_look(write(dir, "large.jpg", book.shot(book.large_type_page(), 5)));
    std::printf("crispness: sharp %.3f, blur 1 px %.3f, blur 2 px %.3f, large type %.3f\n", crisp.sharpness,
                slight.sharpness, soft.sharpness, large.sharpness);
    EXPECT_FALSE(warns(crisp, "blurry"));
    EXPECT_FALSE(warns(slight, "blurry"));
    EXPECT_TRUE(warns(soft, "blurry"));
    EXPECT_EQ(large.pages_found, 1);
    EXPECT_FALSE(warns(large, "blurry")) << "a sharp page of large type taken for a blurred one";
}

// A hand over the page hides part of it: retake. Fingertips resting on the bottom margin,
// as a volunteer holds a springy book open, are no reason to.
TEST(OperatorVerdict, AHandOverThePageIsFlaggedFingertipsOnTheMarginAreNot)
{
    TempDir dir;
    const Book book;
    const cv::Mat page = book.page(12);
    const FirstLook clear = first_look(write(dir, "clear.jpg", book.shot(page, 6)));
    EXPECT_TRUE(clear.ok());
    const FirstLook margin = first_look(write(dir, "margin.jpg", book.with_hand(book.shot(page, 7), 0.04)));
    EXPECT_EQ(margin.pages_found, 1);
    EXPECT_FALSE(warns(margin, "hand_over_page"));
    const FirstLook hand = first_look(write(dir, "hand.jpg", book.with_hand(book.shot(page, 8), 0.45)));
    EXPECT_TRUE(warns(hand, "hand_over_page"));
    EXPECT_FALSE(hand.ok());
}

}  // namespace
}  // namespace digikit::imaging
