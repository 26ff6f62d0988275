#include "gutter_fold.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "order_statistics.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// Per column, the level of the paper: a high percentile of the grey values, so that
// text (dark, but with paper between its lines) does not count and shadows do.
std::vector<double> column_paper_level(const cv::Mat& grey, double percentile = 0.8)
{
    cv::Mat columns = grey.t();
    std::vector<double> level(static_cast<std::size_t>(columns.rows));
    std::vector<uchar> values;
    for (int x = 0; x < columns.rows; ++x) {
        values.assign(columns.ptr<uchar>(x), columns.ptr<uchar>(x) + columns.cols);
        const auto rank = values.begin() + static_cast<std::ptrdiff_t>(static_cast<double>(values.size()) * percentile);
        std::nth_element(values.begin(), rank, values.end());
        level[static_cast<std::size_t>(x)] = *rank;
    }
    std::vector<double> smooth(level.size());
    for (std::size_t x = 0; x < level.size(); ++x) {
        const std::size_t from = x < 2 ? 0 : x - 2;
        const std::size_t to = std::min(level.size(), x + 3);
        double sum = 0;
        for (std::size_t k = from; k < to; ++k) sum += level[k];
        smooth[x] = sum / static_cast<double>(to - from);
    }
    return smooth;
}

// How much darker the paper is at column `darkest` than the pages: than most of their
// paper, or than the paper right beside it on both sides (a narrow gutter shadow on a
// spread whose light falls off from one side to the other).
double gutter_depth(const std::vector<double>& level, int darkest)
{
    const auto width = static_cast<std::ptrdiff_t>(level.size());
    const double pages = median(std::vector<double>(level.begin() + width / 10, level.end() - width / 10));
    const auto beside = width / 10;
    const auto at = level.begin() + darkest;
    const double left = *std::max_element(std::max(level.begin(), at - beside), at + 1);
    const double right = *std::max_element(at, std::min(level.end(), at + beside + 1));
    return std::max(pages, std::min(left, right)) - *at;
}

// Per column of a straightened page, how much darker its paper level is than the paper
// on both sides of it (within tuning.fold_beside of the width): 0 where it is not darker.
std::vector<double> fold_depths(const cv::Mat& rows)
{
    const auto level = column_paper_level(rows, tuning.fold_percentile);
    const int width = static_cast<int>(level.size());
    const int beside = std::max(3, static_cast<int>(width * tuning.fold_beside));
    const auto at = [&](int x) { return level[static_cast<std::size_t>(x)]; };
    std::vector<double> depths(level.size(), 0.0);
    for (int x = beside; x + 1 < width; ++x) {
        double inner = 0;
        for (int k = x - beside; k < x; ++k) inner = std::max(inner, at(k));
        double outer = 0;
        for (int k = x + 1; k < std::min(width, x + beside + 1); ++k) outer = std::max(outer, at(k));
        depths[static_cast<std::size_t>(x)] = std::max(0.0, std::min(inner, outer) - at(x));
    }
    return depths;
}

// The fold depths of a straightened page's two ends (its first and last few rows, past
// the margins of print).
using EndDepths = std::array<std::vector<double>, 2>;
EndDepths end_depths(const cv::Mat& straight)
{
    const int height = straight.rows;
    return {fold_depths(straight.rowRange(height / 50, height / 10)),
            fold_depths(straight.rowRange(height * 9 / 10, height * 49 / 50))};
}

// Whether the dark line at column `x` reaches both ends of the page (within
// tuning.fold_end_slant columns): a fold or a gutter runs from one edge of the paper to
// the other, a rule or a band of print stops at the margins.
bool reaches_end(const std::vector<double>& end, int x, int slant)
{
    const auto first = end.begin() + std::clamp(x - slant, 0, static_cast<int>(end.size()) - 1);
    const auto last = end.begin() + std::clamp(x + slant + 1, 1, static_cast<int>(end.size()));
    return *std::max_element(first, last) >= tuning.min_fold_depth * tuning.fold_end_share;
}

bool reaches_both_ends(const EndDepths& ends, int x, int slant = tuning.fold_end_slant)
{
    return reaches_end(ends[0], x, slant) && reaches_end(ends[1], x, slant);
}

