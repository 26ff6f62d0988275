// The full-resolution refinement of a found page (imaging/src/full_resolution.cpp): the
// reduced search places a side within a pixel or two of the reduced photo, several pixels
// of the full one; the refinement moves it onto what it lies on there.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "page_finder.hpp"

namespace digikit::imaging {
namespace {

// A page on dark cloth, its right side on a thin dark fold (slanted by 9 px over the page's
// height) with the facing page's paper beyond it.
struct FoldPhoto {
    cv::Mat bgr{1200, 1600, CV_8UC3, cv::Scalar::all(40)};
    cv::Point2d fold_top{800, 150};
    cv::Point2d fold_bottom{809, 1050};

    explicit FoldPhoto(bool draw_fold)
    {
        cv::rectangle(bgr, cv::Point(200, 150), cv::Point(1399, 1049), cv::Scalar::all(200), cv::FILLED);
        if (draw_fold) cv::line(bgr, fold_top, fold_bottom, cv::Scalar::all(110), 3, cv::LINE_AA);
    }

    // Where the reduced search put the page: its fold side 6 px beyond the fold.
    [[nodiscard]] FoundPage found() const
    {
        FoundPage page;
        page.quad = {cv::Point2d(201, 151), fold_top + cv::Point2d(6, 0), fold_bottom + cv::Point2d(6, 0),
                     cv::Point2d(201, 1048)};
        page.edge_visible = {true, false, true, true};
        page.on_fold = {false, true, false, false};
        return page;
    }
};

TEST(FullResolution, AFoldSideGoesOntoTheFoldsDarkLine)
{
    const FoldPhoto photo(true);
    const Quad refined = refine_quad(photo.bgr, photo.found(), 4);
    EXPECT_NEAR(refined[1].x, photo.fold_top.x, 1.0);
    EXPECT_NEAR(refined[2].x, photo.fold_bottom.x, 1.0);
    // The paper edges stay on their steps: top at y 149.5, left at x 199.5.
    EXPECT_NEAR(refined[0].y, 149.5, 1.0);
    EXPECT_NEAR(refined[0].x, 199.5, 1.0);
}

TEST(FullResolution, AFoldSideWithNoDarkLineNearItStaysWhereTheSearchPutIt)
{
    const FoldPhoto photo(false);
    const FoundPage page = photo.found();
    const Quad refined = refine_quad(photo.bgr, page, 4);
    EXPECT_NEAR(refined[1].x, page.quad[1].x, 1.0);
    EXPECT_NEAR(refined[2].x, page.quad[2].x, 1.0);
}

}  // namespace
}  // namespace digikit::imaging
