#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace digikit::imaging {

enum class SplitMode { automatic, never, always };        // config/CLI: auto | never | always
enum class TiffCompression { none, lzw, deflate };
enum class SourceProfile { camera, flatbed };

// Throw std::invalid_argument naming the accepted values.
[[nodiscard]] SplitMode parse_split_mode(std::string_view text);
[[nodiscard]] TiffCompression parse_tiff_compression(std::string_view text);

struct PipelineOptions {
    SplitMode split = SplitMode::automatic;
    TiffCompression tiff_compression = TiffCompression::deflate;
    int jpeg_quality = 92;
    SourceProfile profile = SourceProfile::camera;
};

struct Point {
    double x = 0;
    double y = 0;
};

struct PageResult {
    std::array<Point, 4> quad{};  // input pixels: top-left, top-right, bottom-right, bottom-left
    std::filesystem::path master;  // TIFF
    std::filesystem::path access;  // JPEG
    int width = 0;
    int height = 0;
    nlohmann::json checks = nlohmann::json::object();  // name -> number
    std::vector<std::string> warnings;
};

struct ImageResult {
    std::filesystem::path input;
    std::optional<std::string> error;  // set when the input could not be processed
    std::vector<PageResult> pages;     // reading order
};

// Processes one photo: finds the page(s), straightens and crops them, writes
// <out_dir>/<stem>_<n>.tif and .jpg atomically (n from 1, reading order).
// Never throws for bad input: the error goes into the result.
[[nodiscard]] ImageResult process_photo(const std::filesystem::path& input, const std::filesystem::path& out_dir,
                                        const std::string& stem, const PipelineOptions& options);

// Expands folders (their image files, sorted by name) and processes every photo with
// `threads` workers; results keep the input order. `on_done` (optional) is called
// after each photo, from the worker, for progress display.
struct BatchOptions {
    PipelineOptions pipeline;
    int threads = 1;
    std::function<void(const ImageResult&, std::size_t done, std::size_t total)> on_done;
};
[[nodiscard]] std::vector<ImageResult> process_batch(const std::vector<std::filesystem::path>& inputs,
                                                     const std::filesystem::path& out_dir, const BatchOptions& options);

// The report of SPEC.md: {"images": [{"input", "error", "pages": [...]}]}.
[[nodiscard]] nlohmann::json report_json(const std::vector<ImageResult>& results);

}  // namespace digikit::imaging
