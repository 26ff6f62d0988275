// Prints detection accuracy over the rendered case set: digikit_imaging_accuracy [W H SEEDS]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <optional>

#include <opencv2/imgcodecs.hpp>

#include "../accuracy_cases.hpp"
#include "textbook_scanner.hpp"

using namespace digikit::imaging;
using namespace digikit::imaging::testing;

int main(int argc, char** argv)
{
    std::vector<double> textbook_ious, textbook_corners;
    int textbook_found = 0;
    const int width = argc > 2 ? std::atoi(argv[1]) : 1500;
    const int height = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int seeds = argc > 3 ? std::atoi(argv[3]) : 3;
    const auto dir = std::filesystem::temp_directory_path() / ("digikit-imaging-accuracy-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::vector<double> ious, corners, skews, matches, visible;
    int pages = 0, found = 0, wrong_count = 0, off_frame = 0;
    int doubted_right = 0, silent_wrong = 0;  // calibration: found pages doubted, wrong pages not
    std::vector<double> confidences;
    for (const auto& c : accuracy_cases(width, height, seeds)) {
        if (const char* only = std::getenv("CASE"); only && c.name.find(only) == std::string::npos) continue;
        const auto photo = digikit::capture::render_page_photo(c.spec);
        const auto jpeg = digikit::capture::encode_camera_jpeg(photo.bgr);
        const auto input = dir / (c.name + ".jpg");
        std::ofstream(input, std::ios::binary)
            .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
        const auto result = process_photo(input, dir / "out", c.name, {});
        if (!c.spec.touches_edge) {
            const auto quad = textbook_quad(cv::imread(input.string()));
            for (const auto& truth : photo.pages) {  // one quad: right at most for single pages
                const auto s = quad ? score_page(*quad, truth) : PageScore{};
                textbook_found += s.found ? 1 : 0;
                textbook_ious.push_back(s.iou);
                textbook_corners.push_back(s.corner_error);
            }
        }
        if (result.pages.size() != photo.pages.size()) {
            ++wrong_count;
            std::printf("%-28s pages %zu, expected %zu %s\n", c.name.c_str(), result.pages.size(), photo.pages.size(),
                        result.error ? result.error->c_str() : "");
            for (const auto& page : result.pages) {
                const auto q = corners_of(page.quad);
                std::printf("   found %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f\n", q[0].x, q[0].y, q[1].x, q[1].y,
                            q[2].x, q[2].y, q[3].x, q[3].y);
            }
            for (const auto& q : photo.pages)
                std::printf("   truth %.0f,%.0f %.0f,%.0f %.0f,%.0f %.0f,%.0f\n", q[0].x, q[0].y, q[1].x, q[1].y,
                            q[2].x, q[2].y, q[3].x, q[3].y);
            if (std::getenv("KEEP")) cv::imwrite("/tmp/" + c.name + ".png", photo.bgr);
            if (c.spec.touches_edge)
                off_frame += static_cast<int>(photo.pages.size());
            else
                pages += static_cast<int>(photo.pages.size());
            continue;
        }
        const bool cut_by_frame = c.spec.touches_edge;
        for (std::size_t i = 0; i < photo.pages.size() && cut_by_frame; ++i) {
            // Only the visible part can be found: compare with the truth clipped to the frame.
            visible.push_back(visible_iou(corners_of(result.pages[i].quad), photo.pages[i], photo.bgr.size()));
            ++off_frame;
        }
        for (std::size_t i = 0; i < photo.pages.size() && !cut_by_frame; ++i) {
            const auto s = score_page(corners_of(result.pages[i].quad), photo.pages[i]);
            const double match = content_match(cv::imread(result.pages[i].access.string()), photo.flat_pages[i]);
            ++pages;
            found += s.found ? 1 : 0;
            const auto& w = result.pages[i].warnings;
            const bool doubted = std::find(w.begin(), w.end(), "page_uncertain") != w.end() ||
                                 std::find(w.begin(), w.end(), "page_not_found") != w.end();
            doubted_right += s.found && doubted ? 1 : 0;
            silent_wrong += !s.found && !doubted ? 1 : 0;
            confidences.push_back(result.pages[i].confidence);
            if (doubted)
                std::printf("%-28s page %zu doubted: confidence %.3f\n", c.name.c_str(), i, result.pages[i].confidence);
            ious.push_back(s.iou);
            corners.push_back(s.corner_error);
            skews.push_back(s.skew_error);
            matches.push_back(match);
            if (s.iou < 0.98 || s.corner_error > 0.005 || s.skew_error > 0.3 || match < 0.9) {
                std::printf("%-28s page %zu iou %.4f corner %.4f skew %.3f match %.3f rot %.1f\n", c.name.c_str(), i,
                            s.iou, s.corner_error, s.skew_error, match, c.spec.rotation_deg);
            }
        }
    }
    double mean_iou = 0;
    for (double v : ious) mean_iou += v;
    mean_iou /= static_cast<double>(std::max<std::size_t>(1, ious.size()));
    std::printf(
        "\n%dx%d: pages %d, found %d (%.1f%%), wrong page count %d, mean IoU %.4f, corner error p95 %.4f, "
        "skew error median %.3f p95 %.3f deg, content match min %.3f\n",
        width, height, pages, found, 100.0 * found / std::max(1, pages), wrong_count, mean_iou,
        percentile(corners, 0.95), percentile(skews, 0.5), percentile(skews, 0.95), percentile(matches, 0.0));
    std::printf(
        "confidence: found pages doubted %d, wrong pages not doubted (silent) %d, confidence min %.3f "
        "p5 %.3f median %.3f\n",
        doubted_right, silent_wrong, percentile(confidences, 0.0), percentile(confidences, 0.05),
        percentile(confidences, 0.5));
    std::printf("textbook OpenCV scanner on the same photos: found %d (%.1f%%), mean IoU %.4f, corner error p95 %.4f\n",
                textbook_found, 100.0 * textbook_found / std::max(1, pages),
                std::accumulate(textbook_ious.begin(), textbook_ious.end(), 0.0) /
                    static_cast<double>(std::max<std::size_t>(1, textbook_ious.size())),
                percentile(textbook_corners, 0.95));
    std::printf(
        "(photos above exclude touches_edge) pages running off the frame: %d, found %zu, IoU with their "
        "visible part: mean %.4f, min %.4f\n",
        off_frame, visible.size(),
        visible.empty() ? 0.0
                        : std::accumulate(visible.begin(), visible.end(), 0.0) / static_cast<double>(visible.size()),
        percentile(visible, 0.0));
    std::filesystem::remove_all(dir);
    return 0;
}
