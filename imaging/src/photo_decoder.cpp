// Decoding photos with their size checked first; JPEGs through libjpeg so that corrupt
// data is an error rather than a grey page.
#include "photo_decoder.hpp"

#include <cstdio>  // before jpeglib.h, which uses FILE

#include <jerror.h>
#include <jpeglib.h>

#include <algorithm>
#include <array>
#include <csetjmp>
#include <fstream>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace digikit::imaging {
namespace {

// What libjpeg may allocate besides the image (a progressive JPEG keeps every coefficient:
// 144 MB for a 24 MP 4:4:4 photo); beyond it the decode fails instead of swapping.
constexpr long jpeg_working_memory = 256L * 1024 * 1024;

std::vector<std::uint8_t> read_photo_file(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw PhotoError("no such file: " + path.string());
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw PhotoError("cannot read " + path.string() + ": " + ec.message());
    if (size == 0) throw PhotoError("empty file: " + path.string());
    if (size > max_photo_file_bytes) {
        throw PhotoError("file too large for a photo (" + std::to_string(size >> 20) + " MB): " + path.string());
    }
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> bytes(size);
    if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
        throw PhotoError("cannot read " + path.string());
    }
    return bytes;
}

// A JPEG ends with EOI (FF D9); a truncated file does not, and libjpeg would only warn.
bool jpeg_has_end(std::span<const std::uint8_t> b)
{
    const std::size_t tail = std::min<std::size_t>(b.size(), 4096);
    for (std::size_t i = b.size() - 1; i + tail > b.size() && i > 0; --i) {
        if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
    }
    return false;
}

// libjpeg reports errors through error_exit, which must not return: it jumps back to the
// decode with the message kept. Warnings about corrupt data jump too (libjpeg would carry
// on and fill what it could not decode with grey); traces are ignored.
struct JpegErrors {
    jpeg_error_mgr manager{};
    std::jmp_buf jump{};
    std::string message;
};

[[noreturn]] void jpeg_fail(j_common_ptr cinfo)
{
    auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
    std::array<char, JMSG_LENGTH_MAX> text{};
    (*cinfo->err->format_message)(cinfo, text.data());
    errors->message = text.data();
    std::longjmp(errors->jump, 1);
}

void jpeg_message(j_common_ptr cinfo, int level)
{
    if (level >= 0) return;  // a trace, not a problem
    const int code = cinfo->err->msg_code;
    if (code == JWRN_ADOBE_XFORM || code == JWRN_JFIF_MAJOR) return;  // about a marker, not the image data
    jpeg_fail(cinfo);
}

struct JpegDecompressor {
    jpeg_decompress_struct info{};
    JpegErrors errors;
    JpegDecompressor()
    {
        info.err = jpeg_std_error(&errors.manager);
        errors.manager.error_exit = jpeg_fail;
        errors.manager.emit_message = jpeg_message;
        jpeg_create_decompress(&info);
        info.mem->max_memory_to_use = jpeg_working_memory;
    }
    JpegDecompressor(const JpegDecompressor&) = delete;
    JpegDecompressor& operator=(const JpegDecompressor&) = delete;
    ~JpegDecompressor() { jpeg_destroy_decompress(&info); }
};

int jpeg_orientation(const jpeg_decompress_struct& info)
{
    for (auto* marker = info.marker_list; marker != nullptr; marker = marker->next) {
        if (marker->marker == JPEG_APP0 + 1) {
            const int orientation = exif_orientation({marker->data, marker->data_length});
            if (orientation != 1) return orientation;
        }
    }
    return 1;
}

// As OpenCV turns an image by its EXIF orientation (so results do not depend on the decoder).
void apply_orientation(cv::Mat& image, int orientation)
{
    switch (orientation) {
        case 2: cv::flip(image, image, 1); break;
        case 3: cv::flip(image, image, -1); break;
        case 4: cv::flip(image, image, 0); break;
        case 5: cv::transpose(image, image); break;
        case 6: cv::rotate(image, image, cv::ROTATE_90_CLOCKWISE); break;
        case 7:
            cv::transpose(image, image);
            cv::flip(image, image, -1);
            break;
        case 8: cv::rotate(image, image, cv::ROTATE_90_COUNTERCLOCKWISE); break;
        default: break;
    }
}

