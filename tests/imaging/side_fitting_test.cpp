// Sides of a page found by more than one paper mask (imaging/src/side_fitting.cpp).
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// A sheet (grey 200) on a dark table (40): its edges are clear steps.
struct SheetPhoto {
    cv::Mat grey{600, 800, CV_8UC1, cv::Scalar(40)};
    Quad sheet{cv::Point2d(150, 100), cv::Point2d(650, 110), cv::Point2d(640, 500), cv::Point2d(160, 490)};

    SheetPhoto()
    {
        std::vector<cv::Point> corners;
        for (const auto& c : sheet) corners.emplace_back(cv::Point(c));
        cv::fillConvexPoly(grey, corners, cv::Scalar(200), cv::LINE_8);
    }
};

FoundPage page_of(const Quad& quad)
{
    FoundPage page;
    page.quad = quad;
    return page;
}

// One mask's outline runs past the sheet's top-right corner (a sleeve), another's has the
// top and right on the sheet and its bottom on the frame: the page takes the other's top
// and right, both together (they share a corner).
TEST(SideFitting, WeakSidesTakeAnotherOutlinesSidesOnClearEdges)
{
    const SheetPhoto photo;
    const auto& s = photo.sheet;
    const FoundPage best = page_of({s[0] + 0.08 * (s[3] - s[0]), cv::Point2d(740, 20), s[2], s[3]});
    // Its sides run on past the sheet's bottom to the frame.
    FoundPage other = page_of({s[0], s[1], s[1] + 1.25 * (s[2] - s[1]), s[0] + 1.25 * (s[3] - s[0])});
    other.edge_visible[2] = false;
    std::array<bool, 4> adopted{};
    const FoundPage page = adopt_clear_sides(photo.grey, best, {other}, &adopted);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NEAR(page.quad[i].x, s[i].x, 1.0) << "corner " << i;
        EXPECT_NEAR(page.quad[i].y, s[i].y, 1.0) << "corner " << i;
    }
    EXPECT_EQ(adopted, (std::array<bool, 4>{true, true, false, false}));
}

// Another outline's side that lies on no edge (through the paper) is not taken, however
// weak the page's own side is.
TEST(SideFitting, NoSideIsTakenFromAnOutlineOffTheEdges)
{
    const SheetPhoto photo;
    const auto& s = photo.sheet;
    const FoundPage best = page_of({s[0], cv::Point2d(740, 20), s[2], s[3]});
    const cv::Point2d in(40, 40);
    const FoundPage other = page_of({s[0] + in, s[1] + cv::Point2d(-40, 40), s[2] - in, s[3] + cv::Point2d(40, -40)});
    std::array<bool, 4> adopted{};
    const FoundPage page = adopt_clear_sides(photo.grey, best, {other}, &adopted);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(page.quad[i], best.quad[i]) << "corner " << i;
    EXPECT_EQ(adopted, (std::array<bool, 4>{}));
}

}  // namespace
}  // namespace digikit::imaging
