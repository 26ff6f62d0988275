#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace digikit::bookfile {

// A box in page pixels, origin top-left, x1/y1 exclusive (hOCR's bbox).
struct Box {
    int x0 = 0;
    int y0 = 0;
    int x1 = 0;
    int y1 = 0;
};

struct OcrWord {
    Box box;
    std::string text;  // UTF-8, character references decoded
};

struct OcrLine {
    Box box;
    std::vector<OcrWord> words;
};

struct OcrPage {
    Box box;  // the whole page: 0 0 width height
    std::vector<OcrLine> lines;
};

// Reads the page, line and word boxes of Tesseract's hOCR. Throws BookFileError when the
// text has no ocr_page.
[[nodiscard]] OcrPage parse_hocr(std::string_view hocr);

// The page's hidden text as djvused's set-txt expression, scaled by `scale` to the
// encoded page of width x height (DjVu counts y from the bottom).
[[nodiscard]] std::string djvu_hidden_text(const OcrPage& page, double scale, int width, int height);

}  // namespace digikit::bookfile
