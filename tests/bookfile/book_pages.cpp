#include "book_pages.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <stdexcept>

#include "digikit/capture/page_photo_renderer.hpp"

namespace digikit::bookfile::testing {
namespace {

// Tesseract here as in the daemon: one OpenMP thread. libgomp reads OMP_THREAD_LIMIT when
// it loads, before main, so the program starts itself again with it set.
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

KnownWordPage write_known_word_page(const std::filesystem::path& jpeg, int number, int width, int height, int lines)
{
    cv::Mat page(height, width, CV_16SC3, cv::Scalar(226, 236, 242));
    cv::Mat grain(height, width, CV_16SC3);
    cv::RNG(static_cast<std::uint64_t>(number)).fill(grain, cv::RNG::NORMAL, 0, 4);  // the same page every time
    page += grain;
    page.convertTo(page, CV_8UC3);
    const double leading = 50;            // 12 points at 300 ppi
    const double font_scale = 29 / 22.0;  // Hershey capitals are 22 units high: 10-point type
    const int thickness = 2;
    const double left = width * 0.11;
    const double right = width * 0.89;
    int baseline = 0;
    const int space = cv::getTextSize("n", cv::FONT_HERSHEY_COMPLEX, font_scale, thickness, &baseline).width;
    KnownWordPage result{jpeg, {}};
    double y = height * 0.09 + leading;
    for (int line = 0; line < lines && y < height * 0.91; ++line, y += leading) {
        double x = left;
        for (const auto& word : capture::page_words(number * 1000 + line)) {
            const int w = cv::getTextSize(word, cv::FONT_HERSHEY_COMPLEX, font_scale, thickness, &baseline).width;
            if (x + w > right) break;
            cv::putText(page, word, cv::Point(static_cast<int>(x), static_cast<int>(y)), cv::FONT_HERSHEY_COMPLEX,
                        font_scale, cv::Scalar(40, 35, 30), thickness, cv::LINE_AA);
            result.words.push_back(word);
            x += w + 1.2 * space;
        }
    }
    if (!cv::imwrite(jpeg.string(), page, {cv::IMWRITE_JPEG_QUALITY, 92})) {
        throw std::runtime_error("cannot write " + jpeg.string());
    }
    return result;
}

std::vector<KnownWordPage> write_known_word_pages(const std::filesystem::path& dir, int count, int width, int height,
                                                  int lines)
{
    std::filesystem::create_directories(dir);
    std::vector<KnownWordPage> pages;
    for (int n = 1; n <= count; ++n) {
        char name[32];
        std::snprintf(name, sizeof name, "page_%04d.jpg", n);
        pages.push_back(write_known_word_page(dir / name, n, width, height, lines));
    }
    return pages;
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

std::string pdfinfo_field(const std::string& info, const std::string& key)
{
    const auto at = ("\n" + info).find("\n" + key + ":");
    if (at == std::string::npos) return {};
    const auto value = info.find_first_not_of(' ', at + key.size() + 1);
    if (value == std::string::npos) return {};
    return info.substr(value, info.find('\n', value) - value);
}

}  // namespace digikit::bookfile::testing
