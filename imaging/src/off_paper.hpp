#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include <opencv2/core.hpp>

#include "page_finder.hpp"
#include "quad_geometry.hpp"

// Parts of a page's quad that lie off the paper, on the background, where no brightness
// step shows it: a side beyond a ruler or title slip laid against the page (brighter than
// the paper, it joins the paper blob, and the band of cloth between them is as dark as
// any shadow), a gutter corner on the cloth above a spread's notch. The difference from
// the background (`difference`: difference_from_background) shows them.
namespace digikit::imaging {

// The paper's difference from the background: its median at the points of grid_over(quad)
// as bright as the paper (`grey`); print, which differs more from a light background than
// the paper does, left out.
[[nodiscard]] double paper_difference(const cv::Mat& grey, const cv::Mat& difference, const Quad& quad);

// Where side i of `quad` lies detached from the paper, beyond a band of the background:
// inside it, from tuning.detached_skip in, a band along its whole length at the
// background's level, deeper than tuning.detached_share of the page across the side.
// `paper` is paper_difference.
struct DetachedBand {
    // How far in from the side the band ends and the paper starts at its edge; nullopt
    // when it does not end within twice tuning.pull_reach, or ends in no edge (a page's
    // own shading, as dark as the background, that it rises from slowly).
    std::optional<int> paper_from;
};
[[nodiscard]] std::optional<DetachedBand> detached_band(const cv::Mat& difference, double paper, const Quad& quad,
                                                        std::size_t i);

// `page` with each visible detached side (but those in `keep`) moved in to where the
// paper starts, its corners where it meets its neighbours.
[[nodiscard]] FoundPage pull_detached_sides(const cv::Mat& grey, const cv::Mat& difference, const FoundPage& page,
                                            std::array<bool, 4> keep);

// Whether a corner of `side` (the fold or a spread's gutter) lies off the paper: much of
// a patch inside it at the background's level (`difference`: difference_from_background).
// Both pages of a spread are then doubted (they share the corner).
[[nodiscard]] bool fold_corner_off_paper(const cv::Mat& grey, const cv::Mat& difference, const Quad& quad,
                                         std::size_t side);

// `page` with each corner of its fold or gutter sides (FoundPage::on_fold) that has the
// background beside the fold, on either side of it, moved along the side (within
// tuning.fold_corner_reach of its length) to the first place with paper on both sides:
// the notch a spread's tops dip into, where the pages' gutter corners are. Meant for a
// page with fold_corner_off_paper.
[[nodiscard]] FoundPage fold_corners_onto_paper(const cv::Mat& grey, const cv::Mat& difference, const FoundPage& page);

}  // namespace digikit::imaging
