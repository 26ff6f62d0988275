#include "quad_geometry.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace digikit::imaging {

double norm(cv::Point2d v)
{
    return std::hypot(v.x, v.y);
}

Line line_through(cv::Point2d a, cv::Point2d b)
{
    const cv::Point2d d = b - a;
    return {a, d / std::max(norm(d), 1e-9)};
}

cv::Point2d inward_normal(cv::Point2d a, cv::Point2d b, cv::Point2d towards)
{
    const cv::Point2d along = line_through(a, b).direction;
    const cv::Point2d normal(along.y, -along.x);
    return normal.dot(towards - (a + b) / 2) < 0 ? -normal : normal;
}

std::optional<cv::Point2d> intersect(const Line& a, const Line& b)
{
    const double cross = a.direction.x * b.direction.y - a.direction.y * b.direction.x;
    if (std::abs(cross) < 1e-9) return std::nullopt;
    const cv::Point2d w = b.point - a.point;
    const double t = (w.x * b.direction.y - w.y * b.direction.x) / cross;
    return a.point + t * a.direction;
}

double distance_to(const Line& line, cv::Point2d p)
{
    const cv::Point2d w = p - line.point;
    return std::abs(w.x * line.direction.y - w.y * line.direction.x);
}

std::optional<Line> fit_line(std::vector<cv::Point2d> points, double outlier)
{
    for (int round = 0; round < 3; ++round) {
        if (points.size() < 4) return std::nullopt;
        cv::Vec4d fit;
        cv::fitLine(points, fit, cv::DIST_HUBER, 0, 0.01, 0.01);
        const Line line{{fit[2], fit[3]}, {fit[0], fit[1]}};
        std::vector<cv::Point2d> kept;
        for (const auto& p : points) {
            if (distance_to(line, p) <= outlier) kept.push_back(p);
        }
        if (kept.size() == points.size() || kept.size() < 4) return line;
        points = std::move(kept);
    }
    cv::Vec4d fit;
    cv::fitLine(points, fit, cv::DIST_L2, 0, 0.01, 0.01);
    return Line{{fit[2], fit[3]}, {fit[0], fit[1]}};
}

cv::Point2d centroid(const Quad& q)
{
    return (q[0] + q[1] + q[2] + q[3]) / 4.0;
}

Quad order_corners(std::array<cv::Point2d, 4> corners)
{
    Quad q;
    std::copy(corners.begin(), corners.end(), q.begin());
    const cv::Point2d c = centroid(q);
    std::sort(q.begin(), q.end(), [&](cv::Point2d a, cv::Point2d b) {
        return std::atan2(a.y - c.y, a.x - c.x) < std::atan2(b.y - c.y, b.x - c.x);
    });
    std::size_t top = 0;
    double best = 1e18;
    for (std::size_t i = 0; i < 4; ++i) {
        const double mid_y = (q[i].y + q[(i + 1) % 4].y) / 2;
        if (mid_y < best) {
            best = mid_y;
            top = i;
        }
    }
    std::rotate(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(top), q.end());
    return q;
}

double signed_area(const std::vector<cv::Point2d>& corners)
{
    double sum = 0;
    for (std::size_t i = 0; i < corners.size(); ++i) {
        const cv::Point2d& a = corners[i];
        const cv::Point2d& b = corners[(i + 1) % corners.size()];
        sum += a.x * b.y - b.x * a.y;
    }
    return sum / 2;
}

std::vector<cv::Point2d> convex_intersection(std::vector<cv::Point2d> subject, std::vector<cv::Point2d> clip)
{
    if (signed_area(clip) < 0) std::reverse(clip.begin(), clip.end());
    for (std::size_t j = 0; j < clip.size() && !subject.empty(); ++j) {
        const cv::Point2d a = clip[j];
        const cv::Point2d edge = clip[(j + 1) % clip.size()] - a;
        const auto side = [&](cv::Point2d p) { return edge.x * (p.y - a.y) - edge.y * (p.x - a.x); };
        std::vector<cv::Point2d> kept;
        for (std::size_t i = 0; i < subject.size(); ++i) {
            const cv::Point2d p = subject[i];
            const cv::Point2d q = subject[(i + 1) % subject.size()];
            const double sp = side(p);
            const double sq = side(q);
            if (sp >= 0) kept.push_back(p);
            if ((sp >= 0) != (sq >= 0)) kept.push_back(p + (q - p) * (sp / (sp - sq)));
        }
        // A corner on the clipping line comes out twice.
        const auto same = [](cv::Point2d p, cv::Point2d q) { return norm(p - q) < 1e-6; };
        kept.erase(std::unique(kept.begin(), kept.end(), same), kept.end());
        if (kept.size() > 1 && same(kept.front(), kept.back())) kept.pop_back();
        subject = std::move(kept);
    }
    return subject;
}

double overlap_ratio(const std::vector<cv::Point2d>& a, const std::vector<cv::Point2d>& b)
{
    const double inter = std::abs(signed_area(convex_intersection(a, b)));
    const double uni = std::abs(signed_area(a)) + std::abs(signed_area(b)) - inter;
    return uni > 0 ? inter / uni : 0.0;
}

Polygon one_corner_fewer(const Polygon& polygon, const std::vector<cv::Point2d>& target, double reach)
{
    const std::size_t n = polygon.corners.size();
    Polygon best;
    double best_overlap = -1;
    const auto consider = [&](Polygon candidate) {
        const double overlap = overlap_ratio(candidate.corners, target);
        if (overlap > best_overlap) {
            best_overlap = overlap;
            best = std::move(candidate);
        }
    };
    for (std::size_t k = 0; k < n; ++k) {
        Polygon cut = polygon;
        const auto at = static_cast<std::ptrdiff_t>(k);
        cut.corners.erase(cut.corners.begin() + at);
        cut.visible.erase(cut.visible.begin() + at);
        cut.visible[(k + n - 2) % (n - 1)] = false;
        consider(std::move(cut));

        const auto& c = polygon.corners;
        const Line before = line_through(c[(k + n - 1) % n], c[k]);
        const Line after = line_through(c[(k + 1) % n], c[(k + 2) % n]);
        const auto meet = intersect(before, after);
        // Nearly parallel neighbours meet far away: no near shape there.
        if (!meet || norm(*meet - c[k]) > reach) continue;
        Polygon extended;
        for (std::size_t j = 0; j < n; ++j) {
            if (j == (k + 1) % n) continue;
            extended.corners.push_back(j == k ? *meet : c[j]);
            extended.visible.push_back(j == k ? polygon.visible[(k + 1) % n] : polygon.visible[j]);
        }
        const std::vector<cv::Point2f> check(extended.corners.begin(), extended.corners.end());
        if (cv::isContourConvex(check)) consider(std::move(extended));
    }
    return best;
}

}  // namespace digikit::imaging
