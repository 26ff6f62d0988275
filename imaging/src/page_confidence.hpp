#pragma once

#include <opencv2/core.hpp>

#include "page_finder.hpp"

// How sure the finder is of a page: the evidence in the photo for each side of its quad.
namespace digikit::imaging {

// 0..1: per side, the share of its length on a brightness step (a paper edge), the
// depth of the fold or gutter it lies on (`fold_depth`, grey levels; for the sides that
// are no paper edge and not on the frame), or little for a side on the frame's edge
// (the page runs out of view) or hugging it; weighed by how well the paper blob fills
// the quad (`fill`, 0..1) and whether the corners lie on the paper's edges.
[[nodiscard]] double page_confidence(const cv::Mat& grey, const FoundPage& page, double fill, double fold_depth);

}  // namespace digikit::imaging