// Whether a line down a straightened image (of `height` rows) is dark where it crosses
// both ends (within `slant` columns).
bool line_reaches_both_ends(const EndDepths& ends, const Line& line, int height, int slant)
{
    const auto x_at = [&](double y) {
        return static_cast<int>(line.point.x + (y - line.point.y) * line.direction.x / line.direction.y);
    };
    return reaches_end(ends[0], x_at(0.06 * height), slant) && reaches_end(ends[1], x_at(0.94 * height), slant);
}

// A line running down a straightened image (of `size`) as a line in the photo
// (`to_straight` maps the photo to the image).
Line in_photo(const Line& line, cv::Size size, const cv::Mat& to_straight)
{
    const auto x_at = [&](double y) { return line.point.x + (y - line.point.y) * line.direction.x / line.direction.y; };
    const std::vector<cv::Point2d> ends{{x_at(0), 0.0}, {x_at(size.height), static_cast<double>(size.height)}};
    std::vector<cv::Point2d> mapped;
    cv::perspectiveTransform(ends, mapped, to_straight.inv());
    return line_through(mapped[0], mapped[1]);
}

// The dark line near column `x` (within `reach`) of a straightened image followed band by
// band down it (it may slant).
Line traced_in_straight(const cv::Mat& straight_grey, int x, int reach)
{
    const cv::Size size = straight_grey.size();
    constexpr int bands = 10;
    std::vector<cv::Point2d> track;
    for (int b = 0; b < bands; ++b) {
        const int y0 = size.height * (b + 1) / (bands + 2);
        const int y1 = size.height * (b + 2) / (bands + 2);
        const auto band = column_paper_level(straight_grey.rowRange(y0, y1));
        int best = x;
        for (int k = std::max(0, x - reach); k < std::min(size.width, x + reach); ++k) {
            if (band[static_cast<std::size_t>(k)] < band[static_cast<std::size_t>(best)]) best = k;
        }
        track.emplace_back(best + 0.5, (y0 + y1) / 2.0);
    }
    if (const auto line = fit_line(track, 3.0); line && std::abs(line->direction.y) > 0.9) return *line;
    return Line{{x + 0.5, 0.0}, {0.0, 1.0}};
}

// The same as a line in the photo (`to_straight` maps the photo to the image).
Line traced_line(const cv::Mat& straight_grey, int x, const cv::Mat& to_straight, int reach)
{
    return in_photo(traced_in_straight(straight_grey, x, reach), straight_grey.size(), to_straight);
}

// The quad turned so that `side` is its right side, straightened; and the map from the
// photo to the straightened image.
std::pair<cv::Mat, cv::Mat> straightened(const cv::Mat& grey, const Quad& quad, std::size_t side)
{
    Quad turned;
    for (std::size_t k = 0; k < 4; ++k) turned[k] = quad[(k + side + 3) % 4];
    const cv::Size size(600, 400);
    cv::Mat to_straight = homography_to_rectangle(turned, size);
    cv::Mat straight;
    cv::warpPerspective(grey, straight, to_straight, size, cv::INTER_AREA, cv::BORDER_REPLICATE);
    return {straight, to_straight};
}

// Where a band's paper level steps down from the page (left of `from`) onto a facing
// page darker by at least tuning.min_fold_depth that fills the band's right end: where
// the page's paper ends (the column past the last one within tuning.step_start of the
// paper's level; the facing page turning away darkens gradually), and the step's height.
std::optional<std::pair<double, double>> step_down(const std::vector<double>& level, int from, int to)
{
    const auto width = static_cast<int>(level.size());
    const double paper = median(std::vector<double>(level.begin() + width / 4, level.begin() + from));
    const int facing_from = to - static_cast<int>(width * tuning.step_facing_share);
    const double facing = median(std::vector<double>(level.begin() + facing_from, level.begin() + to));
    if (paper - facing < tuning.min_fold_depth) return std::nullopt;
    const double end = paper - tuning.step_start;
    int last = to - 1;
    while (last >= from && level[static_cast<std::size_t>(last)] < end) --last;
    // The page's paper still within the facing page's part, or never down: no step there.
    if (last < from || last + 1 >= facing_from) return std::nullopt;
    const double above = level[static_cast<std::size_t>(last)];
    const double below = level[static_cast<std::size_t>(last) + 1];
    return std::pair{last + 0.5 + (above - end) / std::max(above - below, 1e-9), paper - facing};
}

}  // namespace

