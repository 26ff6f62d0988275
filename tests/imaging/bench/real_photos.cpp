// Runs the page pipeline on photos with a chosen view and mounting and writes the report
// of `digikit process`, for scoring real photos with score.py:
//   digikit_real_photos --out DIR --report FILE [--fast] [--view V] [--rotate R] [--split S] PHOTO...
// Arguments may repeat between photos: each photo takes the view and rotation given before it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "digikit/imaging/page_pipeline.hpp"

using namespace digikit::imaging;

int main(int argc, char** argv)
{
    std::filesystem::path out = "/tmp/digikit-real-photos";
    std::filesystem::path report;
    PipelineOptions options;
    std::vector<ImageResult> results;
    double total_ms = 0;
    try {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            const auto value = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
                return argv[++i];
            };
            if (arg == "--out") {
                out = value();
            } else if (arg == "--report") {
                report = value();
            } else if (arg == "--view") {
                options.view = parse_page_view(value());
            } else if (arg == "--rotate") {
                options.rotate = checked_rotate(std::stoi(value()));
            } else if (arg == "--fast") {  // no compression: quicker loops, same pages
                options.tiff_compression = TiffCompression::none;
            } else if (arg == "--split") {
                options.split = parse_split_mode(value());
            } else {
                const std::filesystem::path photo = arg;
                const auto start = std::chrono::steady_clock::now();
                results.push_back(process_photo(photo, out, photo.stem().string(), options));
                const double ms =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                total_ms += ms;
                const auto& r = results.back();
                std::printf("%-28s %5.0f ms  %zu page(s)", photo.filename().c_str(), ms, r.pages.size());
                for (const auto& page : r.pages) {
                    std::printf("  [%.2f", page.confidence);
                    for (const auto& w : page.warnings) std::printf(" %s", w.c_str());
                    std::printf("]");
                }
                std::printf("%s\n", r.error ? r.error->c_str() : "");
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "digikit_real_photos: %s\n", e.what());
        return 2;
    }
    if (!report.empty()) std::ofstream(report) << report_json(results, 1) << "\n";
    std::printf("%zu photo(s), %.0f ms per photo\n", results.size(),
                results.empty() ? 0.0 : total_ms / static_cast<double>(results.size()));
    return 0;
}
