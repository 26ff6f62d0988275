#include "page_writer.hpp"

#include "digikit/base/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include <tiffio.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/base/atomic_file.hpp"
#include "parallel_for.hpp"

namespace digikit::imaging {
namespace {

struct TiffCloser {
    void operator()(TIFF* tiff) const { TIFFClose(tiff); }
};

std::uint16_t libtiff_compression(TiffCompression compression)
{
    switch (compression) {
        case TiffCompression::lzw: return COMPRESSION_LZW;
        case TiffCompression::deflate: return COMPRESSION_ADOBE_DEFLATE;
        case TiffCompression::none: break;
    }
    return COMPRESSION_NONE;
}

// Strips of about 256 KiB: small enough to stream and to share out between threads,
// large enough to compress well.
std::uint32_t rows_per_strip(int width)
{
    const int rows = (256 * 1024) / std::max(1, width * 3);
    return static_cast<std::uint32_t>(std::max(1, rows));
}

struct MasterLayout {
    cv::Size size;
    std::uint16_t compression = COMPRESSION_NONE;
    std::uint32_t strip_rows = 1;
    int dpi = 300;
    int deflate_level = default_deflate_level;

    [[nodiscard]] std::size_t strips() const
    {
        return (static_cast<std::size_t>(size.height) + strip_rows - 1) / strip_rows;
    }
};

// The master's tags; the strip encoders get the very same, so that libtiff compresses
// each strip there exactly as it would in the file.
void set_master_tags(TIFF* t, const MasterLayout& layout)
{
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(layout.size.width));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(layout.size.height));
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(t, TIFFTAG_COMPRESSION, layout.compression);
    if (layout.compression != COMPRESSION_NONE) TIFFSetField(t, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
    if (layout.compression == COMPRESSION_ADOBE_DEFLATE) TIFFSetField(t, TIFFTAG_ZIPQUALITY, layout.deflate_level);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, layout.strip_rows);
    TIFFSetField(t, TIFFTAG_XRESOLUTION, static_cast<double>(layout.dpi));
    TIFFSetField(t, TIFFTAG_YRESOLUTION, static_cast<double>(layout.dpi));
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(t, TIFFTAG_SOFTWARE, "digikit");
}

// Strip `index` of the BGR page as RGB bytes in `rgb`; returns its byte count.
tmsize_t strip_as_rgb(const cv::Mat& bgr, const MasterLayout& layout, std::size_t index, std::vector<std::uint8_t>& rgb)
{
    const int y = static_cast<int>(index * layout.strip_rows);
    const int rows = std::min(static_cast<int>(layout.strip_rows), bgr.rows - y);
    rgb.resize(static_cast<std::size_t>(bgr.cols) * 3 * layout.strip_rows);
    cv::Mat strip(rows, bgr.cols, CV_8UC3, rgb.data());
    cv::cvtColor(bgr.rowRange(y, y + rows), strip, cv::COLOR_BGR2RGB);
    return static_cast<tmsize_t>(strip.total() * 3);
}

// The system's reason (e.g. "No space left on device") where libtiff's write left one.
[[noreturn]] void throw_write_error(const std::string& what, const std::filesystem::path& target)
{
    const int saved = errno;
    throw std::runtime_error(what + target.string() + (saved != 0 ? ": " + base::error_text(saved) : ""));
}

void write_strips_in_turn(TIFF* tiff, const cv::Mat& bgr, const MasterLayout& layout,
                          const std::filesystem::path& target)
{
    std::vector<std::uint8_t> rgb;
    for (std::size_t i = 0; i < layout.strips(); ++i) {
        const tmsize_t bytes = strip_as_rgb(bgr, layout, i, rgb);
        errno = 0;
        if (TIFFWriteEncodedStrip(tiff, static_cast<tstrip_t>(i), rgb.data(), bytes) < 0) {
            throw_write_error("cannot write TIFF strip to ", target);
        }
    }
}

// A TIFF held in memory with the master's tags. libtiff's own codec (predictor, then
// deflate or LZW) compresses one strip into it, and the compressed bytes are taken out
// for TIFFWriteRawStrip on the real file. One per thread: a libtiff handle is not shared.
class StripEncoder {
public:
    StripEncoder(const MasterLayout& layout, const std::filesystem::path& target) : layout_(layout)
    {
        tiff_.reset(TIFFClientOpen(target.c_str(), "w", this, &read, &write, &seek, &close, &size, &map, &unmap));
        if (!tiff_) throw std::runtime_error("cannot set up the TIFF strip encoder for " + target.string());
        set_master_tags(tiff_.get(), layout);
    }
    StripEncoder(const StripEncoder&) = delete;
    StripEncoder& operator=(const StripEncoder&) = delete;

