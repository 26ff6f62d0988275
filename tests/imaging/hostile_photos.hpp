#pragma once

#include <filesystem>

namespace digikit::testing {

// Small files that decode to huge images, made on the spot (nothing large is committed).
// Each is a valid image: decoded whole, it takes the memory its header claims.

// An RGB TIFF of side x side white pixels in deflate-compressed strips; 30000 x 30000 is
// about 3 MB on disk and 2.7 GB decoded.
void write_tiff_bomb(const std::filesystem::path& path, int side = 30000);

// A lossless WebP of side x side white pixels whose every prefix code has one symbol, so
// the pixels take no bits at all: under 100 bytes, 1 GB once libwebp decodes it.
void write_webp_bomb(const std::filesystem::path& path, int side = 16383);

// A 64 x 64 JPEG whose frame header claims width x height: the scan data (with its end
// marker) runs out long before the frame is full, so libjpeg warns of corrupt data and
// OpenCV returns a grey image of the claimed size.
void write_jpeg_claiming(const std::filesystem::path& path, int width, int height);

}  // namespace digikit::testing
