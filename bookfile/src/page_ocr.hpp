#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace tesseract {
class TessBaseAPI;
}

namespace digikit::bookfile {

// One OCR worker: a Tesseract instance for the book's languages, used by one thread.
// recognize() reads a page image and keeps, beside it, its hOCR (page, line and word
// boxes) and a one-page PDF (the image as it is, with the text invisible on top).
class PageRecognizer {
public:
    // `interrupted` is polled inside recognition: true abandons the page (nothing kept).
    // `scratch_dir` takes Tesseract's own output before it is copied in place atomically;
    // the caller empties it before a run.
    PageRecognizer(const std::string& languages, std::filesystem::path scratch_dir, std::function<bool()> interrupted);
    PageRecognizer(const PageRecognizer&) = delete;
    PageRecognizer& operator=(const PageRecognizer&) = delete;
    ~PageRecognizer();

    // False when interrupted. The one-page PDF is written first and the hOCR last: a page
    // whose hOCR exists is done and never recognised again.
    bool recognize(const std::filesystem::path& page);

private:
    std::unique_ptr<tesseract::TessBaseAPI> api_;
    std::filesystem::path scratch_dir_;
    std::function<bool()> interrupted_;
};

// Lowers the calling thread to idle priority (SCHED_IDLE, nice 19): OCR takes only the
// time nothing else wants.
void make_thread_idle();

}  // namespace digikit::bookfile
