#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "page_finder.hpp"
#include "photo_decoder.hpp"
#include "photo_orientation.hpp"
#include "quality_checks.hpp"

namespace digikit::imaging {
namespace {

constexpr int first_look_long_side = 700;     // a JPEG decoded at 1/8 of 6000 pixels
constexpr double min_rough_sharpness = 40.0;  // focus measure on the reduced image

// Rough focus on the reduced image: Laplacian variance inside the first page's box.
double rough_sharpness(const cv::Mat& grey, const Quad& quad)
{
    std::vector<cv::Point2f> corners;
    for (const auto& c : quad) corners.emplace_back(c);
    cv::Rect box = cv::boundingRect(corners) & cv::Rect(0, 0, grey.cols, grey.rows);
    box = cv::Rect(box.x + box.width / 10, box.y + box.height / 10, box.width * 8 / 10, box.height * 8 / 10);
    if (box.width < 8 || box.height < 8) return 0;
    cv::Mat laplacian;
    cv::Laplacian(grey(box), laplacian, CV_32F);
    cv::Scalar mean;
    cv::Scalar deviation;
    cv::meanStdDev(laplacian, mean, deviation);
    return deviation[0] * deviation[0];
}

}  // namespace

FirstLook first_look(const std::filesystem::path& photo, const FirstLook* previous, const PipelineOptions& options)
{
    FirstLook look;
    try {
        cv::Mat image = decode_photo(photo, reduction_for(photo, first_look_long_side));
        const int longest = std::max(image.cols, image.rows);
        if (longest > 2 * first_look_long_side) {
            const double f = static_cast<double>(first_look_long_side) / longest;
            cv::resize(image, image, cv::Size(), f, f, cv::INTER_AREA);
        }
        if (options.rotate != 0) image = upright(image, checked_rotate(options.rotate));
        cv::Mat grey;
        cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
        look.hash = perceptual_hash(grey);
        const PageLayout layout = find_pages(image, {options.split, options.view, {}});
        look.pages_found = static_cast<int>(layout.pages.size());
        if (layout.pages.empty()) {
            look.warnings.emplace_back("page_not_found");
        } else {
            look.confidence = 1;
            for (const auto& page : layout.pages) look.confidence = std::min(look.confidence, page.confidence);
            if (look.confidence < min_page_confidence) look.warnings.emplace_back("page_uncertain");
            double clipped = 0;
            double white = 255;
            for (const auto& page : layout.pages) {
                const Exposure exposure = page_exposure(grey, page.quad);
                clipped = std::max(clipped, exposure.clipped);
                white = std::min(white, exposure.paper_white);
            }
            look.exposure_clipped = clipped;
            look.paper_white = white;
            look.sharpness = rough_sharpness(grey, layout.pages.front().quad);
            if (clipped > max_clipped) look.warnings.emplace_back("clipped");
            if (white < min_paper_white) look.warnings.emplace_back("underexposed");
            if (look.sharpness < min_rough_sharpness) look.warnings.emplace_back("blurry");
            if (std::abs(layout.rotation_deg) > max_rotation_deg) look.warnings.emplace_back("rotated_over_10_degrees");
        }
        if (previous && !previous->error && hash_distance(previous->hash, look.hash) <= duplicate_hash_distance) {
            look.duplicate = true;
            look.warnings.emplace_back("duplicate");
        }
    } catch (const std::exception& e) {
        look.error = e.what();
    }
    return look;
}

void prepare_tables()
{
    const cv::Mat tiny(8, 8, CV_8UC3, cv::Scalar(180, 200, 220));
    cv::Mat converted;
    cv::cvtColor(tiny, converted, cv::COLOR_BGR2Lab);
    cv::cvtColor(tiny, converted, cv::COLOR_BGR2GRAY);
}

}  // namespace digikit::imaging
