#include "hostile_photos.hpp"

#include <tiffio.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace digikit::testing {
namespace {

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// VP8L reads its bit stream least significant bit first.
class BitWriter {
public:
    void put(std::uint32_t value, int bits)
    {
        for (int i = 0; i < bits; ++i) {
            if (used_ == 0) bytes_.push_back(0);
            if (((value >> i) & 1U) != 0) bytes_.back() = static_cast<std::uint8_t>(bytes_.back() | (1U << used_));
            used_ = (used_ + 1) % 8;
        }
    }
    [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
    int used_ = 0;
};

void put_le32(std::vector<std::uint8_t>& out, std::uint32_t value)
{
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

}  // namespace

void write_tiff_bomb(const std::filesystem::path& path, int side)
{
    constexpr std::uint32_t rows_per_strip = 64;
    const auto width = static_cast<std::uint32_t>(side);
    // Every strip holds the same white rows: compress them once, write that for each strip.
    const std::vector<std::uint8_t> strip(std::size_t{width} * 3 * rows_per_strip, 0xFF);
    std::vector<std::uint8_t> packed(compressBound(static_cast<uLong>(strip.size())));
    uLongf packed_size = static_cast<uLongf>(packed.size());
    if (compress2(packed.data(), &packed_size, strip.data(), static_cast<uLong>(strip.size()), 9) != Z_OK) {
        throw std::runtime_error("zlib failed");
    }
    TIFF* tiff = TIFFOpen(path.c_str(), "w");
    if (tiff == nullptr) throw std::runtime_error("cannot write " + path.string());
    TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, width);
    TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(tiff, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(tiff, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tiff, TIFFTAG_ROWSPERSTRIP, rows_per_strip);
    const std::uint32_t strips = (width + rows_per_strip - 1) / rows_per_strip;
    for (std::uint32_t i = 0; i < strips; ++i) {
        // The last strip is shorter: its own compressed rows.
        const std::uint32_t rows = std::min(rows_per_strip, width - i * rows_per_strip);
        if (rows == rows_per_strip) {
            TIFFWriteRawStrip(tiff, i, packed.data(), static_cast<tmsize_t>(packed_size));
        } else {
            TIFFWriteEncodedStrip(tiff, i, const_cast<std::uint8_t*>(strip.data()),
                                  static_cast<tmsize_t>(std::size_t{width} * 3 * rows));
        }
    }
    TIFFClose(tiff);
}

void write_webp_bomb(const std::filesystem::path& path, int side)
{
    BitWriter bits;
    bits.put(0x2F, 8);  // VP8L signature
    bits.put(static_cast<std::uint32_t>(side - 1), 14);
    bits.put(static_cast<std::uint32_t>(side - 1), 14);
    bits.put(0, 1);                         // no alpha
    bits.put(0, 3);                         // version 0
    bits.put(0, 1);                         // no transform
    bits.put(0, 1);                         // no colour cache
    bits.put(0, 1);                         // no meta prefix codes
    for (int code = 0; code < 4; ++code) {  // green, red, blue, alpha: the one symbol 255
        bits.put(1, 1);                     // a simple code
        bits.put(0, 1);                     // of one symbol
        bits.put(1, 1);                     // written in 8 bits
        bits.put(255, 8);
    }
    bits.put(1, 1);  // the distance code: one symbol, 0, in 1 bit
    bits.put(0, 1);
    bits.put(0, 1);
    bits.put(0, 1);
    std::vector<std::uint8_t> chunk = bits.bytes();
    const auto chunk_size = static_cast<std::uint32_t>(chunk.size());
    if (chunk.size() % 2 != 0) chunk.push_back(0);
    std::vector<std::uint8_t> file{'R', 'I', 'F', 'F'};
    put_le32(file, static_cast<std::uint32_t>(4 + 8 + chunk.size()));
    file.insert(file.end(), {'W', 'E', 'B', 'P', 'V', 'P', '8', 'L'});
    put_le32(file, chunk_size);
    file.insert(file.end(), chunk.begin(), chunk.end());
    write_bytes(path, file);
}

void write_jpeg_claiming(const std::filesystem::path& path, int width, int height)
{
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", cv::Mat(64, 64, CV_8UC3, cv::Scalar(128, 128, 128)), bytes);
    for (std::size_t i = 2; i + 8 < bytes.size(); ++i) {
        if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
            bytes[i + 5] = static_cast<std::uint8_t>(height >> 8);
            bytes[i + 6] = static_cast<std::uint8_t>(height & 0xFF);
            bytes[i + 7] = static_cast<std::uint8_t>(width >> 8);
            bytes[i + 8] = static_cast<std::uint8_t>(width & 0xFF);
            break;
        }
    }
    write_bytes(path, bytes);
}

}  // namespace digikit::testing
