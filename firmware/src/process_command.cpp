// `digikit process`: the page pipeline on photos from anywhere, with a JSON report.
#include <unistd.h>

#include <iostream>
#include <mutex>

#include "commands.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/imaging/page_pipeline.hpp"

namespace digikit::firmware {
namespace {

// A one-line progress display on a terminal, plain lines otherwise (logs, pipes).
void show_progress(const imaging::ImageResult& result, std::size_t done, std::size_t total)
{
    static std::mutex mutex;
    const std::lock_guard lock(mutex);
    const bool terminal = ::isatty(STDERR_FILENO) != 0;
    std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + result.input.string() + ": ";
    line += result.error ? "error: " + *result.error : std::to_string(result.pages.size()) + " page(s)";
    if (terminal && !result.error) {
        std::cerr << "\r\033[K" << line << (done == total ? "\n" : "") << std::flush;
    } else {
        std::cerr << (terminal ? "\r\033[K" : "") << line << "\n";
    }
}

// The report never replaces a photo (an input, or anything named or made like one); a
// report a killed run left half written is removed.
void check_report_target(const std::filesystem::path& report, const std::vector<std::filesystem::path>& inputs)
{
    std::error_code ec;
    for (const auto& input : inputs) {
        if (std::filesystem::equivalent(report, input, ec)) {
            throw CommandError("--report " + report.string() + " is one of the inputs; name another file");
        }
    }
    if (std::filesystem::is_directory(report, ec)) throw CommandError("--report " + report.string() + " is a folder");
    if (imaging::looks_like_photo(report)) {
        throw CommandError("--report " + report.string() + " is a photo or named like one; name a .json file");
    }
    const auto folder = report.has_parent_path() ? report.parent_path() : std::filesystem::path(".");
    const std::string name = report.filename().string();
    base::remove_atomic_temporaries(folder, [&](const std::string& target) { return target == name; });
}

}  // namespace

int process_command(const Config& config, const ProcessOptions& options)
{
    imaging::BatchOptions batch;
    batch.pipeline = pipeline_options(config);
    if (!options.split.empty()) batch.pipeline.split = imaging::parse_split_mode(options.split);
    if (!options.view.empty()) batch.pipeline.view = imaging::parse_page_view(options.view);
    batch.pipeline.rotate = options.rotate;
    batch.pipeline.turn_by_print = options.turn_by_print;
    batch.threads = options.threads > 0 ? options.threads : config.imaging.threads;
    batch.on_done = show_progress;
    // A missing or unreadable input gets its error in the report; the run goes on.
    if (!options.report.empty()) check_report_target(options.report, options.inputs);
    std::filesystem::create_directories(options.out_dir);

    const auto results = imaging::process_batch(options.inputs, options.out_dir, batch);
    if (!options.report.empty()) {
        base::write_file_atomically(options.report, imaging::report_json(results) + "\n");
    }
    std::size_t pages = 0;
    std::size_t failed = 0;
    for (const auto& result : results) {
        pages += result.pages.size();
        failed += result.error ? 1U : 0U;
    }
    std::cout << results.size() << " photo(s), " << pages << " page(s) written to " << options.out_dir.string();
    if (failed > 0) std::cout << ", " << failed << " photo(s) failed";
    std::cout << "\n";
    if (failed > 0) {
        std::cerr << "digikit: " << failed << " of " << results.size() << " photo(s) could not be processed\n";
        return 1;
    }
    return 0;
}

}  // namespace digikit::firmware
