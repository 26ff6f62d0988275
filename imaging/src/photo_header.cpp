// What a photo claims to be, read from its header before any decoder allocates for it.
#include <tiffio.h>
#include <webp/decode.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "photo_decoder.hpp"

namespace digikit::imaging {
namespace {

using Bytes = std::span<const std::uint8_t>;

bool starts_with(Bytes b, std::initializer_list<std::uint8_t> magic)
{
    return b.size() >= magic.size() && std::equal(magic.begin(), magic.end(), b.begin());
}

std::uint32_t big_endian(Bytes b, std::size_t at, std::size_t length)
{
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < length; ++i) value = (value << 8) | b[at + i];
    return value;
}

std::uint32_t little_endian(Bytes b, std::size_t at, std::size_t length)
{
    std::uint32_t value = 0;
    for (std::size_t i = length; i-- > 0;) value = (value << 8) | b[at + i];
    return value;
}

[[noreturn]] void refuse(const std::string& reason, const std::string& name)
{
    throw PhotoError(reason + ": " + name);
}

// The frame size from the JPEG's SOFn marker, without decoding.
std::optional<PhotoHeader> jpeg_header(Bytes b)
{
    std::size_t at = 2;
    while (at + 9 < b.size()) {
        if (b[at] != 0xFF) return std::nullopt;
        const std::uint32_t marker = b[at + 1];
        if (marker == 0xFF) {
            ++at;
            continue;
        }
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            return PhotoHeader{PhotoFormat::jpeg, static_cast<int>(big_endian(b, at + 7, 2)),
                               static_cast<int>(big_endian(b, at + 5, 2))};
        }
        if (marker == 0xDA) return std::nullopt;  // scan data before any frame header
        at += 2 + big_endian(b, at + 2, 2);
    }
    return std::nullopt;
}

std::optional<PhotoHeader> png_header(Bytes b)
{
    // The signature, then the IHDR chunk: length 13, "IHDR", width, height.
    if (b.size() < 24 || big_endian(b, 8, 4) != 13 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) return std::nullopt;
    const std::uint32_t width = big_endian(b, 16, 4);
    const std::uint32_t height = big_endian(b, 20, 4);
    if (width > INT32_MAX || height > INT32_MAX) return PhotoHeader{PhotoFormat::png, INT32_MAX, INT32_MAX};
    return PhotoHeader{PhotoFormat::png, static_cast<int>(width), static_cast<int>(height)};
}

std::optional<PhotoHeader> webp_header(Bytes b, const std::string& name)
{
    WebPBitstreamFeatures features{};
    if (WebPGetFeatures(b.data(), b.size(), &features) != VP8_STATUS_OK) return std::nullopt;
    if (features.has_animation != 0) refuse("an animated WebP is not a photo", name);
    return PhotoHeader{PhotoFormat::webp, features.width, features.height};
}

// libtiff reads the first directory from memory, with its messages kept for ours and its
// allocations capped, so that a hostile directory cannot make it allocate much either.
struct MemoryFile {
    Bytes bytes;
    toff_t position = 0;
};

tmsize_t memory_read(thandle_t handle, void* buffer, tmsize_t size)
{
    auto& file = *static_cast<MemoryFile*>(handle);
    const toff_t left = file.position < file.bytes.size() ? file.bytes.size() - file.position : 0;
    const auto n = static_cast<tmsize_t>(std::min<toff_t>(left, static_cast<toff_t>(size)));
    if (n > 0) std::memcpy(buffer, file.bytes.data() + file.position, static_cast<std::size_t>(n));
    file.position += static_cast<toff_t>(n);
    return n;
}

tmsize_t memory_write(thandle_t, void*, tmsize_t)
{
    return -1;
}

toff_t memory_seek(thandle_t handle, toff_t offset, int whence)
{
    auto& file = *static_cast<MemoryFile*>(handle);
    const toff_t base = whence == SEEK_CUR ? file.position : whence == SEEK_END ? file.bytes.size() : 0;
    file.position = base + offset;
    return file.position;
}

int memory_close(thandle_t)
{
    return 0;
}

toff_t memory_size(thandle_t handle)
{
    return static_cast<MemoryFile*>(handle)->bytes.size();
}

int memory_map(thandle_t, void**, toff_t*)
{
    return 0;
}

void memory_unmap(thandle_t, void*, toff_t) {}

int keep_first_error(TIFF*, void* user_data, const char*, const char* format, va_list arguments)
{
    auto& message = *static_cast<std::string*>(user_data);
    if (message.empty()) {
        std::array<char, 256> text{};
        // libtiff's own format string, with its arguments.
        std::vsnprintf(text.data(), text.size(), format, arguments);  // NOLINT(clang-diagnostic-format-nonliteral)
        message = text.data();
    }
    return 1;
}

int ignore_warning(TIFF*, void*, const char*, const char*, va_list)
{
    return 1;
}

struct TiffReaderCloser {
    void operator()(TIFF* tiff) const { TIFFClose(tiff); }
};

