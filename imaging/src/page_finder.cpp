#include "page_finder.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include <opencv2/imgproc.hpp>

namespace digikit::imaging {
namespace {

constexpr double pi = 3.14159265358979323846;

// Paper differs from the background; the background is what fills the frame's border.
cv::Mat difference_from_background(const cv::Mat& bgr)
{
    cv::Mat lab;
    cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
    const int ring = std::max(2, std::min(bgr.cols, bgr.rows) / 40);
    std::array<std::vector<uchar>, 3> samples;
    for (int y = 0; y < lab.rows; ++y) {
        const auto* row = lab.ptr<cv::Vec3b>(y);
        const bool edge_row = y < ring || y >= lab.rows - ring;
        for (int x = 0; x < lab.cols; x += (edge_row ? 2 : 1)) {
            if (!edge_row && x == ring) x = lab.cols - ring;
            for (std::size_t c = 0; c < 3; ++c) samples[c].push_back(row[x][static_cast<int>(c)]);
        }
    }
    std::array<double, 3> background{};
    for (std::size_t c = 0; c < 3; ++c) {
        auto& s = samples[c];
        std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2), s.end());
        background[c] = s[s.size() / 2];
    }
    cv::Mat difference(lab.size(), CV_8U);
    for (int y = 0; y < lab.rows; ++y) {
        const auto* in = lab.ptr<cv::Vec3b>(y);
        auto* out = difference.ptr<uchar>(y);
        for (int x = 0; x < lab.cols; ++x) {
            const double dl = in[x][0] - background[0];
            const double da = in[x][1] - background[1];
            const double db = in[x][2] - background[2];
            // Chroma counts double: paper is grey, cloth often is not.
            out[x] = cv::saturate_cast<uchar>(std::sqrt(dl * dl + 4 * (da * da + db * db)));
        }
    }
    return difference;
}

cv::Mat paper_mask(const cv::Mat& bgr)
{
    cv::Mat difference = difference_from_background(bgr);
    cv::GaussianBlur(difference, difference, cv::Size(5, 5), 0);
    cv::Mat mask;
    cv::threshold(difference, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kernel);
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel);
    return mask;
}

