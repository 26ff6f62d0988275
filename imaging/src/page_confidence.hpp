#pragma once

#include <opencv2/core.hpp>

#include <optional>

#include "gutter_fold.hpp"
#include "page_finder.hpp"

// How sure the finder is of a page: the evidence in the photo for each side of its quad.
namespace digikit::imaging {

// The share of side a-b along which a clear brightness step across it lies on it, all
// one way: at each sample, the change at the side (within tuning.edge_tolerance) is
// among the strongest within tuning.edge_window either side, and at least
// tuning.edge_contrast deep; the samples stepping up inward and those stepping down are
// counted apart and the larger count is the side's. A faint but sharp paper edge counts;
// a side placed through paper, beside the edge or through print does not.
[[nodiscard]] double edge_evidence(const cv::Mat& grey, cv::Point2d a, cv::Point2d b, cv::Point2d inward);

// 0..1: per side, the share of its length on a brightness step (a paper edge; along its
// trace for the bowed edges of a curled page; nothing for a side whose trace ran on two
// parallel edges, FoundPage::split), the depth of the fold or gutter when the side lies on
// it (`fold`, where the page was cut), little for a side on the frame's edge (the page
// runs out of view: only along the share of it that the paper reaches, not where a quad
// ran past the paper onto the table) or hugging it, and nothing for any other side;
// weighed by how well the paper blob fills the quad (`fill`, 0..1). A visible side with
// a band of the background inside it (`difference`: difference_from_background) has none.
[[nodiscard]] double page_confidence(const cv::Mat& grey, const cv::Mat& difference, const FoundPage& page, double fill,
                                     const std::optional<Fold>& fold);

// The share of the frame's border along which the photo just inside it is as bright as
// the paper of `quad`: near 1 when paper runs out of view all round (a tight crop of a
// page, no paper edge in view), low when the table or a cradle frames the page.
[[nodiscard]] double paper_round_frame(const cv::Mat& grey, const Quad& quad);

}  // namespace digikit::imaging
