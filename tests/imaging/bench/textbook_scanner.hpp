#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "../quad_metrics.hpp"

namespace digikit::imaging::testing {

// The textbook OpenCV document scanner, for comparison: Otsu, largest contour,
// approxPolyDP to four corners (no spread splitting).
inline std::optional<Corners> textbook_quad(const cv::Mat& bgr)
{
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(grey, grey, cv::Size(5, 5), 0);
    cv::threshold(grey, grey, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(grey, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    if (contours.empty()) return std::nullopt;
    const auto& largest = *std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
        return cv::contourArea(a) < cv::contourArea(b);
    });
    std::vector<cv::Point> polygon;
    cv::approxPolyDP(largest, polygon, 0.02 * cv::arcLength(largest, true), true);
    if (polygon.size() != 4) return std::nullopt;
    // Top-left has the smallest x+y, bottom-right the largest; top-right the smallest y-x.
    Corners q;
    auto pick = [&](auto key) {
        return cv::Point2d(
            *std::min_element(polygon.begin(), polygon.end(), [&](auto a, auto b) { return key(a) < key(b); }));
    };
    q[0] = pick([](cv::Point p) { return p.x + p.y; });
    q[1] = pick([](cv::Point p) { return p.y - p.x; });
    q[2] = pick([](cv::Point p) { return -(p.x + p.y); });
    q[3] = pick([](cv::Point p) { return p.x - p.y; });
    return q;
}

// The textbook scanner's page: the photo warped by its quad to the quad's size.
inline cv::Mat textbook_page(const cv::Mat& bgr, const Corners& q)
{
    const auto w = static_cast<float>(std::max(cv::norm(q[1] - q[0]), cv::norm(q[2] - q[3])));
    const auto h = static_cast<float>(std::max(cv::norm(q[3] - q[0]), cv::norm(q[2] - q[1])));
    const std::array<cv::Point2f, 4> from{cv::Point2f(q[0]), cv::Point2f(q[1]), cv::Point2f(q[2]), cv::Point2f(q[3])};
    const std::array<cv::Point2f, 4> to{cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
    cv::Mat page;
    cv::warpPerspective(bgr, page, cv::getPerspectiveTransform(from.data(), to.data()),
                        cv::Size(static_cast<int>(w), static_cast<int>(h)));
    return page;
}

}  // namespace digikit::imaging::testing