// A page's outline is straight, but where the paper's brightness crosses the
// background's (a gutter shadow on a light background) it has no edge
// for a stretch: long straight runs of edge pixels are joined across such gaps.
void bridge_straight_gaps(cv::Mat& edges)
{
    const int size = std::min(edges.cols, edges.rows);
    // Only long runs can be part of an outline: the letters' short edges are left out,
    // which also keeps the line search quick.
    cv::Mat labels;
    cv::Mat stats;
    cv::Mat centres;
    const int count = cv::connectedComponentsWithStats(edges, labels, stats, centres, 8, CV_32S);
    std::vector<uchar> long_run(static_cast<std::size_t>(count), 0);
    for (int i = 1; i < count; ++i) {
        const int extent = std::max(stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        long_run[static_cast<std::size_t>(i)] = extent >= size / 12 ? 255 : 0;
    }
    cv::Mat runs(edges.size(), CV_8U);
    for (int y = 0; y < edges.rows; ++y) {
        const auto* label = labels.ptr<int>(y);
        auto* out = runs.ptr<uchar>(y);
        for (int x = 0; x < edges.cols; ++x) out[x] = long_run[static_cast<std::size_t>(label[x])];
    }
    std::vector<cv::Vec4i> segments;
    cv::HoughLinesP(runs, segments, 1, pi / 360, size / 10, size / 8.0, size / 6.0);
    for (const auto& s : segments) cv::line(edges, {s[0], s[1]}, {s[2], s[3]}, cv::Scalar(255), 1);
}

// Paper is what the background cannot reach without crossing an edge: a flood from
// the background-coloured parts of the frame border over the pixels that are not on an
// edge. Works where paper and background are alike in colour (light backgrounds).
cv::Mat unreached_by_background(const cv::Mat& bgr)
{
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(grey, grey, cv::Size(5, 5), 0);
    cv::Mat edges;
    cv::Canny(grey, edges, 12, 30);
    // Tinted paper on a neutral board can match it in brightness along a stretch of its
    // outline (a corner in the lamp's falloff) and still differ in colour: edges in the
    // difference from the background (chroma weighted) count too.
    const cv::Mat difference = difference_from_background(bgr);
    cv::Mat smooth_difference;
    cv::GaussianBlur(difference, smooth_difference, cv::Size(5, 5), 0);
    cv::Mat colour_edges;
    cv::Canny(smooth_difference, colour_edges, 12, 30);
    edges |= colour_edges;
    bridge_straight_gaps(edges);
    // Thickened to close small gaps in the page's outline; undone on the result below.
    const cv::Mat thicken = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
    cv::dilate(edges, edges, thicken);
    // floodFill needs a mask two pixels larger; non-zero mask pixels stop the fill.
    cv::Mat fill(bgr.rows + 2, bgr.cols + 2, CV_8U, cv::Scalar(0));
    edges.copyTo(fill(cv::Rect(1, 1, bgr.cols, bgr.rows)));
    cv::Mat scratch = grey.clone();
    auto seed = [&](int x, int y) {
        if (fill.at<uchar>(y + 1, x + 1) == 0 && difference.at<uchar>(y, x) < 25) {
            // Neighbour to neighbour within 3 grey levels: smooth light falloff passes,
            // the gutter's shadow and the page edge do not.
            cv::floodFill(scratch, fill, cv::Point(x, y), cv::Scalar(0), nullptr, cv::Scalar(3), cv::Scalar(3),
                          4 | cv::FLOODFILL_MASK_ONLY | (128 << 8));
        }
    };
    for (int x = 0; x < bgr.cols; x += 4) {
        seed(x, 0);
        seed(x, bgr.rows - 1);
    }
    for (int y = 0; y < bgr.rows; y += 4) {
        seed(0, y);
        seed(bgr.cols - 1, y);
    }
    const cv::Mat reached = fill(cv::Rect(1, 1, bgr.cols, bgr.rows)) == 128;
    cv::Mat mask = ~reached;
    // Half the thickening back (a thin outline must stay closed; the refinement at full
    // resolution removes the last pixel of bias).
    cv::erode(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
    // Where the fill leaked into a page (through its shadowed gutter) the page's closed
    // outline is left: fill every outline solid.
    cv::Mat sealed;
    cv::morphologyEx(mask, sealed, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(15, 15)));
    std::vector<std::vector<cv::Point>> outlines;
    cv::findContours(sealed, outlines, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::drawContours(mask, outlines, -1, cv::Scalar(255), cv::FILLED);
    return mask;
}

// Four corners of a convex outline: the polygon simplified until it has four vertices.
std::optional<Quad> approximate_quad(const std::vector<cv::Point>& hull)
{
    const double perimeter = cv::arcLength(hull, true);
    double low = 0.002 * perimeter;
    double high = 0.2 * perimeter;
    for (int i = 0; i < 30; ++i) {
        const double epsilon = (low + high) / 2;
        std::vector<cv::Point> polygon;
        cv::approxPolyDP(hull, polygon, epsilon, true);
        if (polygon.size() == 4) {
            std::array<cv::Point2d, 4> corners;
            for (std::size_t k = 0; k < 4; ++k) corners[k] = polygon[k];
            return order_corners(corners);
        }
        (polygon.size() > 4 ? low : high) = epsilon;
    }
    return std::nullopt;
}

bool on_frame_border(cv::Point p, cv::Size frame)
{
    return p.x <= 1 || p.y <= 1 || p.x >= frame.width - 2 || p.y >= frame.height - 2;
}

// The frame's edge (pixel centres at integers: the edge runs half a pixel outside them)
// when the side from `a` to `b` lies along it: a page running off the frame ends there.
std::optional<Line> frame_edge_along(cv::Point2d a, cv::Point2d b, cv::Size frame)
{
    constexpr double near = 2.5;
    const double right = frame.width - 0.5;
    const double bottom = frame.height - 0.5;
    if (a.x < near && b.x < near) return Line{{-0.5, 0}, {0, 1}};
    if (a.y < near && b.y < near) return Line{{0, -0.5}, {1, 0}};
    if (a.x > right - near - 0.5 && b.x > right - near - 0.5) return Line{{right, 0}, {0, 1}};
    if (a.y > bottom - near - 0.5 && b.y > bottom - near - 0.5) return Line{{0, bottom}, {1, 0}};
    return std::nullopt;
}

// Each side refitted to the outline points along it, except those to `keep`; sides
// lying on the frame border are kept as they are and marked not visible.
FoundPage fit_sides(const Quad& rough, const std::vector<cv::Point>& contour, cv::Size frame,
                    std::array<bool, 4> keep = {})
{
    FoundPage page{rough, {true, true, true, true}};
    const double diagonal = norm(rough[2] - rough[0]);
    std::array<Line, 4> lines;
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = rough[i];
        const cv::Point2d b = rough[(i + 1) % 4];
        lines[i] = line_through(a, b);
        if (keep[i]) continue;
        if (const auto frame_edge = frame_edge_along(a, b, frame)) {
            lines[i] = *frame_edge;
            page.edge_visible[i] = false;
            continue;
        }
        const double length = norm(b - a);
        std::vector<cv::Point2d> along;
        std::size_t border = 0;
        for (const auto& p : contour) {
            const cv::Point2d q(p);
            const double t = (q - a).dot(lines[i].direction) / length;
            if (t < 0.08 || t > 0.92 || distance_to(lines[i], q) > 0.02 * diagonal) continue;
            if (on_frame_border(p, frame)) {
                ++border;
                continue;
            }
            along.push_back(q);
        }
        if (border > along.size()) {
            page.edge_visible[i] = false;
            continue;
        }
        // An outline that strays from the side for most of its length (around a finger,
        // along a cover) says little about where the side is.
        if (static_cast<double>(along.size() + border) < 0.3 * length) continue;
        if (const auto line = fit_line(along, 1.5)) lines[i] = *line;
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (const auto corner = intersect(lines[(i + 3) % 4], lines[i])) page.quad[i] = *corner;
    }
    return page;
}

double side_length(const Quad& q, std::size_t i)
{
    return norm(q[(i + 1) % 4] - q[i]);
}

double rotation_of(const Quad& q)
{
    const cv::Point2d top = q[1] - q[0];
    const cv::Point2d bottom = q[2] - q[3];
    return std::atan2(top.y + bottom.y, top.x + bottom.x) * 180 / pi;
}

cv::Mat homography_to_rectangle(const Quad& q, cv::Size size)
{
    const std::array<cv::Point2f, 4> from{cv::Point2f(q[0]), cv::Point2f(q[1]), cv::Point2f(q[2]), cv::Point2f(q[3])};
    const auto w = static_cast<float>(size.width);
    const auto h = static_cast<float>(size.height);
    const std::array<cv::Point2f, 4> to{cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
    return cv::getPerspectiveTransform(from.data(), to.data());
}

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

// The gutter of a spread: the darkest paper near the middle of the straightened spread
// (its shadow, or the background between the pages), followed band by band down the
// page and returned as a line in the photo; nullopt when nothing there is clearly
// darker than the pages.
std::optional<Line> find_gutter(const cv::Mat& bgr, const Quad& spread, bool required)
{
    const cv::Size size(600, 400);
    const cv::Mat to_straight = homography_to_rectangle(spread, size);
    cv::Mat straight;
    cv::warpPerspective(bgr, straight, to_straight, size, cv::INTER_AREA);
    cv::Mat grey;
    cv::cvtColor(straight, grey, cv::COLOR_BGR2GRAY);
    const auto level = column_paper_level(grey.rowRange(size.height / 10, size.height * 9 / 10));
    const int from = size.width * 35 / 100;
    const int to = size.width * 65 / 100;
    const auto at = [&](int x) { return level[static_cast<std::size_t>(x)]; };
    int darkest = from;
    for (int x = from; x < to; ++x) {
        if (at(x) < at(darkest)) darkest = x;
    }
    if (!required && gutter_depth(level, darkest) < 8) return std::nullopt;

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

// The two pages of a spread: each page's outer sides refitted to the outline on its
// side of the gutter (unless the spread's side was already moved off the outline, onto
// the paper), the gutter line shared.
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

// A page running off the frame can only be found up to the frame's edge: the quad is
// replaced by the four-sided shape nearest to its part inside the frame, when that is
// nearer than the quad itself.
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

// Grey level at a sub-pixel position (bilinear), clamped to the image.
double grey_at(const cv::Mat& grey, cv::Point2d p)
{
    const double x = std::clamp(p.x, 0.0, grey.cols - 1.001);
    const double y = std::clamp(p.y, 0.0, grey.rows - 1.001);
    const int x0 = static_cast<int>(x);
    const int y0 = static_cast<int>(y);
    const double fx = x - x0;
    const double fy = y - y0;
    const auto* r0 = grey.ptr<uchar>(y0);
    const auto* r1 = grey.ptr<uchar>(y0 + 1);
    return (r0[x0] * (1 - fx) + r0[x0 + 1] * fx) * (1 - fy) + (r1[x0] * (1 - fx) + r1[x0 + 1] * fx) * fy;
}

// Per side, the share of its length along which the photo steps in brightness across
// it, as a page's edge does; low where a side was placed through paper or cloth. Sides
// that are no visible paper edge are left out.
std::array<std::optional<double>, 4> side_support(const cv::Mat& grey, const FoundPage& page)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    std::array<std::optional<double>, 4> support;
    for (std::size_t i = 0; i < 4; ++i) {
        if (!page.edge_visible[i]) continue;
        const cv::Point2d a = q[i];
        const cv::Point2d b = q[(i + 1) % 4];
        const cv::Point2d along = (b - a) / std::max(norm(b - a), 1e-9);
        cv::Point2d inward(along.y, -along.x);
        if (inward.dot(middle - (a + b) / 2) < 0) inward = -inward;
        constexpr int count = 32;
        int stepped = 0;
        for (int k = 0; k < count; ++k) {
            const cv::Point2d p = a + (0.05 + 0.9 * k / (count - 1)) * (b - a);
            double inside = 0;
            double outside = 0;
            for (double o : {2.0, 3.0}) {
                for (double d : {-1.0, 0.0, 1.0}) {
                    inside += grey_at(grey, p + o * inward + d * along);
                    outside += grey_at(grey, p - o * inward + d * along);
                }
            }
            stepped += std::abs(inside - outside) / 6 >= 8 ? 1 : 0;
        }
        support[i] = static_cast<double>(stepped) / count;
    }
    return support;
}

using SideSupport = std::array<std::optional<double>, 4>;

// The share of the whole visible outline on a brightness step (sides weigh alike). An
// outline lying all along the frame's border (cloth cut by the frame) shows no paper edge.
double overall_support(const SideSupport& sides)
{
    double sum = 0;
    int visible = 0;
    for (const auto& share : sides) {
        if (!share) continue;
        sum += *share;
        ++visible;
    }
    return visible > 0 ? sum / visible : 0.0;
}

// The visible side least on a brightness step (0 when no side is visible).
double weakest_support(const SideSupport& sides)
{
    std::optional<double> weakest;
    for (const auto& share : sides) {
        if (share) weakest = std::min(weakest.value_or(1.0), *share);
    }
    return weakest.value_or(0.0);
}

double edge_support(const cv::Mat& grey, const FoundPage& page)
{
    return overall_support(side_support(grey, page));
}

// How far in from side a-b the brightness along it steps up clearly and at once (an
// edge, not uneven light), within `depth` pixels; nullopt when it does not.
std::optional<double> step_up(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward, int depth)
{
    // The median along the side: a finger or a clip over part of the edge does not count,
    // nor does the part of the side outside the frame.
    constexpr int samples = 41;
    const cv::Rect2d frame(0, 0, grey.cols - 1, grey.rows - 1);
    std::vector<double> profile;
    std::vector<double> across;
    for (int t = 0; t <= depth; ++t) {
        across.clear();
        for (int k = 0; k < samples; ++k) {
            const cv::Point2d p = a + (0.1 + 0.8 * k / (samples - 1)) * (b - a) + t * inward;
            if (frame.contains(p)) across.push_back(grey_at(grey, p));
        }
        if (2 * across.size() < samples) return std::nullopt;
        const auto middle = across.begin() + static_cast<std::ptrdiff_t>(across.size() / 2);
        std::nth_element(across.begin(), middle, across.end());
        profile.push_back(*middle);
    }
    // Past the blur of the edge the side lies on (down into a darker band).
    std::size_t rim = 2;
    while (rim < 5 && rim + 2 < profile.size() && profile[rim + 1] < profile[rim] - 3) ++rim;
    const double low = profile[rim];
    const double top = *std::max_element(profile.begin() + static_cast<std::ptrdiff_t>(rim), profile.end());
    if (top - low < 16) return std::nullopt;  // paper from the rim on
    // A band of one material (cover, leaves, cradle), then a clear rise within three
    // pixels that holds: text lines, pictures and uneven light on paper are no such band.
    const double need = std::max(12.0, 0.25 * (top - low));
    const double tolerance = std::max(6.0, 0.1 * (top - low));
    double band_low = low;
    double band_high = low;
    for (std::size_t t = rim; t + 4 < profile.size(); ++t) {
        band_low = std::min(band_low, profile[t]);
        band_high = std::max(band_high, profile[t]);
        if (band_high - band_low > tolerance) return std::nullopt;
        std::size_t end = t;
        for (std::size_t k = t + 1; k <= t + 3; ++k) {
            if (profile[k] > profile[end]) end = k;
        }
        if (profile[end] - profile[t] < need) continue;
        const double half = (profile[t] + profile[end]) / 2;
        const auto held = std::min(profile.size(), end + 4);
        if (std::any_of(profile.begin() + static_cast<std::ptrdiff_t>(end),
                        profile.begin() + static_cast<std::ptrdiff_t>(held), [&](double v) { return v < half; }))
            return std::nullopt;
        std::size_t after = t + 1;
        while (profile[after] < half) ++after;
        return static_cast<double>(after) -
               (profile[after] - half) / std::max(profile[after] - profile[after - 1], 1e-9);
    }
    return std::nullopt;
}

// What lies around the paper may differ from the background and still not be paper: a
// book's cover, the edges of the leaves below, a cradle. Each visible side is moved in,
// step by step, to where the brightness along it rises to the paper's, within a tenth or
// so of the page's size.
FoundPage pull_sides_to_paper(const cv::Mat& grey, const FoundPage& page, std::array<bool, 4>* moved = nullptr)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    const double reach = 0.09 * (side_length(q, 0) + side_length(q, 1) + side_length(q, 2) + side_length(q, 3)) / 2;
    std::array<Line, 4> lines;
    FoundPage pulled = page;
    for (std::size_t i = 0; i < 4; ++i) {
        cv::Point2d a = q[i];
        cv::Point2d b = q[(i + 1) % 4];
        lines[i] = line_through(a, b);
        // A side reaching the frame may be cut by it: what lies along it is not one band.
        const cv::Rect2d inner(2, 2, grey.cols - 5, grey.rows - 5);
        if (!page.edge_visible[i] || !inner.contains(a) || !inner.contains(b)) continue;
        cv::Point2d inward(lines[i].direction.y, -lines[i].direction.x);
        if (inward.dot(middle - (a + b) / 2) < 0) inward = -inward;
        double pulled_in = 0;
        for (int round = 0; round < 3; ++round) {  // cradle, cover, leaves: a step each
            const int depth = static_cast<int>(reach - pulled_in);
            if (depth < 4) break;
            const auto step = step_up(grey, a, b, inward, depth);
            if (!step || *step < 0.5) break;
            pulled_in += *step;
            a += *step * inward;
            b += *step * inward;
        }
        lines[i].point += pulled_in * inward;
        if (moved) (*moved)[i] = pulled_in > 0;
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (const auto corner = intersect(lines[(i + 3) % 4], lines[i])) pulled.quad[i] = *corner;
    }
    return pulled;
}

}  // namespace

