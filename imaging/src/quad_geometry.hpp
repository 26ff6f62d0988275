#pragma once

#include <array>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

// Plane geometry for the page finder: lines, quads and convex polygons.
namespace digikit::imaging {

// Corners top-left, top-right, bottom-right, bottom-left as the page reads.
using Quad = std::array<cv::Point2d, 4>;

// A line through `point` along unit vector `direction`.
struct Line {
    cv::Point2d point;
    cv::Point2d direction;
};

[[nodiscard]] double norm(cv::Point2d v);
[[nodiscard]] Line line_through(cv::Point2d a, cv::Point2d b);
// The unit normal of side a-b on the side of `towards` (a page's middle: into the page).
[[nodiscard]] cv::Point2d inward_normal(cv::Point2d a, cv::Point2d b, cv::Point2d towards);
[[nodiscard]] std::optional<cv::Point2d> intersect(const Line& a, const Line& b);
[[nodiscard]] double distance_to(const Line& line, cv::Point2d p);
// Least-squares line through points, refitted without the points farther than `outlier` away.
[[nodiscard]] std::optional<Line> fit_line(std::vector<cv::Point2d> points, double outlier);

[[nodiscard]] cv::Point2d centroid(const Quad& q);
// Clockwise from the corner that starts the topmost side.
[[nodiscard]] Quad order_corners(std::array<cv::Point2d, 4> corners);

// A convex polygon; side k runs from corner k to corner k + 1 and is a visible paper
// edge or not (the frame's edge, a chord).
struct Polygon {
    std::vector<cv::Point2d> corners;
    std::vector<bool> visible;
};

[[nodiscard]] double signed_area(const std::vector<cv::Point2d>& corners);
// The part of convex polygon `subject` inside convex polygon `clip` (Sutherland-Hodgman;
// unlike cv::intersectConvexConvex, exact where the two share a side).
[[nodiscard]] std::vector<cv::Point2d> convex_intersection(std::vector<cv::Point2d> subject,
                                                           std::vector<cv::Point2d> clip);
// Intersection over union of two convex polygons.
[[nodiscard]] double overlap_ratio(const std::vector<cv::Point2d>& a, const std::vector<cv::Point2d>& b);
// One corner fewer, losing or adding as little area (against `target`) as possible:
// either corner k is cut off (a chord, not a paper edge), or side k is dropped by
// extending its neighbours if they meet within `reach`.
[[nodiscard]] Polygon one_corner_fewer(const Polygon& polygon, const std::vector<cv::Point2d>& target, double reach);

}  // namespace digikit::imaging