PhotoHeader tiff_header(Bytes b, const std::string& name)
{
    MemoryFile file{b};
    std::string error;
    const std::unique_ptr<TIFFOpenOptions, decltype(&TIFFOpenOptionsFree)> options(TIFFOpenOptionsAlloc(),
                                                                                   &TIFFOpenOptionsFree);
    TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), tmsize_t{16} * 1024 * 1024);
    TIFFOpenOptionsSetErrorHandlerExtR(options.get(), keep_first_error, &error);
    TIFFOpenOptionsSetWarningHandlerExtR(options.get(), ignore_warning, nullptr);
    const std::unique_ptr<TIFF, TiffReaderCloser> tiff(
        TIFFClientOpenExt(name.c_str(), "rm", &file, memory_read, memory_write, memory_seek, memory_close, memory_size,
                          memory_map, memory_unmap, options.get()));
    if (!tiff) refuse("not a readable TIFF (" + (error.empty() ? "no image directory" : error) + ")", name);
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint16_t samples = 1;
    std::uint16_t bits = 1;
    TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
    TIFFGetFieldDefaulted(tiff.get(), TIFFTAG_BITSPERSAMPLE, &bits);
    // OpenCV decodes a strip or tile at a time into a buffer of that size: a tile larger
    // than the image, or samples wider than a photo's, would let a small file make it
    // allocate far more than the image.
    if (samples == 0 || samples > 4 || (bits != 1 && bits != 8 && bits != 16)) {
        refuse("not a photo TIFF (" + std::to_string(samples) + " samples of " + std::to_string(bits) + " bits)", name);
    }
    if (TIFFIsTiled(tiff.get()) != 0) {
        std::uint32_t tile_width = 0;
        std::uint32_t tile_height = 0;
        TIFFGetField(tiff.get(), TIFFTAG_TILEWIDTH, &tile_width);
        TIFFGetField(tiff.get(), TIFFTAG_TILELENGTH, &tile_height);
        const auto rounded = [](std::uint32_t side) { return (std::uint64_t{side} + 15) / 16 * 16; };
        if (tile_width == 0 || tile_height == 0 || tile_width > rounded(width) || tile_height > rounded(height)) {
            refuse("TIFF tiles (" + std::to_string(tile_width) + "x" + std::to_string(tile_height) +
                       ") do not fit the image",
                   name);
        }
    }
    const auto side = [](std::uint32_t value) { return static_cast<int>(std::min<std::uint32_t>(value, INT32_MAX)); };
    return PhotoHeader{PhotoFormat::tiff, side(width), side(height)};
}

void check_size(const PhotoHeader& header, const std::string& name)
{
    const std::string size = std::to_string(header.width) + "x" + std::to_string(header.height);
    if (static_cast<double>(header.width) * static_cast<double>(header.height) / 1e6 > max_photo_megapixels) {
        refuse("image too large (" + size + ", over 200 MP)", name);
    }
    if (header.width < min_photo_side || header.height < min_photo_side) refuse("image too small (" + size + ")", name);
}

}  // namespace

std::optional<PhotoFormat> photo_format(Bytes head)
{
    if (starts_with(head, {0xFF, 0xD8, 0xFF})) return PhotoFormat::jpeg;
    if (starts_with(head, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return PhotoFormat::png;
    if (starts_with(head, {'I', 'I', 42, 0}) || starts_with(head, {'M', 'M', 0, 42}) ||
        starts_with(head, {'I', 'I', 43, 0}) || starts_with(head, {'M', 'M', 0, 43})) {
        return PhotoFormat::tiff;
    }
    if (head.size() >= 12 && starts_with(head, {'R', 'I', 'F', 'F'}) && std::memcmp(head.data() + 8, "WEBP", 4) == 0) {
        return PhotoFormat::webp;
    }
    return std::nullopt;
}

PhotoHeader read_photo_header(Bytes bytes, const std::string& name)
{
    const auto format = photo_format(bytes);
    if (!format) refuse("not a readable image (not a JPEG, PNG, TIFF or WebP photo)", name);
    std::optional<PhotoHeader> header;
    switch (*format) {
        case PhotoFormat::jpeg:
            header = jpeg_header(bytes);
            if (!header) refuse("not a readable image (a JPEG without a frame header)", name);
            break;
        case PhotoFormat::png:
            header = png_header(bytes);
            if (!header) refuse("not a readable image (a PNG without its IHDR chunk)", name);
            break;
        case PhotoFormat::tiff: header = tiff_header(bytes, name); break;
        case PhotoFormat::webp:
            header = webp_header(bytes, name);
            if (!header) refuse("not a readable image (a WebP without a valid header)", name);
            break;
    }
    check_size(*header, name);
    return *header;
}

int exif_orientation(Bytes app1)
{
    // "Exif\0\0", then a TIFF header (byte order, 42, offset of IFD0) and IFD0's entries.
    if (app1.size() < 14 || std::memcmp(app1.data(), "Exif\0\0", 6) != 0) return 1;
    const Bytes tiff = app1.subspan(6);
    const bool little = tiff[0] == 'I' && tiff[1] == 'I';
    if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
    const auto read = [&](std::size_t at, std::size_t length) {
        return little ? little_endian(tiff, at, length) : big_endian(tiff, at, length);
    };
    const std::uint32_t ifd = read(4, 4);
    if (ifd > tiff.size() || tiff.size() - ifd < 2) return 1;
    const std::uint32_t entries = read(ifd, 2);
    for (std::uint32_t i = 0; i < entries; ++i) {
        const std::size_t entry = ifd + 2 + std::size_t{i} * 12;
        if (entry + 12 > tiff.size()) return 1;
        if (read(entry, 2) == 0x0112 && read(entry + 2, 2) == 3) {  // Orientation, SHORT
            const std::uint32_t value = read(entry + 8, 2);
            return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
        }
    }
    return 1;
}

}  // namespace digikit::imaging
