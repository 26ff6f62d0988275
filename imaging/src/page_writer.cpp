#include "page_writer.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include <tiffio.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/base/atomic_file.hpp"

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

// Strips of about 256 KiB: small enough to stream, large enough to compress well.
std::uint32_t rows_per_strip(int width)
{
    const int rows = (256 * 1024) / std::max(1, width * 3);
    return static_cast<std::uint32_t>(std::max(1, rows));
}

void write_strips(TIFF* tiff, const cv::Mat& bgr, std::uint32_t strip_rows, const std::filesystem::path& target)
{
    const auto row_bytes = static_cast<std::size_t>(bgr.cols) * 3;
    std::vector<std::uint8_t> strip(row_bytes * strip_rows);
    tstrip_t index = 0;
    for (int y = 0; y < bgr.rows; y += static_cast<int>(strip_rows), ++index) {
        const int rows = std::min(static_cast<int>(strip_rows), bgr.rows - y);
        cv::Mat rgb(rows, bgr.cols, CV_8UC3, strip.data());
        cv::cvtColor(bgr.rowRange(y, y + rows), rgb, cv::COLOR_BGR2RGB);
        const auto bytes = static_cast<tmsize_t>(row_bytes * static_cast<std::size_t>(rows));
        if (TIFFWriteEncodedStrip(tiff, index, strip.data(), bytes) < 0) {
            throw std::runtime_error("cannot write TIFF strip to " + target.string());
        }
    }
}

}  // namespace

void write_tiff_master(const cv::Mat& bgr, const std::filesystem::path& target, TiffCompression compression, int dpi)
{
    CV_Assert(bgr.type() == CV_8UC3);
    base::AtomicFile file(target);
    {
        std::unique_ptr<TIFF, TiffCloser> tiff(TIFFOpen(file.temp_path().c_str(), "w"));
        if (!tiff) throw std::runtime_error("cannot create TIFF " + target.string());
        TIFF* t = tiff.get();
        const auto strip_rows = rows_per_strip(bgr.cols);
        const auto compressed = libtiff_compression(compression);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(bgr.cols));
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(bgr.rows));
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(t, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
        TIFFSetField(t, TIFFTAG_COMPRESSION, compressed);
        if (compressed != COMPRESSION_NONE) TIFFSetField(t, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
        if (compressed == COMPRESSION_ADOBE_DEFLATE) TIFFSetField(t, TIFFTAG_ZIPQUALITY, 6);
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, strip_rows);
        TIFFSetField(t, TIFFTAG_XRESOLUTION, static_cast<double>(dpi));
        TIFFSetField(t, TIFFTAG_YRESOLUTION, static_cast<double>(dpi));
        TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
        TIFFSetField(t, TIFFTAG_SOFTWARE, "digikit");
        write_strips(t, bgr, strip_rows, target);
        if (!TIFFFlush(t)) throw std::runtime_error("cannot finish TIFF " + target.string());
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
