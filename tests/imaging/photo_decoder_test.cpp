// Decoders bounded before they allocate, and corrupt data refused: the photo decoder
// against files made to hurt it, and against OpenCV on the files it should read the same.
#include "photo_decoder.hpp"

#include <cstdio>  // before jpeglib.h
#include <fstream>

#include <gtest/gtest.h>
#include <jpeglib.h>
#include <tiffio.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "hostile_photos.hpp"
#include "synthetic_photo.hpp"
#include "temp_dir.hpp"

namespace digikit::imaging {
namespace {

using digikit::testing::TempDir;

std::string error_of(const std::filesystem::path& path, int reduction = 1)
{
    try {
        (void)decode_photo(path, reduction);
    } catch (const PhotoError& error) {
        return error.what();
    }
    return "(decoded)";
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::uint8_t>& bytes)
{
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

cv::Mat test_photo()
{
    return testing::synthetic_photo({640, 480}, 3.0, false).bgr;
}

// The bombs are real images: small versions of them decode (to white) with OpenCV.
TEST(HostilePhotos, SmallVersionsOfTheBombsAreValidImages)
{
    TempDir dir;
    digikit::testing::write_tiff_bomb(dir / "small.tif", 200);
    digikit::testing::write_webp_bomb(dir / "small.webp", 200);
    for (const char* name : {"small.tif", "small.webp"}) {
        const cv::Mat image = cv::imread((dir / name).string(), cv::IMREAD_COLOR);
        ASSERT_EQ(image.size(), cv::Size(200, 200)) << name;
        EXPECT_EQ(cv::mean(image), cv::Scalar(255, 255, 255, 0)) << name;
        EXPECT_TRUE(same_pixels(decode_photo(dir / name), image)) << name;
    }
}

// Their peak memory through the whole program: PhotoImport.ABatchWithDecompressionBombs...
TEST(PhotoDecoder, BombsAreRefusedFromTheirHeader)
{
    TempDir dir;
    digikit::testing::write_tiff_bomb(dir / "bomb.tif");
    digikit::testing::write_webp_bomb(dir / "bomb.webp");
    EXPECT_LT(std::filesystem::file_size(dir / "bomb.tif"), 4U << 20);
    EXPECT_LT(std::filesystem::file_size(dir / "bomb.webp"), 100U);
    EXPECT_NE(error_of(dir / "bomb.tif").find("image too large (30000x30000, over 200 MP)"), std::string::npos);
    EXPECT_NE(error_of(dir / "bomb.webp").find("image too large (16383x16383, over 200 MP)"), std::string::npos);
    EXPECT_NE(error_of(dir / "bomb.webp", 8).find("too large"), std::string::npos);
}

// OpenCV turns this into a 14000 x 14000 grey "page" with exit status 0; libjpeg only warns.
TEST(PhotoDecoder, AJpegWhoseDataEndsEarlyIsCorruptNotGrey)
{
    TempDir dir;
    digikit::testing::write_jpeg_claiming(dir / "claims.jpg", 14000, 14000);
    EXPECT_NE(error_of(dir / "claims.jpg").find("corrupt JPEG (Corrupt JPEG data: premature end of data segment)"),
              std::string::npos)
        << error_of(dir / "claims.jpg");
    EXPECT_NE(error_of(dir / "claims.jpg", 8).find("corrupt JPEG"), std::string::npos);

    // A real photo cut in the middle of its scan, with the end marker put back.
    std::vector<std::uint8_t> bytes;
    cv::imencode(".jpg", test_photo(), bytes);
    bytes.resize(bytes.size() / 2);
    bytes.insert(bytes.end(), {0xFF, 0xD9});
    write_bytes(dir / "cut.jpg", bytes);
    ASSERT_FALSE(cv::imread((dir / "cut.jpg").string()).empty()) << "OpenCV is expected to accept it";
    EXPECT_NE(error_of(dir / "cut.jpg").find("corrupt JPEG"), std::string::npos) << error_of(dir / "cut.jpg");
    EXPECT_NE(photo_problem(dir / "cut.jpg").value_or("").find("corrupt JPEG"), std::string::npos);
}

TEST(PhotoDecoder, OnlyJpegPngTiffAndWebpAreAccepted)
{
    TempDir dir;
    const cv::Mat photo = test_photo();
    for (const char* name : {"a.bmp", "a.ppm", "a.jp2", "a.hdr", "a.ras", "a.pfm"}) {
        ASSERT_TRUE(cv::imwrite((dir / name).string(), name == std::string("a.pfm") || name == std::string("a.hdr")
                                                           ? cv::Mat(photo.size(), CV_32FC3, cv::Scalar(1, 1, 1))
                                                           : photo))
            << name;
        EXPECT_NE(error_of(dir / name).find("not a JPEG, PNG, TIFF or WebP photo"), std::string::npos)
            << name << ": " << error_of(dir / name);
    }
    for (const char* name : {"a.jpg", "a.png", "a.tif", "a.webp"}) {
        ASSERT_TRUE(cv::imwrite((dir / name).string(), photo)) << name;
        EXPECT_TRUE(same_pixels(decode_photo(dir / name), cv::imread((dir / name).string()))) << name;
        EXPECT_EQ(photo_problem(dir / name), std::nullopt) << name;
    }
}

TEST(PhotoDecoder, TiffLayoutsThatWouldAllocateBeyondTheImageAreRefused)
{
    TempDir dir;
    const auto write = [&](const std::string& name, std::uint16_t bits, std::uint32_t tile) {
        TIFF* tiff = TIFFOpen((dir / name).c_str(), "w");
        TIFFSetField(tiff, TIFFTAG_IMAGEWIDTH, 128);
        TIFFSetField(tiff, TIFFTAG_IMAGELENGTH, 128);
        TIFFSetField(tiff, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tiff, TIFFTAG_BITSPERSAMPLE, bits);
        TIFFSetField(tiff, TIFFTAG_SAMPLEFORMAT, bits == 32 ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT);
        TIFFSetField(tiff, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(tiff, TIFFTAG_TILEWIDTH, tile);
        TIFFSetField(tiff, TIFFTAG_TILELENGTH, tile);
        std::vector<std::uint8_t> data(std::size_t{tile} * tile * bits / 8, 0x80);
        for (std::uint32_t i = 0; i < TIFFNumberOfTiles(tiff); ++i) {
            TIFFWriteEncodedTile(tiff, i, data.data(), static_cast<tmsize_t>(data.size()));
        }
        TIFFClose(tiff);
    };
    write("float.tif", 32, 64);
    EXPECT_NE(error_of(dir / "float.tif").find("not a photo TIFF (1 samples of 32 bits)"), std::string::npos)
        << error_of(dir / "float.tif");
    write("big-tile.tif", 8, 4096);  // 16 MB of tile for a 16 kB image
    EXPECT_NE(error_of(dir / "big-tile.tif").find("TIFF tiles (4096x4096) do not fit the image"), std::string::npos)
        << error_of(dir / "big-tile.tif");
    write("fine.tif", 8, 64);
    EXPECT_EQ(error_of(dir / "fine.tif"), "(decoded)");
}

// The decoder is libjpeg itself, not OpenCV: it must give the very same pixels, turned by
// the EXIF orientation the same way, at every scale.
TEST(PhotoDecoder, JpegsDecodeAsOpenCvDecodesThemInEveryOrientationAndScale)
{
    TempDir dir;
    std::vector<std::uint8_t> plain;
    cv::Mat photo = test_photo();
    cv::rectangle(photo, cv::Rect(0, 0, 80, 40), cv::Scalar(0, 0, 255), cv::FILLED);  // shows the turn
    cv::imencode(".jpg", photo, plain);
    for (int orientation = 1; orientation <= 8; ++orientation) {
        // An APP1 Exif segment (big-endian TIFF, IFD0 with one entry) right after SOI.
        std::vector<std::uint8_t> app1{
            0xFF, 0xE1, 0x00, 0x22, 'E', 'x',  'i',  'f', 0, 0, 'M', 'M', 0, 42, 0,
            0,    0,    8,    0,    1,   0x01, 0x12, 0,   3, 0, 0,   0,   1, 0,  static_cast<std::uint8_t>(orientation),
            0,    0,    0,    0,    0,   0};
        std::vector<std::uint8_t> bytes(plain.begin(), plain.begin() + 2);
        bytes.insert(bytes.end(), app1.begin(), app1.end());
        bytes.insert(bytes.end(), plain.begin() + 2, plain.end());
        const auto path = dir / ("o" + std::to_string(orientation) + ".jpg");
        write_bytes(path, bytes);
        EXPECT_EQ(exif_orientation(std::span(app1).subspan(4)), orientation);
        EXPECT_TRUE(same_pixels(decode_photo(path), cv::imread(path.string(), cv::IMREAD_COLOR))) << orientation;
        EXPECT_TRUE(same_pixels(decode_photo(path, 4), cv::imread(path.string(), cv::IMREAD_REDUCED_COLOR_4)))
            << orientation;
        EXPECT_TRUE(same_pixels(decode_photo(path, 8, true), cv::imread(path.string(), cv::IMREAD_REDUCED_GRAYSCALE_8)))
            << orientation;
    }
    EXPECT_EQ(exif_orientation({}), 1);
    const std::vector<std::uint8_t> cut{'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F};
    EXPECT_EQ(exif_orientation(cut), 1);
}

TEST(PhotoDecoder, CmykJpegsDecodeAsOpenCvDecodesThem)
{
    TempDir dir;
    const auto path = dir / "cmyk.jpg";
    FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    jpeg_compress_struct info{};
    jpeg_error_mgr errors{};
    info.err = jpeg_std_error(&errors);
    jpeg_create_compress(&info);
    jpeg_stdio_dest(&info, file);
    info.image_width = 96;
    info.image_height = 80;
    info.input_components = 4;
    info.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&info);
    jpeg_start_compress(&info, TRUE);
    std::vector<JSAMPLE> row(96 * 4);
    while (info.next_scanline < info.image_height) {
        for (std::size_t x = 0; x < 96; ++x) {
            for (std::size_t c = 0; c < 4; ++c)
                row[x * 4 + c] = static_cast<JSAMPLE>((x * 7 + c * 50 + info.next_scanline) % 256);
        }
        JSAMPROW pointer = row.data();
        jpeg_write_scanlines(&info, &pointer, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    std::fclose(file);
    EXPECT_TRUE(same_pixels(decode_photo(path), cv::imread(path.string(), cv::IMREAD_COLOR)));
}

}  // namespace
}  // namespace digikit::imaging
