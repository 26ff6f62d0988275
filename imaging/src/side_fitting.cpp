#include "side_fitting.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "order_statistics.hpp"

namespace digikit::imaging {
namespace {

// How far in from side a-b the brightness along it steps up clearly and at once (an
// edge, not uneven light), within `depth` pixels; nullopt when it does not.
// The brightness along side a-b at each whole pixel in from it, up to `depth`: the median
// along the side (a finger or a clip over part of the edge does not count, nor does the
// part of the side outside the frame); nullopt where most of the side is outside.
std::optional<std::vector<double>> median_profile(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward,
                                                  int depth)
{
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
        profile.push_back(median(across));
    }
    return profile;
}

// How far in from a side the outline left on the frame's edge the paper starts, when
// what lies between is no paper (the striped edges of the leaves below, a cradle running
// off the frame): walking out from the paper, where the brightness first falls halfway
// down to the darkest beyond it. Nullopt when the paper reaches the side (a page running
// off the frame), what lies beyond is not all clearly darker, or the brightness rises
// there gradually (light falling off towards the frame).
std::optional<double> paper_start(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward, int depth)
{
    const auto profile = median_profile(grey, a, b, inward, depth);
    if (!profile) return std::nullopt;
    const double top = *std::max_element(profile->begin(), profile->end());
    const double low = *std::min_element(profile->begin(), profile->end());
    // Paper at the far end: between its lines of print there (a line of print can lie
    // right at the end of the reach).
    const double far_end =
        *std::max_element(profile->end() - static_cast<std::ptrdiff_t>(profile->size() / 4), profile->end());
    if (top - low < tuning.min_band_rise || far_end < top - tuning.band_tolerance) return std::nullopt;
    const double half = (top + low) / 2;
    // Out from the paper nearest the frame (farther in, lines of print fall below half).
    std::size_t t = 0;
    while (t + 1 < profile->size() && (*profile)[t] < top - tuning.band_tolerance) ++t;
    while (t > 0 && (*profile)[t] >= half) --t;
    if ((*profile)[t] >= half || t < 2) return std::nullopt;
    // A paper edge: the brightness rises clearly within three pixels there, as step_up
    // asks (light falling off towards the frame rises gradually).
    const std::size_t rise_end = std::min(profile->size() - 1, t + 3);
    if ((*profile)[rise_end] - (*profile)[t] < std::max(tuning.min_step, tuning.step_share * (top - low))) {
        return std::nullopt;
    }
    // Nothing beyond is as bright as paper: a page's margin running off the frame is, in
    // front of a line of print or a picture along the frame.
    if (*std::max_element(profile->begin(), profile->begin() + static_cast<std::ptrdiff_t>(t + 1)) >
        top - tuning.min_band_rise) {
        return std::nullopt;
    }
    return static_cast<double>(t) + (half - (*profile)[t]) / std::max((*profile)[t + 1] - (*profile)[t], 1e-9);
}

std::optional<double> step_up(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward, int depth)
{
    const auto median = median_profile(grey, a, b, inward, depth);
    if (!median) return std::nullopt;
    const std::vector<double>& profile = *median;
    // Past the blur of the edge the side lies on (down into a darker band).
    std::size_t rim = 2;
    while (rim < 5 && rim + 2 < profile.size() && profile[rim + 1] < profile[rim] - 3) ++rim;
    const double low = profile[rim];
    const double top = *std::max_element(profile.begin() + static_cast<std::ptrdiff_t>(rim), profile.end());
    if (top - low < tuning.min_band_rise) return std::nullopt;  // paper from the rim on
    // Bands of one material each (cradle, cover, leaves), then a clear rise within three
    // pixels that holds: text lines, pictures and uneven light on paper are no such band.
    const double need = std::max(tuning.min_step, tuning.step_share * (top - low));
    const double tolerance = std::max(tuning.band_tolerance, 0.1 * (top - low));
    double band_low = low;
    double band_high = low;
    for (std::size_t t = rim; t + 4 < profile.size(); ++t) {
        band_low = std::min(band_low, profile[t]);
        band_high = std::max(band_high, profile[t]);
        if (band_high - band_low > tolerance) {
            // Another material, still well below the paper (a cover board, then the band
            // of page-stack edges): a new band starts there.
            if (profile[t] > top - tuning.min_band_rise) return std::nullopt;
            band_low = band_high = profile[t];
        }
        std::size_t end = t;
        for (std::size_t k = t + 1; k <= t + 3; ++k) {
            if (profile[k] > profile[end]) end = k;
        }
        if (profile[end] - profile[t] < need) continue;
        const double half = (profile[t] + profile[end]) / 2;
        const auto held = std::min(profile.size(), end + 4);
        if (std::any_of(profile.begin() + static_cast<std::ptrdiff_t>(end),
                        profile.begin() + static_cast<std::ptrdiff_t>(held), [&](double v) { return v < half; })) {
            return std::nullopt;
        }
        std::size_t after = t + 1;
        while (profile[after] < half) ++after;
        return static_cast<double>(after) -
               (profile[after] - half) / std::max(profile[after] - profile[after - 1], 1e-9);
    }
    return std::nullopt;
}

// Points of the paper's edge along side a-b: at evenly spread places, the clearest step
// from outside to inside within `reach` of the side (paper brighter than what is around
// it, unless the levels on either side of the side say otherwise). Each point with its
// share t along the side.
std::vector<std::pair<double, cv::Point2d>> edge_trace(const cv::Mat& grey, cv::Point2d a, cv::Point2d b,
                                                       cv::Point2d inward, double reach)
{
    const cv::Point2d along = (b - a) / std::max(norm(b - a), 1e-9);
    const int r = static_cast<int>(std::ceil(reach));
    const auto level = [&](cv::Point2d p) {
        return (grey_at(grey, p - along) + grey_at(grey, p) + grey_at(grey, p + along)) / 3;
    };
    double sign_sum = 0;
    std::vector<std::pair<double, std::vector<double>>> steps;
    for (int k = 0; k < tuning.trace_samples; ++k) {
        const double t = tuning.trace_margin + (1 - 2 * tuning.trace_margin) * k / (tuning.trace_samples - 1);
        const cv::Point2d p = a + t * (b - a);
        std::vector<double> values;
        for (int o = -r - 2; o <= r + 2; ++o) values.push_back(level(p + o * inward));
        std::vector<double> step;
        for (std::size_t i = 2; i + 2 < values.size(); ++i) step.push_back(values[i + 2] - values[i - 2]);
        // Which way the paper lies: brighter within the reach inside the side than outside
        // it, or darker. Not the step at the side itself: the chord of an edge bowing out
        // lies on the paper, where that step is print or nothing, and a sign drawn from it
        // sent the trace after the print's light-to-dark steps instead of the edge.
        const auto centre = static_cast<std::size_t>(r) + 2;
        for (std::size_t o = 1; o + 2 <= centre; ++o) sign_sum += values[centre + o] - values[centre - o];
        steps.emplace_back(t, std::move(step));
    }
    const double sign = sign_sum < 0 ? -1.0 : 1.0;
    std::vector<std::pair<double, cv::Point2d>> trace;
    for (const auto& [t, step] : steps) {
        std::size_t best = 0;
        for (std::size_t i = 1; i < step.size(); ++i) {
            if (sign * step[i] > sign * step[best]) best = i;
        }
        if (sign * step[best] < 2 * tuning.edge_step) continue;
        trace.emplace_back(t, a + t * (b - a) + (static_cast<double>(best) - r) * inward);
    }
    return trace;
}

std::optional<Line> line_of(const std::vector<std::pair<double, cv::Point2d>>& trace, double from, double to)
{
    std::vector<cv::Point2d> points;
    for (const auto& [t, p] : trace) {
        if (t >= from && t <= to) points.push_back(p);
    }
    if (points.size() < 4) return std::nullopt;
    return fit_line(points, tuning.fit_outlier);
}

double median_offset(const std::vector<std::pair<double, cv::Point2d>>& trace, const Line& line, double from, double to)
{
    std::vector<double> offsets;
    const cv::Point2d normal(-line.direction.y, line.direction.x);
    for (const auto& [t, p] : trace) {
        if (t >= from && t <= to) offsets.push_back((p - line.point).dot(normal));
    }
    return median(std::move(offsets));
}

// The share of a side's places where its trace runs on smoothly from the places either
// side (a paper edge bends gently; a trace jumping between lines of print does not).
double smooth_share(const std::vector<std::pair<double, cv::Point2d>>& trace, const Line& chord)
{
    const cv::Point2d normal(-chord.direction.y, chord.direction.x);
    const double spacing = (1 - 2 * tuning.trace_margin) / (tuning.trace_samples - 1);
    int smooth = 0;
    for (std::size_t k = 1; k + 1 < trace.size(); ++k) {
        // Only neighbouring places (none skipped) count.
        if (trace[k + 1].first - trace[k - 1].first > tuning.smooth_neighbour_gap * spacing) continue;
        const double bend = (trace[k - 1].second - 2 * trace[k].second + trace[k + 1].second).dot(normal);
        smooth += std::abs(bend) <= tuning.max_trace_bend ? 1 : 0;
    }
    return static_cast<double>(smooth) / tuning.trace_samples;
}

// Where a bent side's edge meets its straight neighbour at `corner`: a curled page's edge
// turns steeply into the fold, where tracing across the side cannot follow it. Traced
// instead along the neighbour (`down`, away from the corner), at small steps into the
// side (`into`), and the line through its last stretch met with the neighbour.
std::optional<cv::Point2d> curve_end(const cv::Mat& grey, cv::Point2d corner, cv::Point2d into, cv::Point2d down,
                                     const Line& neighbour, double reach)
{
    const int r = static_cast<int>(std::ceil(reach));
    std::vector<cv::Point2d> points;
    for (int d = 2; d <= std::max(8, r / 4); ++d) {
        const cv::Point2d base = corner + d * into;
        double best = 0;
        int at = 0;
        for (int o = -r; o <= r; ++o) {
            const double step = grey_at(grey, base + (o + 2) * down) - grey_at(grey, base + (o - 2) * down);
            if (step > best) {
                best = step;
                at = o;
            }
        }
        if (best >= 2 * tuning.edge_step) points.push_back(base + at * down);
    }
    if (points.size() < 4) return std::nullopt;
    const auto line = fit_line(points, tuning.fit_outlier);
    if (!line) return std::nullopt;
    return intersect(*line, neighbour);
}

}  // namespace

