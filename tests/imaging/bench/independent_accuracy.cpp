// Prints detection accuracy on photos of the second, independent generator
// (tests/imaging/independent_photos.hpp): digikit_independent_accuracy [W H PHOTOS [FIRST_SEED]]
// Seeds from FIRST_SEED (default 1; others give photos the finder was not developed on).
// Odd seeds are single pages, even seeds spreads, as in the CI test.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>

#include <unistd.h>

#include "../accuracy_cases.hpp"
#include "../independent_photos.hpp"

using namespace digikit::imaging;
using namespace digikit::imaging::testing;

int main(int argc, char** argv)
{
    const int width = argc > 2 ? std::atoi(argv[1]) : 1500;
    const int height = argc > 2 ? std::atoi(argv[2]) : 1000;
    const int photos = argc > 3 ? std::atoi(argv[3]) : 100;
    const auto dir =
        std::filesystem::temp_directory_path() / ("digikit-independent-accuracy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::vector<double> ious, corners, skews;
    int pages = 0, found = 0;
    int doubted_right = 0, silent_wrong = 0;  // calibration: found pages doubted, wrong pages not
    const int first = argc > 4 ? std::atoi(argv[4]) : 1;
    for (int seed = first; seed < first + photos; ++seed) {
        const auto photo = independent_photo({width, height}, static_cast<std::uint64_t>(seed), seed % 2 == 0);
        const std::string name = "independent_" + std::to_string(seed);
        const auto input = dir / (name + ".jpg");
        std::ofstream(input, std::ios::binary)
            .write(reinterpret_cast<const char*>(photo.jpeg.data()), static_cast<std::streamsize>(photo.jpeg.size()));
        const auto result = process_photo(input, dir / "out", name, {});
        const auto doubted = [](const PageResult& page) {
            return std::any_of(page.warnings.begin(), page.warnings.end(),
                               [](const std::string& w) { return w == "page_uncertain" || w == "page_not_found"; });
        };
        pages += static_cast<int>(photo.pages.size());
        if (result.pages.size() != photo.pages.size()) {
            const bool flagged = std::any_of(result.pages.begin(), result.pages.end(), doubted);
            silent_wrong += flagged ? 0 : static_cast<int>(photo.pages.size());
            std::printf("%-18s pages %zu, expected %zu%s (%s)\n", name.c_str(), result.pages.size(), photo.pages.size(),
                        flagged ? ", doubted" : "", photo.description.c_str());
            continue;
        }
        for (std::size_t i = 0; i < photo.pages.size(); ++i) {
            const auto s = score_page(corners_of(result.pages[i].quad), photo.pages[i]);
            found += s.found ? 1 : 0;
            doubted_right += s.found && doubted(result.pages[i]) ? 1 : 0;
            silent_wrong += !s.found && !doubted(result.pages[i]) ? 1 : 0;
            ious.push_back(s.iou);
            corners.push_back(s.corner_error);
            skews.push_back(s.skew_error);
            if (!s.found || doubted(result.pages[i])) {
                std::printf("%-18s page %zu iou %.4f corner %.4f confidence %.3f (%s)\n", name.c_str(), i, s.iou,
                            s.corner_error, result.pages[i].confidence, photo.description.c_str());
            }
        }
    }
    const double mean_iou =
        std::accumulate(ious.begin(), ious.end(), 0.0) / static_cast<double>(std::max<std::size_t>(1, ious.size()));
    std::printf(
        "\nindependent generator %dx%d, %d photos: pages %d, found %d (%.1f%%), mean IoU %.4f, corner error p95 %.4f, "
        "skew error median %.3f p95 %.3f deg\n",
        width, height, photos, pages, found, 100.0 * found / std::max(1, pages), mean_iou, percentile(corners, 0.95),
        percentile(skews, 0.5), percentile(skews, 0.95));
    std::printf("confidence: found pages doubted %d, wrong pages not doubted (silent) %d\n", doubted_right,
                silent_wrong);
    std::filesystem::remove_all(dir);
    return 0;
}
