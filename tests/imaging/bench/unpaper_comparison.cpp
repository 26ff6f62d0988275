// Accuracy and time side by side on the same photos for digikit, unpaper 7 and the
// textbook OpenCV scanner (docs/benchmarks.md, Imaging > Accuracy):
//   digikit_unpaper_comparison [W H SEEDS] [unpaper binary]
// The photos are the accuracy case set without the pages that run off the frame (those
// are scored against their visible part by digikit_imaging_accuracy).
#include <unistd.h>
#include <chrono>
#include <cmath>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "../accuracy_cases.hpp"
#include "digikit/base/read_file.hpp"
#include "textbook_scanner.hpp"

using namespace digikit::imaging;
using namespace digikit::imaging::testing;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// unpaper's options for a page photographed on cloth; docs/benchmarks.md explains each.
// UNPAPER_OPTIONS in the environment replaces them, to try others.
const char* const default_unpaper_options =
    "--no-noisefilter --no-blurfilter --no-grayfilter --black-threshold 0.5 --blackfilter-scan-threshold 0.8 "
    "--deskew-scan-range 10 --border-scan-direction v,h --no-mask-center --no-border-align";

struct Rect {
    int left = 0, top = 0, right = 0, bottom = 0;  // inclusive pixel indices, as unpaper prints them
};

// What unpaper did to one sheet, read from its --verbose log: for each mask (one per
// page of the layout) the area it deskewed and the angle, then the border it kept.
struct UnpaperRun {
    std::vector<Rect> masks;
    std::vector<double> rotations;  // radians, unpaper's sign
    std::vector<Rect> borders;      // in sheet pixels
};

UnpaperRun parse_unpaper_log(const std::string& log, cv::Size sheet)
{
    std::map<std::pair<int, int>, Rect> latest_mask;  // by mask-scan point
    UnpaperRun run;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        int x = 0, y = 0;
        Rect r;
        double angle = 0;
        const char* text = line.c_str();
        if (std::sscanf(text, "auto-masking (%d,%d): %d,%d,%d,%d", &x, &y, &r.left, &r.top, &r.right, &r.bottom) == 6) {
            latest_mask[{x, y}] = r;
        } else if (std::sscanf(text, "rotate (%d,%d): %lf", &x, &y, &angle) == 3) {
            run.masks.push_back(latest_mask[{x, y}]);
            run.rotations.push_back(angle);
        } else if (std::sscanf(text, "border detected: (%d,%d,%d,%d)", &r.left, &r.top, &r.right, &r.bottom) == 4) {
            // Widths of the border on each side -> the kept area, as unpaper's borderToMask.
            run.borders.push_back({r.left, r.top, sheet.width - r.right - 1, sheet.height - r.bottom - 1});
        }
    }
    return run;
}

// The page unpaper kept, as a quad in photo pixels: its mask cut to the border it found
// (in the deskewed sheet), mapped back through the rotation unpaper applied to the mask
// (about the mask's middle, as unpaper's rotate() does).
Corners unpaper_quad(const Rect& mask, double rotation, const Rect& border)
{
    const double left = std::max(mask.left, border.left) - 0.5;
    const double top = std::max(mask.top, border.top) - 0.5;
    const double right = std::min(mask.right, border.right) + 0.5;
    const double bottom = std::min(mask.bottom, border.bottom) + 0.5;
    const double mid_x = mask.left + (mask.right - mask.left + 1) / 2.0;
    const double mid_y = mask.top + (mask.bottom - mask.top + 1) / 2.0;
    const double c = std::cos(-rotation);
    const double s = std::sin(-rotation);
    auto to_photo = [&](double x, double y) {
        const double dx = x - mid_x;
        const double dy = y - mid_y;
        return cv::Point2d(mid_x + dx * c + dy * s, mid_y + dy * c - dx * s);
    };
    return {to_photo(left, top), to_photo(right, top), to_photo(right, bottom), to_photo(left, bottom)};
}

struct Tally {
    int pages = 0, found = 0;
    std::vector<double> ious, corners, skews, matches;
    double ms = 0;
    int photos = 0;

    void add(const std::optional<Corners>& quad, const Corners& truth, double match)
    {
        const PageScore s = quad ? score_page(*quad, truth) : PageScore{};
        ++pages;
        found += s.found ? 1 : 0;
        ious.push_back(s.iou);
        corners.push_back(s.corner_error);
        skews.push_back(std::min(s.skew_error, 90.0));
        matches.push_back(match);
    }
    void print(const char* name) const
    {
        std::printf("%-10s %5d/%-3d %6.1f%% %8.4f %8.4f %8.3f %8.3f %8.3f %8.3f %9.0f\n", name, found, pages,
                    100.0 * found / std::max(1, pages),
                    std::accumulate(ious.begin(), ious.end(), 0.0) / std::max<double>(1, static_cast<double>(pages)),
                    percentile(corners, 0.95), percentile(skews, 0.5), percentile(skews, 0.95),
                    percentile(matches, 0.5), percentile(matches, 0.0), ms / std::max(1, photos));
    }
};

}  // namespace

