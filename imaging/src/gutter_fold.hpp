#pragma once

#include <array>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "page_finder.hpp"
#include "quad_geometry.hpp"

// The gutter of a spread and the fold of a book page.
namespace digikit::imaging {

// The gutter of a spread: the darkest paper near the middle of the straightened spread
// (its shadow, or the background between the pages), followed band by band down the
// page and returned as a line in the photo; nullopt when nothing there is clearly darker
// than the pages (unless `required`).
[[nodiscard]] std::optional<Line> find_gutter(const cv::Mat& bgr, const Quad& spread, bool required);

// The two pages of a spread: each page's outer sides refitted to the outline on its side
// of the gutter (unless the spread's side was already moved off the outline, onto the
// paper), the gutter line shared.
[[nodiscard]] std::vector<FoundPage> split_at_gutter(const FoundPage& spread, const Line& gutter,
                                                     const std::vector<cv::Point>& contour, cv::Size frame,
                                                     std::array<bool, 4> off_outline);

}  // namespace digikit::imaging