std::vector<cv::Point2d> grid_over(const Quad& q)
{
    std::vector<cv::Point2d> points;
    for (int u = 1; u < 10; ++u) {
        for (int v = 1; v < 10; ++v) {
            const cv::Point2d top = q[0] + (q[1] - q[0]) * (u / 10.0);
            const cv::Point2d bottom = q[3] + (q[2] - q[3]) * (u / 10.0);
            points.push_back(top + (bottom - top) * (v / 10.0));
        }
    }
    return points;
}

double paper_level_in(const cv::Mat& grey, const Quad& q)
{
    std::vector<double> inside;
    for (const cv::Point2d& p : grid_over(q)) inside.push_back(grey_at(grey, p));
    return quantile(std::move(inside), 0.75);
}

namespace {

// Of a split side a-b (its trace on two parallel edges, `first` and `second`), the inner
// line when it is the paper's edge with a band that is no paper beyond it: the paper's
// level just inside it and the band between the two lines below that level by
// tuning.min_band_rise (the leaves below the page, a shadow). Between a paper edge and a
// line of print inside it lies paper: there the corners stay where the two lines put them.
std::optional<Line> paper_edge_of_split(const cv::Mat& grey, const Quad& q, cv::Point2d a, cv::Point2d b,
                                        cv::Point2d inward, const Line& first, const Line& second)
{
    const auto meet = [&](const Line& line, cv::Point2d p) {
        // Where the line crosses the normal to the side through p.
        const auto hit = intersect(line, Line{p, inward});
        return hit ? *hit : p;
    };
    const cv::Point2d middle = (a + b) / 2;
    const bool first_inner = (meet(first, middle) - middle).dot(inward) > (meet(second, middle) - middle).dot(inward);
    const Line& inner = first_inner ? first : second;
    const Line& outer = first_inner ? second : first;
    const double paper = paper_level_in(grey, q);
    std::vector<double> inside;
    std::vector<double> band;
    for (int k = 1; k < 20; ++k) {
        const cv::Point2d p = a + (k / 20.0) * (b - a);
        const cv::Point2d in = meet(inner, p);
        const cv::Point2d out = meet(outer, p);
        inside.push_back(grey_at(grey, in + 3 * inward));
        band.push_back(grey_at(grey, (in + out) / 2));
    }
    if (quantile(std::move(inside), 0.5) < paper - tuning.min_band_rise) return std::nullopt;
    if (quantile(std::move(band), 0.5) > paper - tuning.min_band_rise) return std::nullopt;
    return inner;
}

// A trace that runs along one straight edge and then, after one jump across the side
// between neighbouring places, along another parallel to it (the paper's edge, then the
// leaves' outer edge): the two edges' lines, in the order of the trace.
std::optional<std::pair<Line, Line>> two_straight_edges(const std::vector<std::pair<double, cv::Point2d>>& trace,
                                                        const Line& chord)
{
    const cv::Point2d normal(-chord.direction.y, chord.direction.x);
    std::size_t jump = 0;
    double largest = 0;
    for (std::size_t k = 1; k < trace.size(); ++k) {
        const double step = std::abs((trace[k].second - trace[k - 1].second).dot(normal));
        if (step > largest) {
            largest = step;
            jump = k;
        }
    }
    if (largest <= tuning.min_split_apart || jump < 4 || trace.size() - jump < 4) return std::nullopt;
    const auto straight = [&](std::size_t from, std::size_t to) -> std::optional<Line> {
        std::vector<cv::Point2d> points;
        for (std::size_t k = from; k < to; ++k) points.push_back(trace[k].second);
        const auto line = fit_line(points, tuning.fit_outlier);
        if (!line) return std::nullopt;
        for (const auto& p : points) {
            if (distance_to(*line, p) > 2 * tuning.fit_outlier) return std::nullopt;
        }
        return line;
    };
    const auto first = straight(0, jump);
    const auto second = straight(jump, trace.size());
    if (!first || !second || std::abs(first->direction.cross(second->direction)) >= tuning.split_parallel) {
        return std::nullopt;
    }
    return std::pair{*first, *second};
}

// Each visible side of a page traced within `reach` of its length: the lines fitted to
// `end_share` of it at each end, and whether it bends.
struct SideTraces {
    FoundPage page;  // bent and traced marked; the quad as given
    double reach = 0;
    std::array<Line, 4> starts;          // per side, the line that ends at its first corner
    std::array<Line, 4> ends;            // ... and the one at its second
    std::array<bool, 4> steep_at_end{};  // a bent side turns most at its second corner