int main(int argc, char** argv)
{
    const int width = argc > 3 ? std::atoi(argv[1]) : 1500;
    const int height = argc > 3 ? std::atoi(argv[2]) : 1000;
    const int seeds = argc > 3 ? std::atoi(argv[3]) : 3;
    const std::string unpaper = argc > 4 ? argv[4] : "unpaper";
    const char* const custom_options = std::getenv("UNPAPER_OPTIONS");
    const std::string unpaper_options = custom_options ? custom_options : default_unpaper_options;
    cv::setNumThreads(1);  // every tool on one thread
    const auto dir =
        std::filesystem::temp_directory_path() / ("digikit-unpaper-comparison-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "out");
    Tally digikit, textbook, unpapered;
    double ppm_ms = 0;
    for (const auto& c : accuracy_cases(width, height, seeds)) {
        if (c.spec.touches_edge) continue;
        if (const char* only = std::getenv("CASE"); only && c.name.find(only) == std::string::npos) continue;
        const auto photo = digikit::capture::render_page_photo(c.spec);
        const auto jpeg = digikit::capture::encode_camera_jpeg(photo.bgr);
        const auto input = dir / (c.name + ".jpg");
        std::ofstream(input, std::ios::binary)
            .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
        const bool spread = photo.pages.size() == 2;

        // digikit: the whole pipeline, masters and access copies written.
        auto start = Clock::now();
        const auto result = process_photo(input, dir / "out", c.name, {});
        digikit.ms += ms_since(start);
        ++digikit.photos;
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            const bool same_count = result.pages.size() == photo.pages.size();
            const auto quad = same_count ? std::optional(corners_of(result.pages[i].quad)) : std::nullopt;
            const double match =
                same_count ? content_match(cv::imread(result.pages[i].access.string()), photo.flat_pages[i]) : 0;
            digikit.add(quad, photo.pages[i], match);
        }

        // The textbook scanner: decode, find, one warp. It never splits a spread, but its
        // one quad is scored against each page (it may have found one of the two).
        start = Clock::now();
        const cv::Mat decoded = cv::imread(input.string());
        const auto quad = textbook_quad(decoded);
        const cv::Mat page = quad ? textbook_page(decoded, *quad) : cv::Mat();
        textbook.ms += ms_since(start);
        ++textbook.photos;
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            textbook.add(quad, photo.pages[i], quad ? content_match(page, photo.flat_pages[i]) : 0);
        }

        // unpaper 7 reads PNM (not a camera JPEG): convert, then run it on the PNM.
        start = Clock::now();
        const auto sheet = dir / (c.name + ".ppm");
        cv::imwrite(sheet.string(), decoded);
        ppm_ms += ms_since(start);
        const auto output = dir / "out" / (c.name + "_unpaper.ppm");
        const auto log = dir / "out" / (c.name + "_unpaper.log");
        const std::string command = unpaper + " -v --overwrite --layout " + (spread ? "double" : "single") + " " +
                                    unpaper_options + " " + sheet.string() + " " + output.string() + " > " +
                                    log.string() + " 2>&1";
        start = Clock::now();
        const int status = std::system(command.c_str());
        unpapered.ms += ms_since(start);
        ++unpapered.photos;
        // A failed run counts as no page found (its log says why).
        if (status != 0) std::printf("%s: unpaper failed: %s\n", c.name.c_str(), command.c_str());
        const UnpaperRun run =
            status == 0 ? parse_unpaper_log(digikit::base::read_file(log), decoded.size()) : UnpaperRun{};
        const cv::Mat cleaned = cv::imread(output.string());
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            if (i >= run.masks.size() || run.borders.empty()) {
                unpapered.add(std::nullopt, photo.pages[i], 0);
                continue;
            }
            const Rect& mask = run.masks[i];
            const Rect& border = run.borders[std::min(i, run.borders.size() - 1)];
            const Corners q = unpaper_quad(mask, run.rotations[i], border);
            // Its page: the kept area of its output, compared with the true page.
            const cv::Rect kept(
                cv::Point(std::max(mask.left, border.left), std::max(mask.top, border.top)),
                cv::Point(std::min(mask.right, border.right) + 1, std::min(mask.bottom, border.bottom) + 1));
            const cv::Rect inside = kept & cv::Rect(0, 0, cleaned.cols, cleaned.rows);
            const double match = inside.area() > 0 ? content_match(cleaned(inside), photo.flat_pages[i]) : 0;
            unpapered.add(q, photo.pages[i], match);
            if (std::getenv("VERBOSE")) {
                const auto s = score_page(q, photo.pages[i]);
                std::printf("%-28s page %zu unpaper iou %.3f skew error %.2f match %.3f\n", c.name.c_str(), i, s.iou,
                            s.skew_error, match);
            }
        }
    }
    std::printf("%dx%d, %d photos (%d pages), one thread each\n", width, height, digikit.photos, digikit.pages);
    std::printf("%-10s %9s %7s %8s %8s %8s %8s %8s %8s %9s\n", "tool", "found", "", "mean IoU", "corner95", "skew50",
                "skew95", "match50", "match0", "ms/photo");
    digikit.print("digikit");
    unpapered.print("unpaper 7");
    textbook.print("textbook");
    std::printf("unpaper's time excludes the JPEG -> PPM conversion it needs: %.0f ms/photo more\n",
                ppm_ms / std::max(1, unpapered.photos));
    std::filesystem::remove_all(dir);
    return 0;
}
