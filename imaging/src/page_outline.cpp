#include "page_outline.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// The convex hull of an outline leaving out what sticks out of it narrowly (a finger, a
// clip, a bookmark would take a corner of the quad); nullopt when nothing does.
std::optional<std::vector<cv::Point>> hull_without_spurs(const std::vector<std::vector<cv::Point>>& blobs,
                                                         const std::vector<cv::Point>& whole, double area)
{
    // Opened at a quarter of the size: only rough corners are taken from it, and the
    // opening is quick there.
    constexpr int shrink = 4;
    const cv::Rect box = cv::boundingRect(whole);
    cv::Mat blob(box.height / shrink + 1, box.width / shrink + 1, CV_8U, cv::Scalar(0));
    std::vector<std::vector<cv::Point>> small(blobs.size());
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        for (const auto& p : blobs[i]) small[i].push_back((p - box.tl()) / shrink);
    }
    cv::drawContours(blob, small, -1, cv::Scalar(255), cv::FILLED);
    const int width = 2 * static_cast<int>(tuning.spur_width * std::sqrt(area) / shrink) + 1;
    cv::morphologyEx(blob, blob, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(width, width)));
    std::vector<cv::Point> kept;
    cv::findNonZero(blob, kept);
    if (kept.empty()) return std::nullopt;
    std::vector<cv::Point> trimmed;
    cv::convexHull(kept, trimmed);
    for (auto& p : trimmed) p = p * shrink + box.tl() + cv::Point(shrink / 2, shrink / 2);
    if (cv::contourArea(trimmed) > 0.99 * cv::contourArea(whole)) return std::nullopt;
    return trimmed;
}

}  // namespace

FoundPage clip_to_frame(const FoundPage& page, cv::Size frame)
{
    const double right = frame.width - 0.5;
    const double bottom = frame.height - 0.5;
    const auto inside = [&](cv::Point2d p) {
        return p.x >= -0.75 && p.y >= -0.75 && p.x <= right + 0.25 && p.y <= bottom + 0.25;
    };
    if (std::all_of(page.quad.begin(), page.quad.end(), inside)) return page;
    const std::vector<cv::Point2d> whole(page.quad.begin(), page.quad.end());
    const std::vector<cv::Point2d> box{{-0.5, -0.5}, {right, -0.5}, {right, bottom}, {-0.5, bottom}};
    const std::vector<cv::Point2d> target = convex_intersection(whole, box);
    if (target.size() < 4) return page;
    const double whole_overlap = overlap_ratio(whole, target);
    if (whole_overlap > 0.995) return page;  // a corner just over the edge: nothing nearer
    Polygon polygon{target, {}};
    for (std::size_t k = 0; k < target.size(); ++k) {
        const cv::Point2d a = target[k];
        const cv::Point2d b = target[(k + 1) % target.size()];
        polygon.visible.push_back(!frame_edge_along(a, b, frame).has_value());
    }
    const double reach = 0.5 * std::hypot(frame.width, frame.height);
    while (polygon.corners.size() > 4) polygon = one_corner_fewer(polygon, target, reach);
    if (overlap_ratio(polygon.corners, target) <= whole_overlap) return page;

    // Back to the finder's order: clockwise on screen, from the corner starting the top side.
    std::array<cv::Point2d, 4> corners;
    std::copy(polygon.corners.begin(), polygon.corners.end(), corners.begin());
    const Quad ordered = order_corners(corners);
    FoundPage clipped{ordered, {}};
    for (std::size_t i = 0; i < 4; ++i) {
        const auto from =
            std::find(polygon.corners.begin(), polygon.corners.end(), ordered[i]) - polygon.corners.begin();
        const auto to =
            std::find(polygon.corners.begin(), polygon.corners.end(), ordered[(i + 1) % 4]) - polygon.corners.begin();
        // The side from `from` to `to` is polygon side `from` when the order is the same, else side `to`.
        clipped.edge_visible[i] = polygon.visible[static_cast<std::size_t>((to - from + 4) % 4 == 1 ? from : to)];
    }
    return clipped;
}

std::optional<Outline> outline_of(const cv::Mat& mask, const cv::Mat& grey)
{
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    if (contours.empty()) return std::nullopt;
    std::vector<std::pair<double, std::size_t>> by_area;
    for (std::size_t i = 0; i < contours.size(); ++i) by_area.emplace_back(cv::contourArea(contours[i]), i);
    std::sort(by_area.begin(), by_area.end(), std::greater<>());
    const auto frame_area = static_cast<double>(mask.total());
    double area = by_area[0].first;
    if (area < tuning.min_blob_share * frame_area) return std::nullopt;
    std::vector<std::vector<cv::Point>> blobs{contours[by_area[0].second]};
    if (by_area.size() > 1 && by_area[1].first > tuning.second_blob_share * area) {
        blobs.push_back(contours[by_area[1].second]);
        area += by_area[1].first;
    }
    std::vector<cv::Point> points;
    for (const auto& b : blobs) points.insert(points.end(), b.begin(), b.end());
    std::vector<cv::Point> hull;
    cv::convexHull(points, hull);
    const auto rough = approximate_quad(hull);
    if (!rough) return std::nullopt;
    Outline outline{points, fit_sides(*rough, points, mask.size()), 0};
    // Without what sticks out, when that puts the sides on the photo's edges better.
    if (const auto trimmed = hull_without_spurs(blobs, hull, area)) {
        if (const auto other = approximate_quad(*trimmed)) {
            const FoundPage page = fit_sides(*other, points, mask.size());
            if (edge_support(grey, page) > edge_support(grey, outline.page) + 0.05) outline.page = page;
        }
    }
    std::vector<cv::Point2f> corners;
    for (const auto& c : outline.page.quad) corners.emplace_back(c);
    const double quad_area = cv::contourArea(corners);
    if (quad_area > tuning.max_frame_share * frame_area) return std::nullopt;  // the whole frame is no page
    outline.score = std::min(area, quad_area) / std::max(area, quad_area);
    return outline;
}

}  // namespace digikit::imaging
