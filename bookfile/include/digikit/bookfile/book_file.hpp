#pragma once

// The whole book as one file for Wikisource: a bundled DjVu or a PDF of the book's pages
// in reading order, with an invisible text layer from OCR (Tesseract).
//
//   bookfile::ExportOptions options;
//   options.format = bookfile::Format::djvu;
//   options.ocr_languages = bookfile::tesseract_languages("en");   // "eng"
//   auto result = bookfile::export_book(access_jpegs, info, "Flora (1887).djvu", options);
//
// Each page's OCR is kept beside its image (0001_left_1.hocr, 0001_left_1.ocr.pdf), and
// each encoded page in options.work_dir, so a killed export resumes where it stopped and
// never recognises a page twice. The book file itself is written atomically.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace digikit::bookfile {

// A failure with one line saying what went wrong (a tool's exit status and message, a
// missing language pack naming the Debian package, an unreadable page).
class BookFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Thrown when ExportOptions::stop_requested said so; what is done so far is kept.
class ExportStopped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Format { djvu, pdf };

// "djvu" | "pdf"; throws BookFileError otherwise.
[[nodiscard]] Format parse_format(std::string_view text);
[[nodiscard]] std::string_view extension(Format format);  // ".djvu" / ".pdf"

// What the file says about itself (DjVu metadata, PDF document information).
struct DocumentInfo {
    std::string title;
    std::string author;
    std::string date;
    std::string language;
    std::string publisher;
    std::string rights;   // the licence, e.g. "Public domain (PD-old-70)"
    std::string subject;  // one line: what the file is
};

struct ExportOptions {
    Format format = Format::djvu;
    // Tesseract languages, "eng" or "eng+fra"; empty: no text layer.
    std::string ocr_languages;
    // DjVu: the resolution the pages are encoded at. The page images carry their own
    // (300 ppi from the pipeline); a lower value scales them down.
    int ppi = 300;
    int workers = 1;  // OCR threads, each single-threaded
    // The kit's background build: OCR and encoding at idle priority (SCHED_IDLE, nice 19),
    // taking only time nothing else wants. A person's export runs at normal priority.
    bool idle_priority = false;
    // Encoded pages wait here between runs; empty: beside the output file.
    std::filesystem::path work_dir;
    // Polled often (between pages and inside recognition): true stops the export with
    // ExportStopped. pause: blocks while the kit captures.
    std::function<bool()> stop_requested;
    std::function<void()> pause;
    std::function<void(const std::string&)> log;  // progress, one line each
};

struct ExportResult {
    std::filesystem::path file;
    int pages = 0;
    std::uintmax_t bytes = 0;
    int pages_recognized = 0;  // pages OCRed by this run (the rest were done before)
};

// Builds the book file at `out` from the page images (access JPEGs) in reading order.
[[nodiscard]] ExportResult export_book(const std::vector<std::filesystem::path>& pages, const DocumentInfo& info,
                                       const std::filesystem::path& out, const ExportOptions& options);

// A book's language (ISO 639-1 "en", 639-2 "eng", or Tesseract's "eng+fra", "chi_sim")
// as Tesseract language codes; throws BookFileError for a code it does not know.
[[nodiscard]] std::string tesseract_languages(std::string_view language);

// Throws BookFileError naming the Debian package to install for the first language whose
// data is missing, e.g. "no OCR data for 'fin': install tesseract-ocr-fin".
void check_languages(std::string_view tesseract_languages);

// Where a page's kept OCR lives: beside the page image.
[[nodiscard]] std::filesystem::path hocr_path(const std::filesystem::path& page);
[[nodiscard]] std::filesystem::path ocr_pdf_path(const std::filesystem::path& page);

// Tesseract's OpenMP threads: a worker must use one (measured 4-5x slower with the
// default here). libgomp reads OMP_THREAD_LIMIT when it loads, so a process that will
// OCR calls this first thing: it re-executes itself with OMP_THREAD_LIMIT=1 when unset.
void limit_openmp_threads(char** argv);

}  // namespace digikit::bookfile
