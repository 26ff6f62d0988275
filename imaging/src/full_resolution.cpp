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

// Luminance across one side at evenly spaced places along it: per place, the mean of five
// samples along the side at each offset -reach-1..reach+1 along `outward`.
struct Profile {
    cv::Point2d centre;
    std::vector<double> values;
};

std::vector<Profile> side_profiles(const cv::Mat& full, cv::Point2d a, cv::Point2d b, cv::Point2d outward, int reach)
{
    const int samples = tuning.refine_samples;
    const cv::Point2d along = (b - a) / std::max(norm(b - a), 1e-9);
    std::vector<Profile> profiles;
    for (int s = 0; s < samples; ++s) {
        const double t = 0.06 + 0.88 * s / (samples - 1);
        Profile profile{a + t * (b - a), {}};
        bool inside = true;
        for (int o = -reach - 1; o <= reach + 1 && inside; ++o) {
            double sum = 0;
            for (int k = -2; k <= 2; ++k) {
                const auto v = luminance_at(full, profile.centre + o * outward + 2.0 * k * along);
                if (!v) {
                    inside = false;
                    break;
                }
                sum += *v;
            }
            profile.values.push_back(sum / 5);
        }
        if (inside) profiles.push_back(std::move(profile));
    }
    return profiles;
}

// The sub-pixel place of the peak or trough of `v` at index `best` (the vertex of a
// parabola through it and its neighbours), as an offset along the profile's normal.
double peak_offset(const std::vector<double>& v, std::size_t best, int first_offset)
{
    const double denominator = v[best - 1] - 2 * v[best] + v[best + 1];
    const double shift = std::abs(denominator) > 1e-9 ? 0.5 * (v[best - 1] - v[best + 1]) / denominator : 0.0;
    return static_cast<double>(best) + first_offset + std::clamp(shift, -0.5, 0.5);
}

// Where the strongest edge crosses each place of one side.
std::vector<cv::Point2d> edge_points(const cv::Mat& full, cv::Point2d a, cv::Point2d b, cv::Point2d outward, int reach)
{
    std::vector<std::vector<double>> gradients;
    double sign_sum = 0;
    const auto profiles = side_profiles(full, a, b, outward, reach);
    for (const auto& profile : profiles) {
        const auto& v = profile.values;
        std::vector<double> g;
        for (std::size_t i = 1; i + 1 < v.size(); ++i) g.push_back(v[i + 1] - v[i - 1]);
        sign_sum += std::accumulate(g.begin(), g.end(), 0.0);
        gradients.push_back(std::move(g));
    }
    // The paper is brighter than the background on most photos, but not on all.
    const double sign = sign_sum <= 0 ? -1.0 : 1.0;
    std::vector<cv::Point2d> points;
    for (std::size_t p = 0; p < profiles.size(); ++p) {
        auto& g = gradients[p];
        for (double& x : g) x *= sign;
        const auto best = static_cast<std::size_t>(std::max_element(g.begin(), g.end()) - g.begin());
        if (g[best] < tuning.min_refine_gradient || best == 0 || best + 1 == g.size()) continue;
        points.push_back(profiles[p].centre + peak_offset(g, best, -reach) * outward);
    }
    return points;
}

// Where the darkest line crosses each place of a side on the fold: a clear valley (darker
// than the paper on both sides of it within the reach), not at the reach's end.
std::vector<cv::Point2d> fold_points(const cv::Mat& full, cv::Point2d a, cv::Point2d b, cv::Point2d outward, int reach)
{
    std::vector<cv::Point2d> points;
    for (const auto& profile : side_profiles(full, a, b, outward, reach)) {
        const auto& v = profile.values;
        const auto darkest = std::min_element(v.begin(), v.end());
        if (darkest == v.begin() || darkest + 1 == v.end()) continue;
        const double paper = std::min(*std::max_element(v.begin(), darkest), *std::max_element(darkest + 1, v.end()));
        if (paper - *darkest < tuning.min_fold_valley) continue;
        const auto best = static_cast<std::size_t>(darkest - v.begin());
        points.push_back(profile.centre + peak_offset(v, best, -reach - 1) * outward);
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

Quad refine_quad(const cv::Mat& full_bgr, const FoundPage& page, double scale)
{
    const int reach = static_cast<int>(std::ceil(std::max(tuning.min_refine_radius, tuning.refine_reach * scale)));
    // Where the full photo is hardly finer than the reduced one, the fold's line traced along
    // the whole page there is as precise, and steadier than a line fitted to the darkest
    // points within a few pixels (a faint fold in JPEG noise: fresh seed 90014 at 960x640).
    const bool refine_folds = scale >= tuning.min_fold_refine_scale;
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    std::array<Line, 4> lines;
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = q[i];
        const cv::Point2d b = q[(i + 1) % 4];
        lines[i] = line_through(a, b);
        const bool on_fold = refine_folds && page.on_fold[i];
        if (!(page.edge_visible[i] || on_fold) || page.bent[i]) continue;
        cv::Point2d outward(lines[i].direction.y, -lines[i].direction.x);
        if (outward.dot((a + b) / 2 - middle) < 0) outward = -outward;
        const auto points =
            on_fold ? fold_points(full_bgr, a, b, outward, reach) : edge_points(full_bgr, a, b, outward, reach);
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