    [[nodiscard]] bool curl_shaped() const { return curl_edge(page, 0) || curl_edge(page, 1); }
};

SideTraces trace_sides(const cv::Mat& grey, const FoundPage& page, double reach, double end_share)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    SideTraces sides{page, reach, {}, {}, {}};
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = q[i];
        const cv::Point2d b = q[(i + 1) % 4];
        sides.starts[i] = sides.ends[i] = line_through(a, b);
        if (!page.edge_visible[i]) continue;
        const cv::Point2d inward = inward_normal(a, b, middle);
        const double length = norm(b - a);
        const auto trace = edge_trace(grey, a, b, inward, reach * length);
        // Each third of the side traced at half its places or more: where a faint edge
        // drops out, what is left (a clip's or a finger's edge) does not tell its shape.
        const auto traced_in = [&](double from, double to) {
            return std::count_if(trace.begin(), trace.end(),
                                 [&](const auto& point) { return point.first >= from && point.first < to; });
        };
        const auto enough = static_cast<std::ptrdiff_t>(tuning.trace_samples / 6);
        if (traced_in(0, 1.0 / 3) < enough || traced_in(1.0 / 3, 2.0 / 3) < enough ||
            traced_in(2.0 / 3, 1.01) < enough) {
            continue;
        }
        const double first = median_offset(trace, sides.starts[i], 0, 1.0 / 3);
        const double second = median_offset(trace, sides.starts[i], 1.0 / 3, 2.0 / 3);
        const double third = median_offset(trace, sides.starts[i], 2.0 / 3, 1);
        if (std::abs(second - (first + third) / 2) < tuning.min_bow * length) continue;
        const auto start = line_of(trace, 0, end_share);
        const auto end = line_of(trace, 1 - end_share, 1);
        if (!start || !end) continue;
        sides.starts[i] = *start;
        sides.ends[i] = *end;
        sides.page.bent[i] = true;
        sides.page.traced[i] = smooth_share(trace, line_through(a, b));
        const cv::Point2d chord = (b - a) / length;
        // How far apart the two ends' lines lie at the side's middle.
        const cv::Point2d middle_of_side = (a + b) / 2;
        const auto nearest = [&](const Line& line) {
            return line.point + (middle_of_side - line.point).dot(line.direction) * line.direction;
        };
        const cv::Point2d across(-start->direction.y, start->direction.x);
        const double apart = std::abs((nearest(*end) - nearest(*start)).dot(across));
        // A bowed edge's end lines meet near its middle; two edges side by side have end
        // lines that are parallel or meet beyond the side's ends.
        const auto meet = intersect(*start, *end);
        const double meet_at = meet ? (*meet - a).dot(chord) / length : -1.0;
        const bool beyond = meet_at < 0 || meet_at > 1;
        sides.page.split[i] = (std::abs(start->direction.cross(end->direction)) < tuning.split_parallel || beyond) &&
                              apart > tuning.min_split_apart;
        // The end lines can also meet within the side at an angle when the jump from one
        // edge to the other falls inside the share they are fitted to.
        if (!sides.page.split[i]) {
            if (const auto edges = two_straight_edges(trace, line_through(a, b))) {
                sides.page.split[i] = true;
                sides.starts[i] = edges->first;
                sides.ends[i] = edges->second;
            }
        }
        // Split between the paper's edge and a band beyond it: the paper's edge is the
        // likelier, and the side is put on it, straight, along its whole length. It stays
        // split (no evidence): the leaves' outer edge is a paper edge too.
        if (sides.page.split[i]) {
            if (const auto edge = paper_edge_of_split(grey, q, a, b, inward, sides.starts[i], sides.ends[i])) {
                sides.starts[i] = sides.ends[i] = *edge;
                sides.page.on_inner_edge[i] = true;
            }
        }
        sides.steep_at_end[i] = std::abs(end->direction.cross(chord)) > std::abs(start->direction.cross(chord));
    }
    return sides;
}

