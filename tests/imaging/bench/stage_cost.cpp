// One stage of the page pipeline per run, for counting instructions under qemu-user
// (scripts/pi-budget.sh): each run does every stage up to the one named, so a stage's
// cost is the difference between two runs. One thread, OpenCV's pool off. OpenCV's
// tables are built first, as the daemon does at start (prepare_tables), so the stages
// after `tables` count what each photo costs, not what only the first one pays.
//   digikit_stage_cost STAGE PHOTO OUT_DIR COMPRESSION LEVEL [QUAD...]
// STAGE: start | tables | decode | warp | tiff | jpeg | pipeline | first_look
// COMPRESSION: none | lzw | deflate; LEVEL: the deflate level (1-12)
// QUAD: "x0,y0,x1,y1,x2,y2,x3,y3", a page's corners (from a pipeline report)
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "page_writer.hpp"
#include "photo_decoder.hpp"

namespace {

using namespace digikit::imaging;
using Corners = std::array<cv::Point2f, 4>;

Corners parse_quad(const std::string& text)
{
    Corners corners;
    std::istringstream in(text);
    char comma = 0;
    for (auto& c : corners) in >> c.x >> comma >> c.y >> comma;
    return corners;
}

// The floor's one warp of the page area (as digikit_imaging_speed's floor).
cv::Mat warp_page(const cv::Mat& full, const Corners& from)
{
    const float width = static_cast<float>(cv::norm(from[1] - from[0]));
    const float height = static_cast<float>(cv::norm(from[3] - from[0]));
    const Corners to{cv::Point2f(0, 0), cv::Point2f(width, 0), cv::Point2f(width, height), cv::Point2f(0, height)};
    cv::Mat page;
    cv::warpPerspective(full, page, cv::getPerspectiveTransform(from.data(), to.data()),
                        cv::Size(cvRound(width), cvRound(height)), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return page;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 6) {
        std::fprintf(stderr, "usage: digikit_stage_cost STAGE PHOTO OUT_DIR COMPRESSION LEVEL [QUAD...]\n");
        return 2;
    }
    cv::setNumThreads(0);
    const std::string stage = argv[1];
    const std::filesystem::path photo = argv[2];
    const std::filesystem::path out = argv[3];
    PipelineOptions options;
    options.tiff_compression = parse_tiff_compression(argv[4]);
    options.tiff_level = std::atoi(argv[5]);
    std::filesystem::create_directories(out);
    if (stage == "start") return 0;
    prepare_tables();
    if (stage == "tables") return 0;
    if (stage == "pipeline") return process_photo(photo, out, "stage", options).error ? 1 : 0;
    if (stage == "first_look") return first_look(photo).error ? 1 : 0;

    const cv::Mat full = decode_photo(photo);
    if (stage == "decode") return 0;
    std::vector<cv::Mat> pages;
    for (int i = 6; i < argc; ++i) pages.push_back(warp_page(full, parse_quad(argv[i])));
    if (stage == "warp") return 0;
    for (const auto& page : pages) {
        write_tiff_master(page, out / "stage.tif", options.tiff_compression, 300, 1, options.tiff_level);
    }
    if (stage == "tiff") return 0;
    for (const auto& page : pages) write_jpeg_access(page, out / "stage.jpg", options.jpeg_quality, 300);
    if (stage == "jpeg") return 0;
    std::fprintf(stderr, "digikit_stage_cost: unknown stage %s\n", stage.c_str());
    return 2;
}
