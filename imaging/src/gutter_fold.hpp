#pragma once

#include <array>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "page_finder.hpp"
#include "quad_geometry.hpp"

// The gutter of a spread and the fold of a book page.
namespace digikit::imaging {

// The two pages of a spread: each page's outer sides refitted to the outline on its side
// of the gutter (unless the spread's side was already moved off the outline, onto the
// paper), the gutter line shared.
[[nodiscard]] std::vector<FoundPage> split_at_gutter(const FoundPage& spread, const Line& gutter,
                                                     const std::vector<cv::Point>& contour, cv::Size frame,
                                                     std::array<bool, 4> off_outline);

// The fold of a book page: where the page turns into the gutter, a line along one side
// of the quad found around it (which may take in the facing page beyond the fold).
struct Fold {
    Line line;             // in the photo
    std::size_t side = 0;  // the quad's side it runs along (0 top, 1 right, 2 bottom, 3 left)
    double depth = 0;      // grey levels the fold is darker than the paper on both sides of it
    // Found only as the step down from the page onto the darker facing page, no dark line
    // there: weaker evidence than a fold's shadow (a binding strip or the facing page's
    // own shading can stand beside the fold).
    bool stepped = false;
};

// The fold along side `side` of `quad`, no farther from it than `max_share` of the quad's
// extent: the darkest line of the paper there (a gutter's shadow, a platen's apex) that is
// clearly darker than the paper on both sides; nullopt when there is none.
[[nodiscard]] std::optional<Fold> find_fold(const cv::Mat& grey, const Quad& quad, std::size_t side, double max_share);

// The fold along side `side` of `quad` where no dark line marks it: the place where the
// page's paper steps down onto the darker facing page beyond it, followed band by band
// down the page and fitted with a line, no farther from the side than `max_share` of the
// quad's extent; nullopt when most bands do not step there on one line. `depth` is the
// step's height.
[[nodiscard]] std::optional<Fold> find_step_fold(const cv::Mat& grey, const Quad& quad, std::size_t side,
                                                 double max_share);

// The gutter of a spread: the darkest paper near the middle of the straightened spread
// (its shadow, or the background between the pages), followed band by band down the
// page, as a fold along side 1; nullopt when nothing there is clearly darker than the
// pages (unless `required`).
[[nodiscard]] std::optional<Fold> find_gutter(const cv::Mat& grey, const Quad& spread, bool required);

// Whether side `side` of `quad` runs along the fold (both its ends close to the line).
[[nodiscard]] bool lies_on_fold(const Quad& quad, std::size_t side, const Fold& fold);

// `page` with side `fold.side` moved onto the fold (a gutter side: not a paper edge).
[[nodiscard]] FoundPage cut_at_fold(const FoundPage& page, const Fold& fold);

}  // namespace digikit::imaging