// Adobe's inverted CMYK, as OpenCV converts it.
cv::Mat bgr_from_cmyk(const cv::Mat& cmyk)
{
    cv::Mat bgr(cmyk.size(), CV_8UC3);
    for (int y = 0; y < cmyk.rows; ++y) {
        const auto* in = cmyk.ptr<std::uint8_t>(y);
        auto* out = bgr.ptr<std::uint8_t>(y);
        for (int x = 0; x < cmyk.cols; ++x, in += 4, out += 3) {
            const int k = in[3];
            for (int c = 0; c < 3; ++c) out[2 - c] = static_cast<std::uint8_t>(k - (((255 - in[c]) * k) >> 8));
        }
    }
    return bgr;
}

cv::Mat decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& name, int reduction, bool grey)
{
    JpegDecompressor jpeg;
    cv::Mat image;
    if (setjmp(jpeg.errors.jump) != 0) {
        throw PhotoError("corrupt JPEG (" + jpeg.errors.message + "): " + name);
    }
    auto& info = jpeg.info;
    jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&info, TRUE);
    // libjpeg's own reading of the frame size is the one it will allocate for.
    if (static_cast<double>(info.image_width) * info.image_height / 1e6 > max_photo_megapixels) {
        throw PhotoError("image too large (over 200 MP): " + name);
    }
    const int orientation = jpeg_orientation(info);  // the saved markers go with the decompression
    const bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    info.out_color_space = grey ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_EXT_BGR;
    info.scale_num = 1;
    info.scale_denom = static_cast<unsigned>(reduction);
    jpeg_start_decompress(&info);
    image.create(static_cast<int>(info.output_height), static_cast<int>(info.output_width),
                 CV_8UC(info.output_components));
    while (info.output_scanline < info.output_height) {
        auto* row = image.ptr<JSAMPLE>(static_cast<int>(info.output_scanline));
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    cv::Mat result = info.out_color_space == JCS_CMYK ? bgr_from_cmyk(image) : image;
    apply_orientation(result, orientation);
    return result;
}

int opencv_flag(int reduction, bool grey)
{
    switch (reduction) {
        case 2: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2;
        case 4: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4;
        case 8: return grey ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8;
        default: return grey ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
    }
}

}  // namespace

cv::Mat decode_photo_bytes(std::span<const std::uint8_t> bytes, const std::string& name, int reduction, bool grey)
{
    if (bytes.empty()) throw PhotoError("empty file: " + name);
    const PhotoHeader header = read_photo_header(bytes, name);
    cv::Mat image;
    if (header.format == PhotoFormat::jpeg) {
        if (!jpeg_has_end(bytes)) throw PhotoError("truncated JPEG: " + name);
        image = decode_jpeg(bytes, name, reduction, grey);
    } else {
        try {
            const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8U, const_cast<std::uint8_t*>(bytes.data()));
            image = cv::imdecode(raw, opencv_flag(reduction, grey));
        } catch (const cv::Exception& e) {
            throw PhotoError("cannot decode " + name + ": " + e.err);
        }
    }
    if (image.empty()) throw PhotoError("not a readable image: " + name);
    return image;
}

cv::Mat decode_photo(const std::filesystem::path& path, int reduction, bool grey)
{
    const auto bytes = read_photo_file(path);
    return decode_photo_bytes(bytes, path.string(), reduction, grey);
}

int reduction_for(const std::filesystem::path& path, int long_side)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> head(std::size_t{256} * 1024);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    int longest = 0;
    try {
        const PhotoHeader header = read_photo_header(head, path.string());
        if (header.format != PhotoFormat::jpeg) return 1;  // only JPEGs decode at a reduced scale
        longest = std::max(header.width, header.height);
    } catch (const PhotoError&) {
        return 1;  // the decode says what is wrong
    }
    int reduction = 1;
    while (reduction < 8 && longest / (reduction * 2) >= long_side) reduction *= 2;
    return reduction;
}

}  // namespace digikit::imaging
