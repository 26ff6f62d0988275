#pragma once

#include <filesystem>
#include <stdexcept>

#include <opencv2/core.hpp>

namespace digikit::imaging {

// An input that cannot be processed; the message is one line naming what is wrong.
class PhotoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr double max_photo_megapixels = 200.0;
inline constexpr int min_photo_side = 64;

// Reads and decodes a photo as 8-bit BGR (or grey), applying the EXIF orientation.
// `reduction` is 1, 2, 4 or 8: JPEGs are then decoded at that scale directly (fast).
// Throws PhotoError for a missing, empty, truncated, huge, tiny or undecodable file.
[[nodiscard]] cv::Mat decode_photo(const std::filesystem::path& path, int reduction = 1, bool grey = false);

// The reduction (1, 2, 4, 8) whose decode is closest to, but not below, `long_side` pixels.
[[nodiscard]] int reduction_for(const std::filesystem::path& path, int long_side);

}  // namespace digikit::imaging