    // Compresses strip `index` of `bgr` and returns its bytes as they go into the file.
    std::vector<std::uint8_t> encode(const cv::Mat& bgr, std::size_t index, const std::filesystem::path& target)
    {
        const tmsize_t bytes = strip_as_rgb(bgr, layout_, index, rgb_);
        const auto strip = static_cast<tstrip_t>(index);
        if (TIFFWriteEncodedStrip(tiff_.get(), strip, rgb_.data(), bytes) < 0) {
            throw std::runtime_error("cannot compress TIFF strip for " + target.string());
        }
        const auto offset = static_cast<std::size_t>(TIFFGetStrileOffset(tiff_.get(), strip));
        const auto length = static_cast<std::size_t>(TIFFGetStrileByteCount(tiff_.get(), strip));
        if (offset + length > memory_.size()) throw std::runtime_error("lost a TIFF strip for " + target.string());
        const auto begin = memory_.begin() + static_cast<std::ptrdiff_t>(offset);
        std::vector<std::uint8_t> encoded(begin, begin + static_cast<std::ptrdiff_t>(length));
        memory_.resize(offset);  // the next strip is appended where this one started
        return encoded;
    }

private:
    static StripEncoder& self(thandle_t handle) { return *static_cast<StripEncoder*>(handle); }
    static tmsize_t read(thandle_t handle, void* data, tmsize_t bytes)
    {
        auto& s = self(handle);
        if (s.position_ >= s.memory_.size()) return 0;
        const std::size_t count = std::min(static_cast<std::size_t>(bytes), s.memory_.size() - s.position_);
        std::memcpy(data, s.memory_.data() + s.position_, count);
        s.position_ += count;
        return static_cast<tmsize_t>(count);
    }
    static tmsize_t write(thandle_t handle, void* data, tmsize_t bytes)
    {
        auto& s = self(handle);
        const auto count = static_cast<std::size_t>(bytes);
        if (s.memory_.size() < s.position_ + count) s.memory_.resize(s.position_ + count);
        std::memcpy(s.memory_.data() + s.position_, data, count);
        s.position_ += count;
        return bytes;
    }
    static toff_t seek(thandle_t handle, toff_t offset, int whence)
    {
        auto& s = self(handle);
        const toff_t base = whence == SEEK_CUR ? s.position_ : whence == SEEK_END ? s.memory_.size() : 0;
        s.position_ = static_cast<std::size_t>(base + offset);
        return s.position_;
    }
    static int close(thandle_t) { return 0; }
    static toff_t size(thandle_t handle) { return self(handle).memory_.size(); }
    static int map(thandle_t, void**, toff_t*) { return 0; }
    static void unmap(thandle_t, void*, toff_t) {}

    MasterLayout layout_;
    std::vector<std::uint8_t> memory_;
    std::size_t position_ = 0;
    std::vector<std::uint8_t> rgb_;
    std::unique_ptr<TIFF, TiffCloser> tiff_;  // last: closed before the memory it writes to goes
};

// Strips are compressed a window at a time (memory stays bounded), each on whichever
// thread is free, then appended to the file in order: the same bytes as one thread writes.
void write_strips_in_parallel(TIFF* tiff, const cv::Mat& bgr, const MasterLayout& layout, int threads,
                              const std::filesystem::path& target)
{
    const auto workers = std::min(static_cast<std::size_t>(threads), layout.strips());
    std::vector<std::unique_ptr<StripEncoder>> encoders;
    for (std::size_t w = 0; w < workers; ++w) encoders.push_back(std::make_unique<StripEncoder>(layout, target));
    const std::size_t window = 8 * workers;
    std::vector<std::vector<std::uint8_t>> encoded(window);
    for (std::size_t first = 0; first < layout.strips(); first += window) {
        const std::size_t count = std::min(window, layout.strips() - first);
        parallel_for(count, static_cast<int>(workers), [&](std::size_t i, std::size_t worker) {
            encoded[i] = encoders[worker]->encode(bgr, first + i, target);
        });
        for (std::size_t i = 0; i < count; ++i) {
            const auto bytes = static_cast<tmsize_t>(encoded[i].size());
            errno = 0;
            if (TIFFWriteRawStrip(tiff, static_cast<tstrip_t>(first + i), encoded[i].data(), bytes) < 0) {
                throw_write_error("cannot write TIFF strip to ", target);
            }
        }
    }
}

}  // namespace

void write_tiff_master(const cv::Mat& bgr, const std::filesystem::path& target, TiffCompression compression, int dpi,
                       int threads, int deflate_level)
{
    CV_Assert(bgr.type() == CV_8UC3);
    const MasterLayout layout{bgr.size(), libtiff_compression(compression), rows_per_strip(bgr.cols), dpi,
                              deflate_level};
    base::AtomicFile file(target);
    {
        std::unique_ptr<TIFF, TiffCloser> tiff(TIFFOpen(file.temp_path().c_str(), "w"));
        if (!tiff) throw std::runtime_error("cannot create TIFF " + target.string());
        set_master_tags(tiff.get(), layout);
        // Uncompressed strips are only copied: nothing for a second thread to do.
        if (threads > 1 && layout.compression != COMPRESSION_NONE && layout.strips() > 1) {
            write_strips_in_parallel(tiff.get(), bgr, layout, threads, target);
        } else {
            write_strips_in_turn(tiff.get(), bgr, layout, target);
        }
        errno = 0;
        if (!TIFFFlush(tiff.get())) throw_write_error("cannot finish TIFF ", target);
    }
    file.commit();
}

void write_jpeg_access(const cv::Mat& bgr, const std::filesystem::path& target, int quality, int dpi)
{
    std::vector<uchar> bytes;
    const std::vector<int> parameters{cv::IMWRITE_JPEG_QUALITY, quality};
    if (!cv::imencode(".jpg", bgr, bytes, parameters)) {
        throw std::runtime_error("cannot encode JPEG " + target.string());
    }
    // JFIF APP0 right after SOI: units (1 = dots per inch) then X and Y density.
    if (bytes.size() > 17 && bytes[2] == 0xFF && bytes[3] == 0xE0) {
        const auto density = static_cast<std::uint16_t>(std::clamp(dpi, 1, 65535));
        bytes[13] = 1;
        bytes[14] = bytes[16] = static_cast<uchar>(density >> 8);
        bytes[15] = bytes[17] = static_cast<uchar>(density & 0xFF);
    }
    base::write_file_atomically(target, std::as_bytes(std::span(bytes)));
}

}  // namespace digikit::imaging
