#include "book_pages.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "command.hpp"
#include "digikit/capture/page_photo_renderer.hpp"

namespace digikit::bookfile::testing {
namespace {

// Tesseract here as in the daemon: one OpenMP thread. libgomp reads OMP_THREAD_LIMIT when
// it loads, before main, so the test program starts itself again with it set.
[[maybe_unused]] const bool openmp_limited = [] {
    if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return true;
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::vector<std::string> args;
    for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::setenv("OMP_THREAD_LIMIT", "1", 1);
    ::execv("/proc/self/exe", argv.data());
    return false;
}();

}  // namespace

std::vector<std::filesystem::path> write_known_word_pages(const std::filesystem::path& dir, int count)
{
    std::filesystem::create_directories(dir);
    std::vector<std::filesystem::path> pages;
    for (int n = 1; n <= count; ++n) {
        capture::PagePhotoSpec spec;
        spec.seed = static_cast<std::uint64_t>(n);
        spec.width = 1100;  // a page of about 1000 x 1400 px: small enough for CI, big enough to read
        spec.height = 1500;
        spec.page_fill = 0.95;
        spec.first_page_number = n;
        spec.words = true;
        const auto photo = capture::render_page_photo(spec);
        char name[32];
        std::snprintf(name, sizeof name, "page_%04d.jpg", n);
        pages.push_back(dir / name);
        cv::imwrite(pages.back().string(), photo.flat_pages.at(0), {cv::IMWRITE_JPEG_QUALITY, 90});
    }
    return pages;
}

std::string read_with(const std::vector<std::string>& args)
{
    const auto result = digikit::testing::run_command(args);
    EXPECT_EQ(result.exit_code, 0) << args[0] << ": " << result.err;
    return result.out;
}

double share_found(const std::vector<std::string>& expected, const std::string& text)
{
    std::map<std::string, int> found;
    std::istringstream words(text);
    for (std::string word; words >> word;) ++found[word];
    int hits = 0;
    for (const auto& word : expected) {
        if (found[word] > 0) {
            --found[word];
            ++hits;
        }
    }
    return expected.empty() ? 1.0 : static_cast<double>(hits) / static_cast<double>(expected.size());
}

}  // namespace digikit::bookfile::testing