// The corners of the traced page: where the bent sides' ends meet their neighbours. On a
// curl-shaped page each bowed edge is followed into the corner where it turns most.
FoundPage place_corners(const cv::Mat& grey, const SideTraces& sides)
{
    const Quad& q = sides.page.quad;
    const bool curl = sides.curl_shaped();
    FoundPage bent = sides.page;
    for (std::size_t i = 0; i < 4; ++i) {
        const std::size_t before = (i + 3) % 4;
        if (!bent.bent[i] && !bent.bent[before]) continue;
        const double near = sides.reach * std::max(side_length(q, i), side_length(q, before));
        const auto corner = intersect(sides.ends[before], sides.starts[i]);
        if (corner && (!curl || norm(*corner - q[i]) < near)) bent.quad[i] = *corner;
        if (!curl || (bent.bent[i] ? sides.steep_at_end[i] : !sides.steep_at_end[before])) continue;
        const cv::Point2d c = bent.quad[i];
        const cv::Point2d to_before = (q[before] - q[i]) / std::max(norm(q[before] - q[i]), 1e-9);
        const cv::Point2d to_after = (q[(i + 1) % 4] - q[i]) / std::max(norm(q[(i + 1) % 4] - q[i]), 1e-9);
        const bool after_bent = bent.bent[i];
        const auto end = curve_end(grey, c, after_bent ? to_after : to_before, after_bent ? to_before : to_after,
                                   after_bent ? sides.ends[before] : sides.starts[i], near);
        if (end && norm(*end - c) < near) bent.quad[i] = *end;
    }
    return bent;
}

}  // namespace

