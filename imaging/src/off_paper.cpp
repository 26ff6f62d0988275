#include "off_paper.hpp"

#include <algorithm>
#include <vector>

#include "finder_tuning.hpp"
#include "order_statistics.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {

double paper_difference(const cv::Mat& grey, const cv::Mat& difference, const Quad& quad)
{
    const double paper = paper_level_in(grey, quad);
    std::vector<double> values;
    for (const cv::Point2d& p : grid_over(quad)) {
        if (grey_at(grey, p) >= paper - tuning.min_band_rise) values.push_back(grey_at(difference, p));
    }
    return median(std::move(values));
}

std::optional<DetachedBand> detached_band(const cv::Mat& difference, double paper, const Quad& quad, std::size_t i)
{
    if (paper < tuning.detached_min_contrast) return std::nullopt;  // paper and background too alike to tell
    const double background_level = tuning.background_share_of_paper * paper;
    const cv::Point2d a = quad[i];
    const cv::Point2d b = quad[(i + 1) % 4];
    const cv::Point2d inward = inward_normal(a, b, centroid(quad));
    const double across = (side_length(quad, (i + 1) % 4) + side_length(quad, (i + 3) % 4)) / 2;
    const int reach = static_cast<int>(tuning.pull_reach * (across + side_length(quad, i)));
    int band = 0;
    std::optional<DetachedBand> found;
    // Past a band found within the reach, the paper may start up to as far again.
    for (int d = tuning.detached_skip; d <= (found ? 2 * reach : reach); ++d) {
        std::vector<double> values;
        for (int k = 0; k < tuning.evidence_samples; ++k) {
            const cv::Point2d p = a + (0.05 + 0.9 * k / (tuning.evidence_samples - 1)) * (b - a);
            values.push_back(grey_at(difference, p + d * inward));
        }
        const bool background = median(std::move(values)) < background_level;
        if (found && !background) return DetachedBand{d};
        band = background ? band + 1 : 0;
        if (band > tuning.detached_share * across) found = DetachedBand{};
    }
    return found;
}

FoundPage pull_detached_sides(const cv::Mat& grey, const cv::Mat& difference, const FoundPage& page,
                              std::array<bool, 4> keep)
{
    const double paper = paper_difference(grey, difference, page.quad);
    std::array<Line, 4> lines;
    bool moved = false;
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = page.quad[i];
        const cv::Point2d b = page.quad[(i + 1) % 4];
        lines[i] = line_through(a, b);
        if (keep[i] || !page.edge_visible[i]) continue;
        const auto band = detached_band(difference, paper, page.quad, i);
        if (!band || !band->paper_from) continue;
        lines[i].point += *band->paper_from * inward_normal(a, b, centroid(page.quad));
        moved = true;
    }
    if (!moved) return page;
    FoundPage pulled = page;
    for (std::size_t i = 0; i < 4; ++i) {
        if (const auto corner = intersect(lines[(i + 3) % 4], lines[i])) pulled.quad[i] = *corner;
    }
    return pulled;
}

bool fold_corner_off_paper(const cv::Mat& grey, const cv::Mat& difference, const Quad& quad, std::size_t side)
{
    const double paper = paper_difference(grey, difference, quad);
    if (paper < tuning.fold_corner_min_contrast) return false;  // a shadow can pass for the background
    const double background_level = tuning.background_share_of_paper * paper;
    const double mean_side =
        (side_length(quad, 0) + side_length(quad, 1) + side_length(quad, 2) + side_length(quad, 3)) / 4;
    const int patch = std::max(2, static_cast<int>(tuning.fold_corner_share * mean_side));
    const auto towards = [](cv::Point2d from, cv::Point2d to) { return (to - from) / std::max(norm(to - from), 1e-9); };
    for (const std::size_t corner : {side, (side + 1) % 4}) {
        const cv::Point2d at = quad[corner];
        const cv::Point2d next = towards(at, quad[(corner + 1) % 4]);
        const cv::Point2d previous = towards(at, quad[(corner + 3) % 4]);
        int background = 0;
        for (int u = 1; u <= patch; ++u) {
            for (int v = 1; v <= patch; ++v) {
                background += grey_at(difference, at + u * next + v * previous) < background_level ? 1 : 0;
            }
        }
        if (background > tuning.fold_corner_background * patch * patch) return true;
    }
    return false;
}

}  // namespace digikit::imaging
