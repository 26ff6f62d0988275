// The fold of a one-page view: a dark line along the gutter side, or the step down onto
// the facing page (imaging/src/gutter_fold.cpp).
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "finder_tuning.hpp"
#include "frame_filling_page.hpp"
#include "gutter_fold.hpp"
#include "page_finder.hpp"

namespace digikit::imaging {
namespace {

// A left page (grey 210, lines of print) up to column `fold`, then the facing page
// turning away into the gutter's shade: darker at once (150), then darker still, with no
// dark line at the fold.
cv::Mat left_page_and_facing(int fold)
{
    cv::Mat grey(500, 400, CV_8UC1, cv::Scalar(210));
    for (int y = 60; y < 440; y += 18) cv::line(grey, {40, y}, {fold - 40, y}, cv::Scalar(60), 2);
    for (int x = fold; x < grey.cols; ++x) {
        grey.col(x).setTo(cv::Scalar(150 - (x - fold) / 4));
    }
    return grey;
}

Quad whole(const cv::Mat& grey)
{
    const auto w = static_cast<double>(grey.cols - 1);
    const auto h = static_cast<double>(grey.rows - 1);
    return {cv::Point2d(0, 0), cv::Point2d(w, 0), cv::Point2d(w, h), cv::Point2d(0, h)};
}

TEST(StepFold, IsWhereThePageStepsDownOntoTheFacingPage)
{
    const cv::Mat grey = left_page_and_facing(330);
    const auto fold = find_step_fold(grey, whole(grey), 1, 0.45);
    ASSERT_TRUE(fold.has_value());
    EXPECT_TRUE(fold->stepped);
    EXPECT_EQ(fold->side, 1U);
    for (const double y : {0.0, 250.0, 499.0}) {
        const double x =
            fold->line.point.x + (y - fold->line.point.y) * fold->line.direction.x / fold->line.direction.y;
        EXPECT_NEAR(x, 330, 2.0) << "at y " << y;
    }
}

// A page that ends at the quad's side (no facing page beyond it), and a page whose paper
// only darkens a little towards the gutter: no step.
TEST(StepFold, NoneWithoutADarkerFacingPage)
{
    cv::Mat grey = left_page_and_facing(330);
    const Quad page_only{cv::Point2d(0, 0), cv::Point2d(329, 0), cv::Point2d(329, 499), cv::Point2d(0, 499)};
    EXPECT_FALSE(find_step_fold(grey, page_only, 1, 0.45).has_value());
    grey.colRange(330, grey.cols).setTo(cv::Scalar(204));
    EXPECT_FALSE(find_step_fold(grey, whole(grey), 1, 0.45).has_value());
}

// A left-page camera's photo `width` pixels wide: a printed page (x 60-450) on a dark
// cradle, the facing page beyond x = 450 running off the frame and darkening away from a
// fold that casts no shadow.
cv::Mat page_beyond_a_step(int width)
{
    cv::Mat photo(500, width, CV_8UC3, cv::Scalar(30, 30, 30));
    photo(cv::Rect(60, 50, 390, 400)).setTo(cv::Scalar(210, 210, 210));
    for (int y = 90; y < 420; y += 18) cv::line(photo, {100, y}, {410, y}, cv::Scalar(60, 60, 60), 2);
    for (int x = 450; x < photo.cols; ++x) {
        const double level = 150 - (x - 450) / 5.0;
        photo(cv::Rect(x, 50, 1, 400)).setTo(cv::Scalar(level, level, level));
    }
    return photo;
}

// A left-page camera's photo: the page on a dark cradle, the facing page running off the
// frame beyond a fold that casts no shadow. The page is found up to the step, and doubted
// (a step can lie beside the fold: a binding strip, the facing page's shading).
TEST(StepFold, APageCutAtAStepIsFoundAndDoubted)
{
    const cv::Mat photo = page_beyond_a_step(700);
    FinderRequest request;
    request.view = PageView::left_page;
    const PageLayout layout = find_pages(photo, request);
    ASSERT_EQ(layout.pages.size(), 1U);
    const FoundPage& page = layout.pages[0];
    EXPECT_NEAR(page.quad[1].x, 450, 3.0);
    EXPECT_NEAR(page.quad[2].x, 450, 3.0);
    EXPECT_NEAR(page.quad[0].x, 60, 3.0);
    EXPECT_LT(page.confidence, min_page_confidence);
}

// The same page with only 70 pixels of the facing page in view: the outline's side on the
// frame's edge could move in to where the paper starts as a frame-side move, and the page
// came out sure of a fold side that only a step marks. The gutter side of a one-page view
// is the fold's to place: still cut at the step, still doubted.
TEST(StepFold, APageCutAtAStepIsDoubtedWithLittleOfTheFacingPageInView)
{
    const cv::Mat photo = page_beyond_a_step(520);
    FinderRequest request;
    request.view = PageView::left_page;
    const PageLayout layout = find_pages(photo, request);
    ASSERT_EQ(layout.pages.size(), 1U);
    const FoundPage& page = layout.pages[0];
    EXPECT_NEAR(page.quad[1].x, 450, 3.0);
    EXPECT_NEAR(page.quad[2].x, 450, 3.0);
    EXPECT_LT(page.confidence, min_page_confidence);
}

// A page turned 2 degrees in the frame, its outline's right side on the frame's edge
// beyond the facing page (the outline a paper mask gives for testing::FrameFillingPage):
// the fold is 2 degrees off that side, so a column of the page straightened along it
// crosses the fold and is dark in only a few of its rows (depth 5, below
// min_fold_depth: no fold, the page not cut there). Searched also parallel to the
// facing side (the page's fore-edge), the fold is found on its line.
TEST(Fold, OfAPageTurnedInTheFrameIsParallelToTheFacingSide)
{
    const testing::FrameFillingPage photo(12, 488, 16, 40, 2.0);
    const Quad outline{cv::Point2d(7.9, 11.2), cv::Point2d(419.5, 11.2), cv::Point2d(419.5, 487.2),
                       cv::Point2d(24.6, 487.2)};
    const auto fold = find_fold(photo.grey, outline, 1, tuning.fold_max_share);
    ASSERT_TRUE(fold.has_value());
    EXPECT_EQ(fold->side, 1U);
    EXPECT_GE(fold->depth, tuning.min_fold_depth);
    // The page's right side (truth TR-BR, one pixel into the fold's dark line) within 4 px.
    EXPECT_LT(distance_to(fold->line, photo.truth[1]), 4.0);
    EXPECT_LT(distance_to(fold->line, photo.truth[2]), 4.0);
}

// A spread (grey 210) whose gutter is a thin fold line (grey 120, 2 pixels) from its top
// to its bottom, with a printed frame's rule (grey 60, 5 pixels) 14 pixels beside it that
// stops at the margins (ndl_2568591_14: the gutter went onto the rule, 2.2% off, undoubted).
TEST(Gutter, IsTheFoldNotARuleOfPrintBesideIt)
{
    cv::Mat grey(500, 800, CV_8UC1, cv::Scalar(210));
    grey(cv::Rect(399, 0, 2, 500)).setTo(cv::Scalar(120));
    grey(cv::Rect(413, 60, 5, 380)).setTo(cv::Scalar(60));
    for (int y = 80; y < 420; y += 18) {
        cv::line(grey, {60, y}, {380, y}, cv::Scalar(60), 2);
        cv::line(grey, {440, y}, {740, y}, cv::Scalar(60), 2);
    }
    const auto gutter = find_gutter(grey, whole(grey), false);
    ASSERT_TRUE(gutter.has_value());
    for (const double y : {0.0, 250.0, 499.0}) {
        const double x =
            gutter->line.point.x + (y - gutter->line.point.y) * gutter->line.direction.x / gutter->line.direction.y;
        EXPECT_NEAR(x, 400, 2.0) << "at y " << y;
    }
}

}  // namespace
}  // namespace digikit::imaging