namespace {

struct Outline {
    std::vector<cv::Point> contour;
    FoundPage page;
    double score = 0;              // how much the outline looks like one page or spread (0..1)
    double support = 0;            // how much of it runs along an edge of the photo (0..1)
    double weakest = 0;            // the same for its least supported visible side
    std::array<bool, 4> pulled{};  // sides moved in from the outline onto the paper
};

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
    const int width = 2 * static_cast<int>(0.035 * std::sqrt(area) / shrink) + 1;
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

// The largest blob of a mask as a quadrilateral, scored by how well it fills that quad.
// A second blob nearly as large joins it: the two pages of a spread that the gutter's
// shadow (or a gap in the cradle) separated.
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
    if (area < 0.05 * frame_area) return std::nullopt;
    std::vector<std::vector<cv::Point>> blobs{contours[by_area[0].second]};
    if (by_area.size() > 1 && by_area[1].first > 0.4 * area) {
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
    if (quad_area > 0.995 * frame_area) return std::nullopt;  // the whole frame is no page
    outline.score = std::min(area, quad_area) / std::max(area, quad_area);
    return outline;
}

// The split the view calls for: a one-page view is never split, a spread always.
SplitMode split_for(const FinderRequest& request)
{
    switch (request.view) {
        case PageView::spread: return SplitMode::always;
        case PageView::single:
        case PageView::left_page:
        case PageView::right_page: return SplitMode::never;
        case PageView::automatic: break;
    }
    return request.split;
}

}  // namespace