std::optional<Fold> find_step_fold(const cv::Mat& grey, const Quad& quad, std::size_t side, double max_share)
{
    const auto [straight, to_straight] = straightened(grey, quad, side);
    const cv::Size size = straight.size();
    const int from = std::max(size.width / 4 + 1, static_cast<int>(size.width * (1 - max_share)));
    const int to = size.width - tuning.fold_edge_margin;
    constexpr int bands = 10;
    std::vector<cv::Point2d> track;
    double depth = 0;
    for (int b = 0; b < bands; ++b) {
        const int y0 = size.height * (b + 1) / (bands + 2);
        const int y1 = size.height * (b + 2) / (bands + 2);
        const auto step = step_down(column_paper_level(straight.rowRange(y0, y1), tuning.fold_percentile), from, to);
        if (!step) continue;
        track.emplace_back(step->first, (y0 + y1) / 2.0);
        depth += step->second;
    }
    // Most bands step, on one line running down the page.
    const auto line = fit_line(track, tuning.step_fold_outlier);
    if (!line || std::abs(line->direction.y) < 0.9) return std::nullopt;
    const auto on_line = std::count_if(
        track.begin(), track.end(), [&](cv::Point2d p) { return distance_to(*line, p) <= tuning.step_fold_outlier; });
    if (on_line < tuning.min_step_bands) return std::nullopt;
    return Fold{in_photo(*line, size, to_straight), side, depth / static_cast<double>(track.size()), true};
}

std::optional<Fold> find_gutter(const cv::Mat& grey_photo, const Quad& spread, bool required)
{
    const cv::Size size(600, 400);
    const cv::Mat to_straight = homography_to_rectangle(spread, size);
    cv::Mat grey;
    cv::warpPerspective(grey_photo, grey, to_straight, size, cv::INTER_AREA, cv::BORDER_REPLICATE);
    const auto level = column_paper_level(grey.rowRange(size.height / 10, size.height * 9 / 10));
    const auto from = static_cast<int>(size.width * tuning.gutter_from);
    const auto to = static_cast<int>(size.width * tuning.gutter_to);
    const auto at = [&](int x) { return level[static_cast<std::size_t>(x)]; };
    // The darkest column between `from` and `to` that `accept`s (the first of equals).
    const auto darkest_column = [&](const auto& accept) {
        std::optional<int> darkest;
        for (int x = from; x < to; ++x) {
            if (accept(x) && (!darkest || at(x) < at(*darkest))) darkest = x;
        }
        return darkest;
    };
    // The darkest column whose dark line runs nearly straight down to both ends of the
    // spread: a rule of print beside the gutter can be darker, but stops at the margins.
    const EndDepths ends = end_depths(grey);
    const int straight = tuning.gutter_end_slant;
    if (const auto darkest = darkest_column([&](int x) { return reaches_both_ends(ends, x, straight); })) {
        if (const double depth = gutter_depth(level, *darkest); depth >= tuning.min_gutter_depth) {
            // Followed as far as a slanting gutter leads; but a line that went onto a rule
            // beside the gutter is no longer dark at the ends: then only near the column.
            Line line = traced_in_straight(grey, *darkest, size.width / 25);
            if (!line_reaches_both_ends(ends, line, size.height, straight)) {
                line = traced_in_straight(grey, *darkest, straight);
            }
            return Fold{in_photo(line, size, to_straight), 1, depth};
        }
    }
    // Else the darkest column, its line slanting more (a spread seen obliquely).
    const int darkest = darkest_column([](int) { return true; }).value_or(from);
    const double depth = gutter_depth(level, darkest);
    if (!required && (depth < tuning.min_gutter_depth || !reaches_both_ends(ends, darkest))) return std::nullopt;
    return Fold{traced_line(grey, darkest, to_straight, size.width / 25), 1, depth};
}

