#include "page_finder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// Luminance at a sub-pixel position (bilinear), or nullopt outside the image.
std::optional<double> luminance_at(const cv::Mat& bgr, cv::Point2d p)
{
    const int x0 = static_cast<int>(std::floor(p.x));
    const int y0 = static_cast<int>(std::floor(p.y));
    if (x0 < 0 || y0 < 0 || x0 + 1 >= bgr.cols || y0 + 1 >= bgr.rows) return std::nullopt;
    const double fx = p.x - x0;
    const double fy = p.y - y0;
    auto grey = [&](int x, int y) {
        const auto& v = bgr.at<cv::Vec3b>(y, x);
        return 0.114 * v[0] + 0.587 * v[1] + 0.299 * v[2];
    };
    const double top = grey(x0, y0) * (1 - fx) + grey(x0 + 1, y0) * fx;
    const double bottom = grey(x0, y0 + 1) * (1 - fx) + grey(x0 + 1, y0 + 1) * fx;
    return top * (1 - fy) + bottom * fy;
}

// Offsets (along the outward normal) of the strongest edge at each sample of one side.
std::vector<cv::Point2d> edge_points(const cv::Mat& full, cv::Point2d a, cv::Point2d b, cv::Point2d outward,
                                     double radius)
{
    const int samples = tuning.refine_samples;
    const int reach = static_cast<int>(std::ceil(radius));
    const cv::Point2d along = (b - a) / std::max(norm(b - a), 1e-9);
    struct Profile {
        cv::Point2d centre;
        std::vector<double> gradient;
    };
    std::vector<Profile> profiles;
    double sign_sum = 0;
    for (int s = 0; s < samples; ++s) {
        const double t = 0.06 + 0.88 * s / (samples - 1);
        const cv::Point2d centre = a + t * (b - a);
        std::vector<double> values;
        bool inside = true;
        for (int o = -reach - 1; o <= reach + 1 && inside; ++o) {
            double sum = 0;
            for (int k = -2; k <= 2; ++k) {
                const auto v = luminance_at(full, centre + o * outward + 2.0 * k * along);
                if (!v) {
                    inside = false;
                    break;
                }
                sum += *v;
            }
            values.push_back(sum / 5);
        }
        if (!inside) continue;
        Profile profile{centre, {}};
        for (std::size_t i = 1; i + 1 < values.size(); ++i) profile.gradient.push_back(values[i + 1] - values[i - 1]);
        sign_sum += std::accumulate(profile.gradient.begin(), profile.gradient.end(), 0.0);
        profiles.push_back(std::move(profile));
    }
    // The paper is brighter than the background on most photos, but not on all.
    const double sign = sign_sum <= 0 ? -1.0 : 1.0;
    std::vector<cv::Point2d> points;
    for (const auto& profile : profiles) {
        const auto& g = profile.gradient;
        std::size_t best = 0;
        for (std::size_t i = 1; i < g.size(); ++i) {
            if (sign * g[i] > sign * g[best]) best = i;
        }
        if (sign * g[best] < tuning.min_refine_gradient || best == 0 || best + 1 == g.size()) continue;
        const double left = sign * g[best - 1];
        const double mid = sign * g[best];
        const double right = sign * g[best + 1];
        const double denominator = left - 2 * mid + right;
        const double shift = std::abs(denominator) > 1e-9 ? 0.5 * (left - right) / denominator : 0.0;
        const double offset = static_cast<double>(best) - reach + std::clamp(shift, -0.5, 0.5);
        points.push_back(profile.centre + offset * outward);
    }
    return points;
}

}  // namespace

PageLayout scale_layout(const PageLayout& layout, double scale)
{
    PageLayout scaled = layout;
    for (auto& page : scaled.pages) {
        for (auto& corner : page.quad) corner = (corner + cv::Point2d(0.5, 0.5)) * scale - cv::Point2d(0.5, 0.5);
    }
    return scaled;
}

Quad refine_quad(const cv::Mat& full_bgr, const FoundPage& page, double search_radius)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    std::array<Line, 4> lines;
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = q[i];
        const cv::Point2d b = q[(i + 1) % 4];
        lines[i] = line_through(a, b);
        if (!page.edge_visible[i] || page.bent[i]) continue;
        cv::Point2d outward(lines[i].direction.y, -lines[i].direction.x);
        if (outward.dot((a + b) / 2 - middle) < 0) outward = -outward;
        const auto points = edge_points(full_bgr, a, b, outward, search_radius);
        if (points.size() < static_cast<std::size_t>(tuning.min_refine_points)) continue;
        if (const auto line = fit_line(points, tuning.fit_outlier)) lines[i] = *line;
    }
    Quad refined = q;
    for (std::size_t i = 0; i < 4; ++i) {
        if (const auto corner = intersect(lines[(i + 3) % 4], lines[i])) refined[i] = *corner;
    }
    return refined;
}

cv::Size page_size(const Quad& q)
{
    const double width = (side_length(q, 0) + side_length(q, 2)) / 2;
    const double height = (side_length(q, 1) + side_length(q, 3)) / 2;
    return {std::max(1, static_cast<int>(std::lround(width))), std::max(1, static_cast<int>(std::lround(height)))};
}

}  // namespace digikit::imaging