PageLayout find_pages(const cv::Mat& reduced_bgr, const FinderRequest& request)
{
    const SplitMode split = split_for(request);
    PageLayout layout;
    cv::Mat grey;
    cv::cvtColor(reduced_bgr, grey, cv::COLOR_BGR2GRAY);
    std::optional<Outline> best;
    const auto rank = [](const Outline& o) { return o.score * o.support; };
    for (int method = 0; method < 2; ++method) {
        const cv::Mat mask = method == 0 ? paper_mask(reduced_bgr) : unreached_by_background(reduced_bgr);
        auto candidate = outline_of(mask, grey);
        if (candidate) {
            candidate->page = pull_sides_to_paper(grey, candidate->page, &candidate->pulled);
            const auto sides = side_support(grey, candidate->page);
            candidate->support = overall_support(sides);
            candidate->weakest = weakest_support(sides);
        }
        if (candidate && (!best || rank(*candidate) > rank(*best))) best = std::move(candidate);
        // Clear enough: skip the slower search. Every side must be on an edge for most of
        // its length: a side placed through the paper where the light falls off to the
        // board's level can still leave the outline as a whole well supported.
        if (best && best->score > 0.97 && best->support > 0.9 && best->weakest >= 0.8) break;
    }
    if (!best || best->score < 0.8) return layout;
    const FoundPage& outline = best->page;
    layout.rotation_deg = rotation_of(outline.quad);

    const double aspect = (side_length(outline.quad, 0) + side_length(outline.quad, 2)) /
                          (side_length(outline.quad, 1) + side_length(outline.quad, 3));
    std::optional<Line> gutter;
    if (split == SplitMode::always || (split == SplitMode::automatic && aspect > 1.0)) {
        gutter = find_gutter(reduced_bgr, outline.quad, split == SplitMode::always);
    }
    if (gutter) {
        layout.pages = split_at_gutter(outline, *gutter, best->contour, reduced_bgr.size(), best->pulled);
    } else {
        layout.pages = {outline};
    }
    for (auto& page : layout.pages) {
        page = clip_to_frame(pull_sides_to_paper(grey, page), reduced_bgr.size());
        const auto sides = side_support(grey, page);
        page.confidence =
            std::clamp(best->score * std::min(overall_support(sides), weakest_support(sides) + 0.2), 0.0, 1.0);
    }
    return layout;
}

