#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "page_finder.hpp"

namespace digikit::imaging {

// Limits beyond which a check becomes a warning.
inline constexpr double min_sharpness = 60.0;     // focus measure of the sharpest page tiles
inline constexpr double max_clipped = 0.02;       // fraction of page pixels at 0 or 255
inline constexpr double min_paper_white = 140.0;  // 95th-percentile grey of the page
inline constexpr double max_rotation_deg = 10.0;
inline constexpr double max_size_deviation = 0.08;  // relative to the batch's median page
// The farthest corner from the book prior's, relative to the prior's diagonal.
inline constexpr double max_prior_deviation = 0.05;

// Focus measure on tiles of a straightened full-resolution page: variance of the
// Laplacian, averaged over the sharpest quarter of tiles (blank paper says nothing).
[[nodiscard]] double page_sharpness(const cv::Mat& page_bgr);

struct Exposure {
    double clipped = 0;      // fraction of pixels at 0 or 255
    double paper_white = 0;  // 95th-percentile grey level
};
// Over the pixels of `bgr` inside `quad` (in that image's pixels).
[[nodiscard]] Exposure page_exposure(const cv::Mat& bgr, const Quad& quad);

// DCT hash of the whole photo (any size, BGR or grey).
[[nodiscard]] PerceptualHash perceptual_hash(const cv::Mat& image);

// The page straightened to a small fixed size, its print only (shading taken away): what
// tells the same page shot again from the next page in the same place. `image` is BGR or
// grey; `quad` in its pixels.
[[nodiscard]] std::vector<std::uint8_t> page_detail(const cv::Mat& image, const Quad& quad);

// How alike a capture is to the one before: by the first page's print when both found a
// page (a kit camera's photos share the cradle, the cover and the page's place, so whole
// photos of different pages look alike), else by the whole photo's hash.
struct Likeness {
    std::string_view check;  // the report's name for `value`
    double value = 0;
    bool repeat = false;
};
[[nodiscard]] Likeness likeness(PerceptualHash hash, const std::vector<std::uint8_t>& detail,
                                PerceptualHash previous_hash, const std::vector<std::uint8_t>& previous_detail);

}  // namespace digikit::imaging
