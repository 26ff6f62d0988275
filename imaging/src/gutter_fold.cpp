#include "gutter_fold.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// Per column, the level of the paper: a high percentile of the grey values, so that
// text (dark, but with paper between its lines) does not count and shadows do.
std::vector<double> column_paper_level(const cv::Mat& grey)
{
    cv::Mat columns = grey.t();
    std::vector<double> level(static_cast<std::size_t>(columns.rows));
    std::vector<uchar> values;
    for (int x = 0; x < columns.rows; ++x) {
        values.assign(columns.ptr<uchar>(x), columns.ptr<uchar>(x) + columns.cols);
        const auto rank = values.begin() + static_cast<std::ptrdiff_t>(values.size() * 8 / 10);
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
    std::vector<double> pages(level.begin() + width / 10, level.end() - width / 10);
    const auto middle = pages.begin() + static_cast<std::ptrdiff_t>(pages.size() / 2);
    std::nth_element(pages.begin(), middle, pages.end());
    const auto beside = width / 10;
    const auto at = level.begin() + darkest;
    const double left = *std::max_element(std::max(level.begin(), at - beside), at + 1);
    const double right = *std::max_element(at, std::min(level.end(), at + beside + 1));
    return std::max(*middle, std::min(left, right)) - *at;
}

}  // namespace

std::optional<Line> find_gutter(const cv::Mat& bgr, const Quad& spread, bool required)
{
    const cv::Size size(600, 400);
    const cv::Mat to_straight = homography_to_rectangle(spread, size);
    cv::Mat straight;
    cv::warpPerspective(bgr, straight, to_straight, size, cv::INTER_AREA);
    cv::Mat grey;
    cv::cvtColor(straight, grey, cv::COLOR_BGR2GRAY);
    const auto level = column_paper_level(grey.rowRange(size.height / 10, size.height * 9 / 10));
    const auto from = static_cast<int>(size.width * tuning.gutter_from);
    const auto to = static_cast<int>(size.width * tuning.gutter_to);
    const auto at = [&](int x) { return level[static_cast<std::size_t>(x)]; };
    int darkest = from;
    for (int x = from; x < to; ++x) {
        if (at(x) < at(darkest)) darkest = x;
    }
    if (!required && gutter_depth(level, darkest) < tuning.min_gutter_depth) return std::nullopt;

    // Band by band, the darkest column near the overall one: the gutter may slant.
    constexpr int bands = 10;
    const int reach = size.width / 25;
    std::vector<cv::Point2d> track;
    for (int b = 0; b < bands; ++b) {
        const int y0 = size.height * (b + 1) / (bands + 2);
        const int y1 = size.height * (b + 2) / (bands + 2);
        const auto band = column_paper_level(grey.rowRange(y0, y1));
        int best = darkest;
        for (int x = std::max(0, darkest - reach); x < std::min(size.width, darkest + reach); ++x) {
            if (band[static_cast<std::size_t>(x)] < band[static_cast<std::size_t>(best)]) best = x;
        }
        track.emplace_back(best + 0.5, (y0 + y1) / 2.0);
    }
    std::vector<cv::Point2d> ends{{darkest + 0.5, 0.0}, {darkest + 0.5, static_cast<double>(size.height)}};
    if (const auto line = fit_line(track, 3.0); line && std::abs(line->direction.y) > 0.9) {
        const auto x_at = [&](double y) {
            return line->point.x + (y - line->point.y) * line->direction.x / line->direction.y;
        };
        ends = {{x_at(0), 0.0}, {x_at(size.height), static_cast<double>(size.height)}};
    }
    std::vector<cv::Point2d> mapped;
    cv::perspectiveTransform(ends, mapped, to_straight.inv());
    return line_through(mapped[0], mapped[1]);
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