PageLayout scale_layout(const PageLayout& layout, double scale)
{
    PageLayout scaled = layout;
    for (auto& page : scaled.pages) {
        for (auto& corner : page.quad) corner = (corner + cv::Point2d(0.5, 0.5)) * scale - cv::Point2d(0.5, 0.5);
    }
    return scaled;
}

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
    constexpr int samples = 48;
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
        if (sign * g[best] < 6 || best == 0 || best + 1 == g.size()) continue;
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

Quad refine_quad(const cv::Mat& full_bgr, const FoundPage& page, double search_radius)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    std::array<Line, 4> lines;
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = q[i];
        const cv::Point2d b = q[(i + 1) % 4];
        lines[i] = line_through(a, b);
        if (!page.edge_visible[i]) continue;
        cv::Point2d outward(lines[i].direction.y, -lines[i].direction.x);
        if (outward.dot((a + b) / 2 - middle) < 0) outward = -outward;
        const auto points = edge_points(full_bgr, a, b, outward, search_radius);
        if (points.size() < 12) continue;
        if (const auto line = fit_line(points, 1.5)) lines[i] = *line;
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

namespace digikit::imaging {
namespace {

// Variance of the row sums of `ink` rotated by `degrees`: text lines line up at the skew.
double profile_sharpness(const cv::Mat& ink, double degrees)
{
    const cv::Point2f centre(static_cast<float>(ink.cols) / 2, static_cast<float>(ink.rows) / 2);
    cv::Mat rotated;
    cv::warpAffine(ink, rotated, cv::getRotationMatrix2D(centre, degrees, 1.0), ink.size(), cv::INTER_NEAREST);
    cv::Mat rows;
    cv::reduce(rotated, rows, 1, cv::REDUCE_SUM, CV_64F);
    cv::Scalar mean;
    cv::Scalar deviation;
    cv::meanStdDev(rows, mean, deviation);
    return deviation[0] * deviation[0];
}

double quad_area(const Quad& q)
{
    std::vector<cv::Point2f> corners;
    for (const auto& c : q) corners.emplace_back(c);
    return cv::contourArea(corners);
}

// The text block, deskewed by projection profile, with a margin.
PageLayout content_layout(const cv::Mat& reduced_bgr)
{
    PageLayout layout;
    cv::Mat grey;
    cv::cvtColor(reduced_bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Mat ink;
    cv::adaptiveThreshold(grey, ink, 1, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, 25, 15);
    if (cv::countNonZero(ink) < 50) return layout;
    // Coarse then fine search of the skew, within +-10 degrees.
    double best = 0;
    for (double step : {1.0, 0.1}) {
        const double centre = best;
        double best_score = -1;
        for (int k = -10; k <= 10; ++k) {
            const double a = centre + k * step;
            const double score = profile_sharpness(ink, a);
            if (score > best_score) {
                best_score = score;
                best = a;
            }
        }
    }
    // The ink's bounding box in the deskewed frame, with a margin, mapped back.
    const cv::Point2f centre(static_cast<float>(ink.cols) / 2, static_cast<float>(ink.rows) / 2);
    const cv::Mat forward = cv::getRotationMatrix2D(centre, best, 1.0);
    cv::Mat rotated;
    cv::warpAffine(ink, rotated, forward, ink.size(), cv::INTER_NEAREST);
    std::vector<cv::Point> points;
    cv::findNonZero(rotated, points);
    cv::Rect box = cv::boundingRect(points);
    const int margin = std::max(box.width, box.height) / 20;
    box = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin);
    cv::Mat backward;
    cv::invertAffineTransform(forward, backward);
    std::vector<cv::Point2d> corners{{static_cast<double>(box.x), static_cast<double>(box.y)},
                                     {static_cast<double>(box.br().x), static_cast<double>(box.y)},
                                     {static_cast<double>(box.br().x), static_cast<double>(box.br().y)},
                                     {static_cast<double>(box.x), static_cast<double>(box.br().y)}};
    std::vector<cv::Point2d> mapped;
    cv::transform(corners, mapped, backward);
    FoundPage page{{mapped[0], mapped[1], mapped[2], mapped[3]}, {false, false, false, false}};
    for (auto& c : page.quad) {
        c.x = std::clamp(c.x, 0.0, static_cast<double>(reduced_bgr.cols));
        c.y = std::clamp(c.y, 0.0, static_cast<double>(reduced_bgr.rows));
    }
    layout.pages = {page};
    layout.rotation_deg = best;
    return layout;
}

}  // namespace

PageLayout find_flatbed_page(const cv::Mat& reduced_bgr)
{
    PageLayout page = find_pages(reduced_bgr, {SplitMode::never, PageView::single, {}});
    PageLayout content = content_layout(reduced_bgr);
    if (page.pages.empty()) return content;
    if (content.pages.empty()) return page;
    // A page edge only counts when it lies around the text with some margin; otherwise
    // what was found is the text block itself.
    const bool page_holds_text = quad_area(page.pages[0].quad) > 1.15 * quad_area(content.pages[0].quad);
    return page_holds_text ? page : content;
}

}  // namespace digikit::imaging
