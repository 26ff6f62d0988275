#pragma once

#include <opencv2/core.hpp>

#include <optional>

#include "gutter_fold.hpp"
#include "page_finder.hpp"

// How sure the finder is of a page: the evidence in the photo for each side of its quad.
namespace digikit::imaging {

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

}  // namespace digikit::imaging
