#include "photo_decoder.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <optional>
#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace digikit::imaging {
namespace {

struct Dimensions {
    int width = 0;
    int height = 0;
};

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw PhotoError("no such file: " + path.string());
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw PhotoError("cannot read " + path.string() + ": " + ec.message());
    if (size == 0) throw PhotoError("empty file: " + path.string());
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(size);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
        throw PhotoError("cannot read " + path.string());
    }
    return bytes;
}

bool is_jpeg(const std::vector<std::uint8_t>& b)
{
    return b.size() > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}

bool is_png(const std::vector<std::uint8_t>& b)
{
    static constexpr std::array<std::uint8_t, 8> magic{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    return b.size() >= 24 && std::equal(magic.begin(), magic.end(), b.begin());
}

int big_endian16(const std::vector<std::uint8_t>& b, std::size_t at)
{
    return (b[at] << 8) | b[at + 1];
}

// The frame size from the JPEG's SOFn marker, without decoding.
std::optional<Dimensions> jpeg_dimensions(const std::vector<std::uint8_t>& b)
{
    std::size_t at = 2;
    while (at + 9 < b.size()) {
        if (b[at] != 0xFF) return std::nullopt;
        const int marker = b[at + 1];
        if (marker == 0xFF) {
            ++at;
            continue;
        }
        const auto length = static_cast<std::size_t>(big_endian16(b, at + 2));
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) return Dimensions{big_endian16(b, at + 7), big_endian16(b, at + 5)};
        if (marker == 0xDA) return std::nullopt;  // scan data before any frame header
        at += 2 + length;
    }
    return std::nullopt;
}

// A JPEG ends with EOI (FF D9); a truncated file does not, and libjpeg would only warn.
bool jpeg_has_end(const std::vector<std::uint8_t>& b)
{
    const std::size_t tail = std::min<std::size_t>(b.size(), 4096);
    for (std::size_t i = b.size() - 1; i + tail > b.size() && i > 0; --i) {
        if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
    }
    return false;
}

std::optional<Dimensions> header_dimensions(const std::vector<std::uint8_t>& b)
{
    if (is_jpeg(b)) return jpeg_dimensions(b);
    if (is_png(b)) {
        auto be32 = [&](std::size_t at) { return (big_endian16(b, at) << 16) | big_endian16(b, at + 2); };
        return Dimensions{be32(16), be32(20)};
    }
    return std::nullopt;
}

void check_dimensions(const Dimensions& d, const std::filesystem::path& path)
{
    const double megapixels = static_cast<double>(d.width) * static_cast<double>(d.height) / 1e6;
    if (megapixels > max_photo_megapixels) {
        throw PhotoError("image too large (" + std::to_string(d.width) + "x" + std::to_string(d.height) +
                         ", over 200 MP): " + path.string());
    }
    if (d.width < min_photo_side || d.height < min_photo_side) {
        throw PhotoError("image too small (" + std::to_string(d.width) + "x" + std::to_string(d.height) +
                         "): " + path.string());
    }
}

int reduced_flag(int reduction, bool grey)
{
    switch (reduction) {
        case 2: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2;
        case 4: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4;
        case 8: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8;
        default: return grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
    }
}

}  // namespace

cv::Mat decode_photo(const std::filesystem::path& path, int reduction, bool grey)
{
    auto bytes = read_bytes(path);
    if (is_jpeg(bytes) && !jpeg_has_end(bytes)) throw PhotoError("truncated JPEG: " + path.string());
    if (const auto dims = header_dimensions(bytes)) check_dimensions(*dims, path);
    cv::Mat image;
    try {
        const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8U, bytes.data());
        image = cv::imdecode(raw, reduced_flag(reduction, grey));
    } catch (const cv::Exception& e) {
        throw PhotoError("cannot decode " + path.string() + ": " + e.err);
    }
    if (image.empty()) throw PhotoError("not a readable image: " + path.string());
    check_dimensions({image.cols * reduction, image.rows * reduction}, path);
    return image;
}

int reduction_for(const std::filesystem::path& path, int long_side)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> head(std::size_t{256} * 1024);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    const auto dims = header_dimensions(head);
    if (!dims) return 1;
    const int longest = std::max(dims->width, dims->height);
    int reduction = 1;
    while (reduction < 8 && longest / (reduction * 2) >= long_side) reduction *= 2;
    return reduction;
}

}  // namespace digikit::imaging