bool curl_edge(const FoundPage& page, std::size_t i)
{
    const std::size_t before = (i + 3) % 4;
    const std::size_t after = (i + 1) % 4;
    return page.bent[i] && page.bent[(i + 2) % 4] && !page.bent[before] && !page.bent[after] &&
           page.edge_visible[before] && page.edge_visible[after];
}

namespace {

// A side bent on its own (not one of a curled page's two facing edges) whose trace does
// not run on smoothly along most of it is no bent edge: the trace jumped between the
// paper's edge and print beyond it (the facing page's lines past the fold). It stays the
// straight side it was.
SideTraces without_jumping_sides(SideTraces sides, const FoundPage& page)
{
    for (std::size_t i = 0; i < 4; ++i) {
        if (!sides.page.bent[i] || sides.page.traced[i] >= tuning.min_bent_smooth) continue;
        sides.page.bent[i] = false;
        sides.page.traced[i] = 0;
        sides.page.split[i] = false;
        sides.page.on_inner_edge[i] = false;
        sides.starts[i] = sides.ends[i] = line_through(page.quad[i], page.quad[(i + 1) % 4]);
    }
    return sides;
}

}  // namespace

FoundPage bend_to_edges(const cv::Mat& grey, const FoundPage& page)
{
    // A curled page's two bowed edges each run on smoothly.
    const auto curled = [](const SideTraces& sides) {
        if (!sides.curl_shaped()) return false;
        for (std::size_t i = 0; i < 4; ++i) {
            if (curl_edge(sides.page, i) && sides.page.traced[i] < tuning.min_bent_smooth) return false;
        }
        return true;
    };
    const SideTraces near = trace_sides(grey, page, tuning.trace_reach, tuning.bent_end);
    if (curled(near)) return place_corners(grey, near);
    // A thick book's page bows far from the chord of its edge, and most near the fold.
    const SideTraces far = trace_sides(grey, page, tuning.curl_reach, tuning.curl_end);
    if (curled(far)) return place_corners(grey, far);
    return place_corners(grey, without_jumping_sides(near, page));
}

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

