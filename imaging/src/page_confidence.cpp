#include "page_confidence.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "finder_tuning.hpp"
#include "off_paper.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// A visible side running along the frame's border within a small margin: the frame's
// own edge (vignetting, a dark border) can pass for a paper edge there.
bool hugs_frame(cv::Point2d a, cv::Point2d b, cv::Size frame)
{
    const double margin = tuning.frame_hug_share * std::min(frame.width, frame.height);
    const auto near = [&](double u, double edge) { return std::abs(u - edge) < margin; };
    return (near(a.x, 0) && near(b.x, 0)) || (near(a.y, 0) && near(b.y, 0)) ||
           (near(a.x, frame.width - 1) && near(b.x, frame.width - 1)) ||
           (near(a.y, frame.height - 1) && near(b.y, frame.height - 1));
}

// The share of segment a-b (on the frame's edge) along which the photo just inside the
// frame (within tuning.frame_band_share of its shorter side, where a side counts as on it)
// is as bright as paper at level `paper` (the brightest within a few pixels along it, past
// letters).
double paper_along(const cv::Mat& grey, double paper, cv::Point2d a, cv::Point2d b, cv::Point2d inward)
{
    const cv::Point2d along = line_through(a, b).direction;
    const int depth = std::max(1, static_cast<int>(tuning.frame_band_share * std::min(grey.cols, grey.rows)));
    int reached = 0;
    for (int k = 0; k < tuning.evidence_samples; ++k) {
        const cv::Point2d p = a + (0.05 + 0.9 * k / (tuning.evidence_samples - 1)) * (b - a);
        double brightest = 0;
        for (int d = 1; d <= depth; ++d) {
            for (int o = -5; o <= 5; ++o) brightest = std::max(brightest, grey_at(grey, p + d * inward + o * along));
        }
        reached += brightest >= paper - tuning.min_band_rise ? 1 : 0;
    }
    return static_cast<double>(reached) / tuning.evidence_samples;
}

// The share of a side on the frame's edge along which the page's paper reaches the
// frame: a page running out of view there. A side on the frame with the table in front of
// it (a quad reaching out past the page) has nothing there.
double paper_at_frame(const cv::Mat& grey, const Quad& quad, std::size_t i)
{
    const cv::Point2d a = quad[i];
    const cv::Point2d b = quad[(i + 1) % 4];
    return paper_along(grey, paper_level_in(grey, quad), a, b, inward_normal(a, b, centroid(quad)));
}

}  // namespace

double edge_evidence(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward)
{
    const cv::Point2d along = (b - a) / std::max(norm(b - a), 1e-9);
    const int window = tuning.edge_window;
    // Counted apart by the way they step: a paper edge steps the same way all along, a
    // side through print (a tight crop's justified margin) either way.
    int on_edge_up = 0;
    int on_edge_down = 0;
    for (int k = 0; k < tuning.evidence_samples; ++k) {
        const cv::Point2d p = a + (0.05 + 0.9 * k / (tuning.evidence_samples - 1)) * (b - a);
        std::vector<double> values;
        for (int o = -window - 1; o <= window + 1; ++o) {
            const cv::Point2d q = p + o * inward;
            values.push_back((grey_at(grey, q - along) + grey_at(grey, q) + grey_at(grey, q + along)) / 3);
        }
        double strongest = 0;
        double at_side = 0;
        for (int o = -window; o <= window; ++o) {
            const auto i = static_cast<std::size_t>(o + window) + 1;
            const double change = std::abs(values[i + 1] - values[i - 1]);
            strongest = std::max(strongest, change);
            if (std::abs(o) <= tuning.edge_tolerance) at_side = std::max(at_side, change);
        }
        // Page-stack edges or a cover beside the paper may step more: the side's own step
        // need only be one of the clear ones there.
        const double rise = values[static_cast<std::size_t>(window) + 4] - values[static_cast<std::size_t>(window) - 2];
        if (at_side >= tuning.edge_share_of_strongest * strongest && std::abs(rise) >= tuning.edge_contrast) {
            ++(rise > 0 ? on_edge_up : on_edge_down);
        }
    }
    return static_cast<double>(std::max(on_edge_up, on_edge_down)) / tuning.evidence_samples;
}

double page_confidence(const cv::Mat& grey, const cv::Mat& difference, const FoundPage& page, double fill,
                       const std::optional<Fold>& fold)
{
    const cv::Point2d middle = centroid(page.quad);
    const double paper = paper_difference(grey, difference, page.quad);
    std::array<double, 4> evidence{};
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = page.quad[i];
        const cv::Point2d b = page.quad[(i + 1) % 4];
        if (page.split[i] && page.on_inner_edge[i]) {
            // On the inner of two edges, a band of leaves beyond it: as sure as a side on
            // the frame's edge, at most.
            evidence[i] = std::min(edge_evidence(grey, a, b, inward_normal(a, b, middle)), tuning.frame_side_evidence);
        } else if (page.split[i]) {
            evidence[i] = 0;  // two edges side by side: which is the paper's, nothing says
        } else if (curl_edge(page, i)) {
            evidence[i] = page.traced[i];
        } else if (page.edge_visible[i]) {
            // A side detached from the paper lies on no edge of it (a ruler's, a slip's).
            const double found = detached_band(difference, paper, page.quad, i)
                                     ? 0
                                     : edge_evidence(grey, a, b, inward_normal(a, b, middle));
            evidence[i] = hugs_frame(a, b, grey.size()) ? std::min(found, tuning.frame_side_evidence) : found;
        } else if (frame_edge_along(a, b, grey.size())) {
            evidence[i] = tuning.frame_side_evidence * paper_at_frame(grey, page.quad, i);
        } else if (fold && lies_on_fold(page.quad, i, *fold)) {
            evidence[i] =
                fold->stepped ? tuning.step_fold_evidence : std::clamp(fold->depth / tuning.sure_fold_depth, 0.0, 1.0);
        }  // else neither a paper edge, the frame nor the fold: nothing supports the side
    }
    double mean = 0;
    for (double e : evidence) mean += e / 4;
    const double weakest = *std::min_element(evidence.begin(), evidence.end());
    const double sides = (mean + weakest) / 2;
    const double blob =
        std::clamp((fill - tuning.min_outline_score) / (tuning.sure_fill - tuning.min_outline_score), 0.0, 1.0);
    return std::clamp(sides * std::sqrt(blob), 0.0, 1.0);
}

double paper_round_frame(const cv::Mat& grey, const Quad& quad)
{
    const double paper = paper_level_in(grey, quad);
    const double right = grey.cols - 1;
    const double bottom = grey.rows - 1;
    const Quad frame = {cv::Point2d(0, 0), cv::Point2d(right, 0), cv::Point2d(right, bottom), cv::Point2d(0, bottom)};
    const cv::Point2d middle = centroid(frame);
    double share = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const cv::Point2d a = frame[i];
        const cv::Point2d b = frame[(i + 1) % 4];
        share += paper_along(grey, paper, a, b, inward_normal(a, b, middle)) / 4;
    }
    return share;
}

}  // namespace digikit::imaging
