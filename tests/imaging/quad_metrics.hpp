#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "digikit/imaging/page_pipeline.hpp"

namespace digikit::imaging::testing {

using Corners = std::array<cv::Point2d, 4>;

inline Corners corners_of(const std::array<Point, 4>& quad)
{
    Corners c;
    for (std::size_t i = 0; i < 4; ++i) c[i] = {quad[i].x, quad[i].y};
    return c;
}

// Intersection over union of two convex quadrilaterals.
inline double quad_iou(const Corners& a, const Corners& b)
{
    std::vector<cv::Point2f> pa;
    std::vector<cv::Point2f> pb;
    for (std::size_t i = 0; i < 4; ++i) {
        pa.emplace_back(a[i]);
        pb.emplace_back(b[i]);
    }
    std::vector<cv::Point2f> overlap;
    const auto inter = static_cast<double>(cv::intersectConvexConvex(pa, pb, overlap, true));
    const double uni = cv::contourArea(pa) + cv::contourArea(pb) - inter;
    return uni > 0 ? inter / uni : 0.0;
}

// IoU of a found quad with the part of the true page inside the frame (a page running
// off the frame can only be found up to the frame's edge).
inline double visible_iou(const Corners& found, const Corners& truth, cv::Size frame)
{
    std::vector<cv::Point2f> pf;
    std::vector<cv::Point2f> pt;
    for (std::size_t i = 0; i < 4; ++i) {
        pf.emplace_back(found[i]);
        pt.emplace_back(truth[i]);
    }
    const auto w = static_cast<float>(frame.width) - 0.5f;
    const auto h = static_cast<float>(frame.height) - 0.5f;
    const std::vector<cv::Point2f> box{{-0.5f, -0.5f}, {w, -0.5f}, {w, h}, {-0.5f, h}};
    std::vector<cv::Point2f> visible;
    cv::intersectConvexConvex(pt, box, visible, true);
    std::vector<cv::Point2f> overlap;
    const auto inter = static_cast<double>(cv::intersectConvexConvex(pf, visible, overlap, true));
    const double uni = cv::contourArea(pf) + cv::contourArea(visible) - inter;
    return uni > 0 ? inter / uni : 0.0;
}

// Largest corner distance, as a fraction of the true page's diagonal.
inline double corner_error(const Corners& found, const Corners& truth)
{
    const double diagonal = std::max(cv::norm(truth[2] - truth[0]), cv::norm(truth[3] - truth[1]));
    double worst = 0;
    for (std::size_t i = 0; i < 4; ++i) worst = std::max(worst, cv::norm(found[i] - truth[i]));
    return worst / diagonal;
}

// Angle of the top and bottom sides, in degrees.
inline double skew_of(const Corners& q)
{
    const cv::Point2d top = q[1] - q[0];
    const cv::Point2d bottom = q[2] - q[3];
    return std::atan2(top.y + bottom.y, top.x + bottom.x) * 180 / CV_PI;
}

inline double percentile(std::vector<double> values, double fraction)
{
    if (values.empty()) return std::nan("");
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
    return values[std::min(rank == 0 ? 0 : rank - 1, values.size() - 1)];
}

}  // namespace digikit::imaging::testing
