#pragma once

#include <array>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "page_finder.hpp"

// The outline of the paper blob as a quad, and pages cut by the frame.
namespace digikit::imaging {

struct Outline {
    std::vector<cv::Point> contour;
    FoundPage page;
    double score = 0;              // how much the outline looks like one page or spread (0..1)
    double support = 0;            // how much of it runs along an edge of the photo (0..1)
    double weakest = 0;            // the same for its least supported visible side
    std::array<bool, 4> pulled{};  // sides moved in from the outline onto the paper
};

// The largest blob of a mask as a quadrilateral, scored by how well it fills that quad.
// A second blob nearly as large joins it: the two pages of a spread that the gutter's
// shadow (or a gap in the cradle) separated.
[[nodiscard]] std::optional<Outline> outline_of(const cv::Mat& mask, const cv::Mat& grey);

// A page running off the frame can only be found up to the frame's edge: the quad is
// replaced by the four-sided shape nearest to its part inside the frame, when that is
// nearer than the quad itself.
[[nodiscard]] FoundPage clip_to_frame(const FoundPage& page, cv::Size frame);

}  // namespace digikit::imaging