FoundPage fit_sides(const Quad& rough, const std::vector<cv::Point>& contour, cv::Size frame, std::array<bool, 4> keep)
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
            if (t < tuning.fit_end_share || t > 1 - tuning.fit_end_share ||
                distance_to(lines[i], q) > tuning.fit_distance_share * diagonal) {
                continue;
            }
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
        if (static_cast<double>(along.size() + border) < tuning.fit_min_share * length) continue;
        if (const auto line = fit_line(along, tuning.fit_outlier)) lines[i] = *line;
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
    return std::atan2(top.y + bottom.y, top.x + bottom.x) * 180 / CV_PI;
}

cv::Mat homography_to_rectangle(const Quad& q, cv::Size size)
{
    const std::array<cv::Point2f, 4> from{cv::Point2f(q[0]), cv::Point2f(q[1]), cv::Point2f(q[2]), cv::Point2f(q[3])};
    const auto w = static_cast<float>(size.width);
    const auto h = static_cast<float>(size.height);
    const std::array<cv::Point2f, 4> to{cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
    return cv::getPerspectiveTransform(from.data(), to.data());
}

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

namespace {

// The share of side a-b (`inward` towards the paper) along which the photo steps in
// brightness across it, as a paper edge does.
double step_share(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward)
{
    const cv::Point2d along = (b - a) / std::max(norm(b - a), 1e-9);
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
        stepped += std::abs(inside - outside) / 6 >= tuning.edge_step ? 1 : 0;
    }
    return static_cast<double>(stepped) / count;
}

}  // namespace

SideSupport side_support(const cv::Mat& grey, const FoundPage& page)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    std::array<std::optional<double>, 4> support;
    for (std::size_t i = 0; i < 4; ++i) {
        if (!page.edge_visible[i]) continue;
        const cv::Point2d a = q[i];
        const cv::Point2d b = q[(i + 1) % 4];
        support[i] = step_share(grey, a, b, inward_normal(a, b, middle));
    }
    return support;
}

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

namespace {

// The page's sides judged together: their mean and their weakest support.
double sides_score(const SideSupport& sides)
{
    return (overall_support(sides) + weakest_support(sides)) / 2;
}

// `page` with the sides in `sides` (bit i: side i) on the lines of those sides of
// `other`, each corner where its two sides' lines meet; nullopt when the quad it makes is
// not convex.
std::optional<FoundPage> with_sides_of(const FoundPage& page, const FoundPage& other, unsigned sides)
{
    std::array<Line, 4> lines;
    for (std::size_t k = 0; k < 4; ++k) {
        const Quad& from = (sides >> k) & 1U ? other.quad : page.quad;
        lines[k] = line_through(from[k], from[(k + 1) % 4]);
    }
    FoundPage moved = page;
    for (std::size_t k = 0; k < 4; ++k) {
        const auto corner = intersect(lines[(k + 3) % 4], lines[k]);
        if (!corner) return std::nullopt;
        moved.quad[k] = *corner;
    }
    std::vector<cv::Point2f> corners(moved.quad.begin(), moved.quad.end());
    if (!cv::isContourConvex(corners)) return std::nullopt;
    return moved;
}

}  // namespace

