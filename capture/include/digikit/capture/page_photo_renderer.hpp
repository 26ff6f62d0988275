#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace digikit::capture {

// The one renderer of synthetic book photographs: the simulated camera shoots with it
// and the imaging tests draw their ground truth from it, so both see the same world.
// Output is a pure function of the spec (same seed, same pixels).

enum class PhotoLayout { single_page, spread };
enum class PhotoBackground { dark_cloth, mid_cloth, light };

struct PagePhotoSpec {
    std::uint64_t seed = 1;
    int width = 6000;  // 24 MP by default
    int height = 4000;
    PhotoLayout layout = PhotoLayout::single_page;
    PhotoBackground background = PhotoBackground::dark_cloth;
    int first_page_number = 1;
    double rotation_deg = 3.0;       // the page's rotation; sign chosen by the seed
    double perspective = 0.01;       // corner jitter as a fraction of the page diagonal
    double page_fill = 0.80;         // page (or spread) height as a fraction of the photo
    double light_falloff = 0.25;     // uneven light: 0 even, 1 dark in one corner
    double noise_sigma = 3.0;        // sensor noise, in 8-bit grey levels
    bool dark_illustration = false;  // a large dark picture on the page
    bool touches_edge = false;       // the page runs off one side of the frame
    // Body text in real, readable words (page_words of the page number) instead of
    // word-shaped blocks: for OCR tests, which must know what each page says.
    bool words = false;
};

// A quadrilateral in photo pixels, origin top-left: top-left, top-right,
// bottom-right, bottom-left as the page reads. OpenCV's convention: pixel centres sit at
// integer coordinates, so a corner is where the page's outer edge (not its first
// pixel's centre) lies; the flat page's edge at (-0.5, -0.5) maps to the top-left.
using Quad = std::array<cv::Point2d, 4>;

struct RenderedPhoto {
    cv::Mat bgr;                                       // 8-bit, 3 channels, width x height
    std::vector<Quad> pages;                           // ground truth, in reading order
    std::vector<cv::Mat> flat_pages;                   // the true page content, unwarped, per page
                                                       // (paper and print, without light, gutter or noise)
    std::vector<int> page_numbers;                     // the number printed on each page
    std::vector<std::vector<std::string>> page_words;  // with spec.words: the words drawn, per page
};

// The body text of page `page_number` with PagePhotoSpec::words: the same words for every
// seed and size, in reading order, so a test knows them from the printed page number.
[[nodiscard]] std::vector<std::string> page_words(int page_number);

// Throws std::invalid_argument for sizes outside 64x64 .. 24 MP or a silly page_fill.
[[nodiscard]] RenderedPhoto render_page_photo(const PagePhotoSpec& spec);

// JPEG bytes as a camera would produce them.
[[nodiscard]] std::vector<std::uint8_t> encode_camera_jpeg(const cv::Mat& bgr, int quality = 92);

}  // namespace digikit::capture
