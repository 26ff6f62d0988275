// The photo header checks and the decoders behind them against any bytes. Contract: a
// photo is refused with PhotoError or decoded within the size its header was allowed to
// claim; nothing else escapes, nothing crashes, nothing allocates beyond that.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "photo_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace digikit::imaging;
    const std::span<const std::uint8_t> bytes(data, size);
    const int orientation = exif_orientation(bytes);
    if (orientation < 1 || orientation > 8) std::abort();
    try {
        const PhotoHeader header = read_photo_header(bytes, "fuzz");
        // Small claims are decoded too, at full and reduced scale; a large one was allowed
        // by the header check and would only make the fuzzer slow.
        if (static_cast<double>(header.width) * header.height > 4e6) return 0;
        for (const int reduction : {1, 8}) {
            const cv::Mat image = decode_photo_bytes(bytes, "fuzz", reduction, reduction == 8);
            const int longest = std::max(image.cols, image.rows);
            if (image.empty() || longest > std::max(header.width, header.height)) std::abort();
        }
    } catch (const PhotoError&) {
        // refused with a reason: what the contract allows
    }
    return 0;
}
