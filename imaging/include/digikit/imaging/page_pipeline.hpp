#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace digikit::imaging {

enum class SplitMode { automatic, never, always };  // config/CLI: auto | never | always
enum class TiffCompression { none, lzw, deflate };
enum class SourceProfile { camera, flatbed };
// What one camera sees (config/CLI: auto | left-page | right-page | spread | single).
// left_page / right_page: one camera per page of a cradle; the page's gutter is on its
// right (left page) or left (right page) side as the page reads, and the facing page
// beyond the fold is never a page. spread: two pages, split at the gutter. single: one
// page or sheet, never split. automatic: the finder decides.
enum class PageView { automatic, left_page, right_page, spread, single };

// Throw std::invalid_argument naming the accepted values.
[[nodiscard]] SplitMode parse_split_mode(std::string_view text);
[[nodiscard]] TiffCompression parse_tiff_compression(std::string_view text);
[[nodiscard]] PageView parse_page_view(std::string_view text);
[[nodiscard]] std::string_view page_view_name(PageView view);
// `degrees` when it is 0, 90, 180 or 270; otherwise std::invalid_argument.
[[nodiscard]] int checked_rotate(int degrees);

struct Point {
    double x = 0;
    double y = 0;
};

// Corners top-left, top-right, bottom-right, bottom-left as the page reads, in the
// input photo's pixels (origin top-left).
using PageQuad = std::array<Point, 4>;

// The deflate level of TIFF masters (1-12; libtiff compresses with libdeflate). 1, not
// libtiff's 6: on the Raspberry Pi (arm64, scripts/pi-budget.sh) level 6 is 4.2e9
// instructions of a 24 MP photo's 7.9e9, level 1 0.9e9, for a master 16% larger
// (docs/benchmarks.md, "The Raspberry Pi's budget").
inline constexpr int default_deflate_level = 1;

struct PipelineOptions {
    SplitMode split = SplitMode::automatic;
    TiffCompression tiff_compression = TiffCompression::deflate;
    int tiff_level = default_deflate_level;  // deflate only
    int jpeg_quality = 92;
    SourceProfile profile = SourceProfile::camera;
    int resolution_dpi = 300;  // written to the TIFF/JPEG resolution tags
    // Threads one photo may use (bands of the warp, strips of the TIFF compression); the
    // output is the same for any number. process_batch sets it from BatchOptions::threads.
    int threads = 1;
    PageView view = PageView::automatic;
    // How the camera is mounted: the photo turned this many degrees clockwise shows the
    // page(s) upright (0, 90, 180 or 270). Pages come out upright; quads in the result
    // stay in the input photo's pixels, their corners in reading order.
    int rotate = 0;
    // For photos whose mounting nobody gave (`digikit process --turn-by-print`): each
    // page is turned to read upright when its print says so clearly (the lines' direction,
    // then Tesseract's orientation detection); its corners turn with it. Checks
    // `turned_deg` (0, 90, 180, 270) and `turn_sure` (0: left as found). Costs about
    // 0.2 s a page and one Tesseract instance shared by the threads (60 MB in Release,
    // near the SPEC's 350 MB for 24 MP photos on two threads), so it is asked for.
    bool turn_by_print = false;
    // The book's prior for this camera: the running median quad of each page it gave
    // within the book (reading order, input pixels; see book_prior_from), or empty. The
    // finder searches near it and checks against it: a page far from it is flagged
    // size_inconsistent (and page_uncertain when nothing else supports it).
    std::vector<PageQuad> book_prior;
    // Long side in pixels of a small JPEG written beside each access copy (see
    // thumbnail_path), for previews such as the kit's console; 0 writes none.
    int thumbnail_size = 0;
    // Room kept free on out_dir's disk for what matters more than these pages (on the kit:
    // the next captures). A page is not written when its files could leave less than this:
    // the photo fails instead, its error starting "No space left on device". 0 keeps none.
    std::uintmax_t keep_free_bytes = 0;
};

// Where the thumbnail of an access copy goes: pages/0001_left_1.jpg -> 0001_left_1.thumb.jpg.
[[nodiscard]] std::filesystem::path thumbnail_path(const std::filesystem::path& access);

// Below this confidence a page carries the warning page_uncertain.
inline constexpr double min_page_confidence = 0.5;

// A page's first-look measures by name (page_found, rotation_deg, sharpness, clipped,
// paper_white, size_deviation, ...), as the report writes them under "checks": whole
// numbers (page_found) stay whole there.
using CheckValue = std::variant<int, double>;
using PageChecks = std::map<std::string, CheckValue, std::less<>>;
// One measure as a number; throws std::out_of_range naming a check the page lacks.
[[nodiscard]] double check_value(const PageChecks& checks, std::string_view name);
// "name=value, ..." for logs and messages.
[[nodiscard]] std::string describe(const PageChecks& checks);

