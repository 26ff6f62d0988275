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
    // The median difference along the side, `d` pixels in.
    const auto level_at = [&](int d) {
        std::vector<double> values;
        for (int k = 0; k < tuning.evidence_samples; ++k) {
            const cv::Point2d p = a + (0.05 + 0.9 * k / (tuning.evidence_samples - 1)) * (b - a);
            values.push_back(grey_at(difference, p + d * inward));
        }
        return median(std::move(values));
    };
    int band = 0;
    std::optional<DetachedBand> found;
    // Past a band found within the reach, the paper may start up to as far again.
    for (int d = tuning.detached_skip; d <= (found ? 2 * reach : reach); ++d) {
        const bool background = level_at(d) < background_level;
        if (found && !background) {
            // At its edge: a page whose light falls off across it rises slowly from a
            // part as dark as the background, and where it rises is no edge of it.
            const int edge = tuning.detached_edge_width;
            if (level_at(d + edge) - level_at(d - edge) < tuning.detached_edge_share * paper) return DetachedBand{};
            return DetachedBand{d};
        }
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

namespace {

cv::Point2d towards(cv::Point2d from, cv::Point2d to)
{
    return (to - from) / std::max(norm(to - from), 1e-9);
}

// The side of the square patch inside a corner of `quad` that fold_corner_off_paper judges.
int corner_patch(const Quad& quad)
{
    const double mean_side =
        (side_length(quad, 0) + side_length(quad, 1) + side_length(quad, 2) + side_length(quad, 3)) / 4;
    return std::max(2, static_cast<int>(tuning.fold_corner_share * mean_side));
}

// Whether more than tuning.fold_corner_background of the patch inside `corner` of `quad`
// is below `background_level` in `difference`.
bool corner_off_paper(const cv::Mat& difference, double background_level, const Quad& quad, std::size_t corner)
{
    const int patch = corner_patch(quad);
    const cv::Point2d at = quad[corner];
    const cv::Point2d next = towards(at, quad[(corner + 1) % 4]);
    const cv::Point2d previous = towards(at, quad[(corner + 3) % 4]);
    int background = 0;
    for (int u = 1; u <= patch; ++u) {
        for (int v = 1; v <= patch; ++v) {
            background += grey_at(difference, at + u * next + v * previous) < background_level ? 1 : 0;
        }
    }
    return background > tuning.fold_corner_background * patch * patch;
}

// The paper's difference from the background's level, when paper and background differ
// enough for a fold corner to be judged (a shadow can pass for the background).
std::optional<double> fold_corner_background_level(const cv::Mat& grey, const cv::Mat& difference, const Quad& quad)
{
    const double paper = paper_difference(grey, difference, quad);
    if (paper < tuning.fold_corner_min_contrast) return std::nullopt;
    return tuning.background_share_of_paper * paper;
}

}  // namespace

bool fold_corner_off_paper(const cv::Mat& grey, const cv::Mat& difference, const Quad& quad, std::size_t side)
{
    const auto level = fold_corner_background_level(grey, difference, quad);
    return level && (corner_off_paper(difference, *level, quad, side) ||
                     corner_off_paper(difference, *level, quad, (side + 1) % 4));
}

FoundPage fold_corners_onto_paper(const cv::Mat& grey, const cv::Mat& difference, const FoundPage& page)
{
    const auto level = fold_corner_background_level(grey, difference, page.quad);
    if (!level) return page;
    FoundPage moved = page;
    const cv::Point2d middle = centroid(page.quad);
    for (std::size_t side = 0; side < 4; ++side) {
        if (!page.on_fold[side]) continue;
        const cv::Point2d inward = inward_normal(page.quad[side], page.quad[(side + 1) % 4], middle);
        for (const std::size_t corner : {side, (side + 1) % 4}) {
            const cv::Point2d from = page.quad[corner];
            const cv::Point2d to = page.quad[corner == side ? (side + 1) % 4 : side];
            const cv::Point2d along = towards(from, to);
            // Paper on both sides of the fold (a ribbon or a thread down the gutter, on one
            // side of it, differs from the background too).
            const auto on_paper = [&](int t) {
                std::vector<double> inside;
                std::vector<double> outside;
                for (int k = 2; k <= 6; ++k) {
                    inside.push_back(grey_at(difference, from + t * along + k * inward));
                    outside.push_back(grey_at(difference, from + t * along - k * inward));
                }
                return std::min(median(std::move(inside)), median(std::move(outside))) >= *level;
            };
            if (on_paper(0)) continue;
            // The notch: the first place down the fold where the paper lies just beside it.
            const int reach = static_cast<int>(tuning.fold_corner_reach * norm(to - from));
            for (int t = 1; t <= reach; ++t) {
                if (on_paper(t)) {
                    moved.quad[corner] = from + t * along;
                    break;
                }
            }
        }
    }
    return moved;
}

}  // namespace digikit::imaging
