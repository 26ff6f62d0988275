#pragma once

#include <filesystem>

#include <opencv2/core.hpp>

#include "digikit/imaging/page_pipeline.hpp"

namespace digikit::imaging {

// Writes an 8-bit BGR page as an RGB TIFF (libtiff, strips, resolution tags, the chosen
// compression; LZW and Deflate with the horizontal predictor), atomically. With
// `threads` > 1 the strips are compressed on that many threads; the file is the same.
// `deflate_level` (1-12, libdeflate through libtiff) trades size for time.
// Throws std::runtime_error naming the file on failure; nothing is left behind.
void write_tiff_master(const cv::Mat& bgr, const std::filesystem::path& target, TiffCompression compression, int dpi,
                       int threads = 1, int deflate_level = default_deflate_level);

// Writes the JPEG access copy atomically (quality 1-100, JFIF density = dpi).
void write_jpeg_access(const cv::Mat& bgr, const std::filesystem::path& target, int quality, int dpi);

}  // namespace digikit::imaging