struct PageResult {
    PageQuad quad{};               // input pixels, reading order
    std::filesystem::path master;  // TIFF
    std::filesystem::path access;  // JPEG
    int width = 0;
    int height = 0;
    PageChecks checks;
    // How well the quad is supported by the photo (edge support of each side, fit of the
    // paper blob, agreement with the book prior), 0..1. Warnings: page_uncertain below
    // min_page_confidence, page_not_found (the quad is then the whole frame, confidence
    // 0), curled (the page's edges are visibly bent; the quad is its four corners).
    double confidence = 0;
    std::vector<std::string> warnings;
};

struct ImageResult {
    std::filesystem::path input;
    std::optional<std::string> error;  // set when the input could not be processed
    std::vector<PageResult> pages;     // reading order
};

// Why `photo` cannot be processed, in one line naming it, or nothing when it can: the
// format (JPEG, PNG, TIFF or WebP), the size limits read from its header, and the whole
// file decoded at 1/8 scale (a truncated or corrupt file fails). For checking imports.
[[nodiscard]] std::optional<std::string> photo_problem(const std::filesystem::path& photo);

// True for a file whose extension is one of the formats photo_problem accepts (.jpg,
// .jpeg, .png, .tif, .tiff, .webp, any case): what `process` and `book add` take.
[[nodiscard]] bool is_image_name(const std::filesystem::path& path);

// True for a file named like a photo (.jpg, .png, .tif, .webp...) or that starts like one,
// readable or not: what no output of ours may replace.
[[nodiscard]] bool looks_like_photo(const std::filesystem::path& path);

// Processes one photo: finds the page(s), straightens and crops them, writes
// <out_dir>/<stem>_<n>.tif and .jpg atomically (n from 1, reading order).
// Never throws for bad input: the error goes into the result.
[[nodiscard]] ImageResult process_photo(const std::filesystem::path& input, const std::filesystem::path& out_dir,
                                        const std::string& stem, const PipelineOptions& options);

// Expands folders (their image files, sorted by name) and processes every photo with
// `threads` threads in all: one photo per thread while there are enough photos, the
// threads shared out inside each photo when there are fewer (pipeline.threads is
// replaced by that share). Results keep the input order. `on_done` (optional) is called
// after each photo, from the worker, for progress display.
struct BatchOptions {
    PipelineOptions pipeline;
    int threads = 1;
    std::function<void(const ImageResult&, std::size_t done, std::size_t total)> on_done;
};
[[nodiscard]] std::vector<ImageResult> process_batch(const std::vector<std::filesystem::path>& inputs,
                                                     const std::filesystem::path& out_dir, const BatchOptions& options);

// The report of SPEC.md as JSON text, `indent` spaces per level:
// {"images": [{"input", "error", "pages": [...]}]}.
[[nodiscard]] std::string report_json(const std::vector<ImageResult>& results, int indent = 2);

// The book prior for PipelineOptions::book_prior from one camera's recent results
// within a book: per page (reading order), the median of each corner over the results
// that found the same number of pages with confidence. Empty with fewer than
// `min_results` such results.
[[nodiscard]] std::vector<PageQuad> book_prior_from(const std::vector<ImageResult>& recent,
                                                    std::size_t min_results = 3);

// A 64-bit perceptual hash (DCT of a 32x32 grey thumbnail) for spotting repeated captures.
using PerceptualHash = std::uint64_t;
// Bits that differ between two hashes; <= duplicate_hash_distance means "same picture".
[[nodiscard]] int hash_distance(PerceptualHash a, PerceptualHash b);
inline constexpr int duplicate_hash_distance = 6;

// The operator's quick verdict, from a reduced decode (no output written): page(s)
// found, exposure, rough sharpness and whether it repeats the previous capture.
struct FirstLook {
    std::optional<std::string> error;  // unreadable input
    int pages_found = 0;
    double exposure_clipped = 0;  // fraction of page pixels at 0 or 255
    double paper_white = 0;       // 95th-percentile grey level inside the page(s)
    double sharpness = 0;         // edge crispness on the reduced image, 0..1, whatever the amount of print
    PerceptualHash hash = 0;
    // The first page straightened to a small fixed size, its print only (shading taken
    // away): what tells the same page shot again from the next page in the same place.
    std::vector<std::uint8_t> page_detail;
    bool duplicate = false;  // same picture as `previous`
    double confidence = 0;   // the least confident page's (0 when none was found)
    // page_not_found / page_uncertain among them mean "retake advised".
    std::vector<std::string> warnings;
    [[nodiscard]] bool ok() const { return !error && pages_found > 0 && warnings.empty(); }
};
[[nodiscard]] FirstLook first_look(const std::filesystem::path& photo, const FirstLook* previous = nullptr,
                                   const PipelineOptions& options = {});

// Builds the tables and objects OpenCV makes on first use (the Lab colour conversion's
// tables, about 0.9 s on a Raspberry Pi 4), so that the daemon's first capture is as quick
// as the rest; and on one thread, before threads that convert, encode or decode photos
// start (OpenCV makes some of them without a lock).
void prepare_tables();

}  // namespace digikit::imaging
