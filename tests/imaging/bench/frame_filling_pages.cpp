// The page finder on drawn photos of one page nearly filling the frame (the facing page
// beyond a dark fold, the leaves' stripes at the fore-edge, a table above and below):
// 144 photos over the page's distance from the frame, the band of leaves and the table's
// grey, optionally turned by ANGLE degrees. A page is correct with every corner within 2%
// of its diagonal; a wrong page without doubt (confidence below min_page_confidence) is
// silent.
//   digikit_frame_filling_pages [ANGLE] [--list]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../frame_filling_page.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "page_finder.hpp"

using namespace digikit::imaging;

int main(int argc, char** argv)
{
    double angle = 0;
    bool list = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--list") == 0) {
            list = true;
        } else {
            angle = std::atof(argv[i]);
        }
    }
    int photos = 0;
    int correct = 0;
    int doubted = 0;
    int silent = 0;
    for (const int top : {2, 4, 8, 12, 16, 24}) {
        for (const int bottom : {476, 488, 492, 497}) {
            for (const int stack : {16, 30}) {
                for (const int table : {40, 70, 100}) {
                    const testing::FrameFillingPage photo(top, bottom, stack, table, angle);
                    const PageLayout layout = find_pages(photo.bgr, FinderRequest{});
                    ++photos;
                    const double diagonal = norm(photo.truth[2] - photo.truth[0]);
                    const char* verdict = "not found";
                    double worst = 0;
                    double confidence = 0;
                    if (layout.pages.size() == 1) {
                        worst = testing::worst_corner(layout.pages[0].quad, photo.truth);
                        confidence = layout.pages[0].confidence;
                        verdict = worst <= 0.02 * diagonal           ? "correct"
                                  : confidence < min_page_confidence ? "doubted"
                                                                     : "SILENT";
                    }
                    correct += std::strcmp(verdict, "correct") == 0 ? 1 : 0;
                    silent += std::strcmp(verdict, "SILENT") == 0 ? 1 : 0;
                    doubted += std::strcmp(verdict, "doubted") == 0 || std::strcmp(verdict, "not found") == 0 ? 1 : 0;
                    if (list) {
                        std::printf("top %2d bottom %d leaves %d table %3d: %-9s corner %5.1f px, confidence %.2f\n",
                                    top, bottom, stack, table, verdict, worst, confidence);
                    }
                }
            }
        }
    }
    std::printf("angle %.1f: %d photos, %d correct, %d doubted or not found, %d silent\n", angle, photos, correct,
                doubted, silent);
    return 0;
}