namespace {

// The clearest dark line along side `side` of `quad`, parallel to it in the straightened
// page, reaching both of its ends.
std::optional<Fold> fold_along(const cv::Mat& grey, const Quad& quad, std::size_t side, double max_share)
{
    const auto [straight, to_straight] = straightened(grey, quad, side);
    const cv::Size size = straight.size();
    // A line of print leaves paper between its words; a fold is dark all along.
    const auto middle = fold_depths(straight.rowRange(size.height / 10, size.height * 9 / 10));
    const auto ends = end_depths(straight);
    const int from = std::max(1, static_cast<int>(size.width * (1 - max_share)));
    const int to = size.width - tuning.fold_edge_margin;
    int best = -1;
    double best_depth = 0;
    for (int x = from; x < to; ++x) {
        const double depth = middle[static_cast<std::size_t>(x)];
        if (depth > best_depth && reaches_both_ends(ends, x)) {
            best_depth = depth;
            best = x;
        }
    }
    if (best < 0 || best_depth < tuning.min_fold_depth) return std::nullopt;
    return Fold{traced_line(straight, best, to_straight, size.width / 25), side, best_depth};
}

// `quad` with its side `side` turned parallel to the side facing it, through the side's
// middle.
std::optional<Quad> parallel_to_facing(const Quad& quad, std::size_t side)
{
    const cv::Point2d a = quad[side];
    const cv::Point2d b = quad[(side + 1) % 4];
    const Line facing = line_through(quad[(side + 2) % 4], quad[(side + 3) % 4]);
    // Already parallel (within a tenth of a degree): nothing else to search.
    if (std::abs(line_through(a, b).direction.cross(facing.direction)) < 0.002) return std::nullopt;
    const Line turned{(a + b) / 2, facing.direction};
    const auto first = intersect(line_through(quad[(side + 3) % 4], a), turned);
    const auto second = intersect(line_through(b, quad[(side + 2) % 4]), turned);
    if (!first || !second) return std::nullopt;
    Quad parallel = quad;
    parallel[side] = *first;
    parallel[(side + 1) % 4] = *second;
    return parallel;
}

}  // namespace

std::optional<Fold> find_fold(const cv::Mat& grey, const Quad& quad, std::size_t side, double max_share)
{
    auto fold = fold_along(grey, quad, side, max_share);
    // A page turned in the frame, whose side there is the frame's edge (or something else
    // straight beside the fold), has its fold parallel to its other long edge, the facing
    // side: the deeper of the two.
    if (const auto parallel = parallel_to_facing(quad, side)) {
        auto turned = fold_along(grey, *parallel, side, max_share);
        if (turned && (!fold || turned->depth > fold->depth)) fold = turned;
    }
    return fold;
}

bool lies_on_fold(const Quad& quad, std::size_t side, const Fold& fold)
{
    return distance_to(fold.line, quad[side]) <= tuning.fold_side_distance &&
           distance_to(fold.line, quad[(side + 1) % 4]) <= tuning.fold_side_distance;
}

FoundPage cut_at_fold(const FoundPage& page, const Fold& fold)
{
    const std::size_t i = fold.side;
    const Quad& q = page.quad;
    FoundPage cut = page;
    const Line before = line_through(q[(i + 3) % 4], q[i]);
    const Line after = line_through(q[(i + 1) % 4], q[(i + 2) % 4]);
    if (const auto corner = intersect(before, fold.line)) cut.quad[i] = *corner;
    if (const auto corner = intersect(after, fold.line)) cut.quad[(i + 1) % 4] = *corner;
    cut.edge_visible[i] = false;
    return cut;
}

std::vector<FoundPage> split_at_gutter(const FoundPage& spread, const Line& gutter,
                                       const std::vector<cv::Point>& contour, cv::Size frame,
                                       std::array<bool, 4> off_outline)
{
    const Quad& q = spread.quad;
    const auto cut = [&](std::size_t a, std::size_t b) {
        return intersect(line_through(q[a], q[b]), gutter).value_or((q[a] + q[b]) / 2);
    };
    const cv::Point2d top = cut(0, 1);
    const cv::Point2d bottom = cut(3, 2);
    std::vector<FoundPage> pages;
    for (const Quad& rough : {Quad{q[0], top, bottom, q[3]}, Quad{top, q[1], q[2], bottom}}) {
        const std::size_t inner = pages.empty() ? 1 : 3;
        std::array<bool, 4> keep = off_outline;
        keep[inner] = true;
        FoundPage page = fit_sides(rough, contour, frame, keep);
        for (std::size_t i = 0; i < 4; ++i) {
            if (i != inner && !spread.edge_visible[i]) page.edge_visible[i] = false;
        }
        page.edge_visible[inner] = false;
        pages.push_back(page);
    }
    return pages;
}

}  // namespace digikit::imaging
