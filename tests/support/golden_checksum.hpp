#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace digikit::testing {

// Checksums for golden tests of the photo generators: the same on every architecture
// (FNV-1a over bytes), so a test can say "this seed draws exactly this photo" on x86 and
// on arm64 under qemu.
class GoldenChecksum {
public:
    void add(const void* data, std::size_t size)
    {
        const auto* bytes = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 0x100000001b3ULL;
    }
    // Pixels of an 8-bit image, row by row.
    void add(const cv::Mat& image)
    {
        for (int y = 0; y < image.rows; ++y) add(image.ptr(y), static_cast<std::size_t>(image.cols) * image.elemSize());
    }
    // Corners rounded to a thousandth of a pixel: what the random draws decide, not the
    // last bit of the arithmetic after them.
    void add(const std::vector<std::array<cv::Point2d, 4>>& quads)
    {
        for (const auto& quad : quads) {
            for (const auto& corner : quad) {
                const std::int64_t xy[2] = {std::llround(corner.x * 1000), std::llround(corner.y * 1000)};
                add(xy, sizeof xy);
            }
        }
    }
    [[nodiscard]] std::uint64_t value() const { return hash_; }

private:
    std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace digikit::testing