FoundPage adopt_clear_sides(const cv::Mat& grey, const FoundPage& page, const std::vector<FoundPage>& others,
                            std::array<bool, 4>* adopted)
{
    const SideSupport support = side_support(grey, page);
    unsigned weak = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (support[i] && *support[i] < tuning.weak_side) weak |= 1U << i;
    }
    FoundPage best = page;
    double best_score = sides_score(support) + tuning.min_adopt_gain;
    // Neighbouring weak sides may only be right together (their shared corner).
    for (const FoundPage& other : others) {
        for (unsigned sides = weak; sides != 0; sides = (sides - 1) & weak) {
            const auto moved = with_sides_of(page, other, sides);
            if (!moved) continue;
            const SideSupport moved_support = side_support(grey, *moved);
            bool clear = true;
            for (std::size_t i = 0; i < 4; ++i) {
                if (!((sides >> i) & 1U)) continue;
                clear = clear && other.edge_visible[i] && moved_support[i] && *moved_support[i] >= tuning.clear_side;
            }
            if (!clear || sides_score(moved_support) < best_score) continue;
            best = *moved;
            best_score = sides_score(moved_support);
            for (std::size_t i = 0; i < 4; ++i) (*adopted)[i] = ((sides >> i) & 1U) != 0;
        }
    }
    return best;
}

namespace {

// Whether side a-b runs along one of the frame's edges, both its ends within `margin` of it.
bool near_frame_edge(cv::Point2d a, cv::Point2d b, cv::Size frame, double margin)
{
    const auto near = [&](double u, double v, double edge) {
        return std::abs(u - edge) < margin && std::abs(v - edge) < margin;
    };
    return near(a.x, b.x, 0) || near(a.y, b.y, 0) || near(a.x, b.x, frame.width - 1) ||
           near(a.y, b.y, frame.height - 1);
}

}  // namespace

FoundPage pull_sides_to_paper(const cv::Mat& grey, const FoundPage& page, std::array<bool, 4>* moved,
                              std::array<bool, 4> keep)
{
    const Quad& q = page.quad;
    const cv::Point2d middle = centroid(q);
    const double reach =
        tuning.pull_reach * (side_length(q, 0) + side_length(q, 1) + side_length(q, 2) + side_length(q, 3)) / 2;
    std::array<Line, 4> lines;
    FoundPage pulled = page;
    for (std::size_t i = 0; i < 4; ++i) {
        cv::Point2d a = q[i];
        cv::Point2d b = q[(i + 1) % 4];
        lines[i] = line_through(a, b);
        if (keep[i]) continue;
        const cv::Point2d inward = inward_normal(a, b, middle);
        // A side the outline left on the frame's edge, or just beside it, where no paper
        // edge was seen: the paper may start farther in.
        const double near_frame = tuning.frame_band_share * std::min(grey.cols, grey.rows);
        if (!page.edge_visible[i] && near_frame_edge(a, b, grey.size(), near_frame)) {
            // From the first whole row of pixels in: a side on the frame's edge runs half a
            // pixel outside the photo.
            if (const auto start = paper_start(grey, a + inward, b + inward, inward, static_cast<int>(reach))) {
                lines[i].point += (*start + 1) * inward;
                pulled.edge_visible[i] = true;
                if (moved) (*moved)[i] = true;
            }
            continue;
        }
        // A side reaching the frame may be cut by it: what lies along it is not one band.
        const cv::Rect2d inner(2, 2, grey.cols - 5, grey.rows - 5);
        if (!page.edge_visible[i] || !inner.contains(a) || !inner.contains(b)) continue;
        double pulled_in = 0;
        double stepped = step_share(grey, a, b, inward);
        for (int round = 0; round < tuning.pull_rounds; ++round) {  // cradle, cover, leaves: a step each
            const int depth = static_cast<int>(reach - pulled_in);
            if (depth < 4) break;
            const auto step = step_up(grey, a, b, inward, depth);
            if (!step || *step < 0.5) break;
            // The paper's edge steps all along: a rise onto paper that does so along less of
            // the side than where the side was is a band of print (a ticket's coloured
            // strip, a ruled border), and the side was on the paper's edge already.
            const double there = step_share(grey, a + *step * inward, b + *step * inward, inward);
            if (there < tuning.weak_side && there < stepped) break;
            stepped = there;
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

}  // namespace digikit::imaging
