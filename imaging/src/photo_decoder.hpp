#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>

#include <opencv2/core.hpp>

namespace digikit::imaging {

// An input that cannot be processed; the message is one line naming what is wrong.
class PhotoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr double max_photo_megapixels = 200.0;
inline constexpr int min_photo_side = 64;
// Larger files are refused before they are read (an uncompressed 200 MP RGB TIFF is 600 MB).
inline constexpr std::uintmax_t max_photo_file_bytes = std::uintmax_t{640} * 1024 * 1024;

// The formats photos are accepted in. Everything else OpenCV could decode (BMP, PNM,
// JPEG 2000, OpenEXR, DICOM, ...) is refused before any decoder sees it.
enum class PhotoFormat { jpeg, png, tiff, webp };

struct PhotoHeader {
    PhotoFormat format = PhotoFormat::jpeg;
    int width = 0;
    int height = 0;
};

// The format a file's first bytes announce (JPEG, PNG, TIFF, BigTIFF or WebP), if any.
[[nodiscard]] std::optional<PhotoFormat> photo_format(std::span<const std::uint8_t> head);

// The format and size read from the file's header, checked against the limits (size,
// and for TIFF its sample and tile layout) before anything is decoded. Throws PhotoError
// naming `name`. Only reads the header: a valid one says nothing of the image data.
[[nodiscard]] PhotoHeader read_photo_header(std::span<const std::uint8_t> bytes, const std::string& name);

// The EXIF orientation (1-8) of a JPEG's APP1 "Exif" segment payload; 1 when absent or unreadable.
[[nodiscard]] int exif_orientation(std::span<const std::uint8_t> app1);

// Decodes a photo already in memory as 8-bit BGR (or grey), applying the EXIF orientation
// of JPEGs; the header is checked first, so nothing large is allocated for a bomb. JPEGs
// are decoded with libjpeg directly: its corrupt-data warnings are errors (OpenCV would
// fill the rest of the image with grey). `reduction` is 1, 2, 4 or 8 (JPEGs decode at that
// scale directly, other formats are resized after decoding).
[[nodiscard]] cv::Mat decode_photo_bytes(std::span<const std::uint8_t> bytes, const std::string& name, int reduction,
                                         bool grey);

// Reads and decodes a photo file; throws PhotoError for a missing, empty, truncated,
// corrupt, huge, tiny or undecodable file, or one in a format not accepted.
[[nodiscard]] cv::Mat decode_photo(const std::filesystem::path& path, int reduction = 1, bool grey = false);

// The reduction (1, 2, 4, 8) whose decode is closest to, but not below, `long_side` pixels.
[[nodiscard]] int reduction_for(const std::filesystem::path& path, int long_side);

}  // namespace digikit::imaging
