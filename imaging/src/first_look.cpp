#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "page_finder.hpp"
#include "photo_decoder.hpp"
#include "photo_orientation.hpp"
#include "quality_checks.hpp"

namespace digikit::imaging {
namespace {

constexpr int first_look_long_side = 700;  // a JPEG decoded at 1/8 of 6000 pixels
constexpr double min_crispness = 0.15;     // edge_crispness below this: blurry
constexpr int crispness_kernel = 3;        // the further blur, pixels of the reduced image
constexpr float min_print_step = 8;        // grey levels between neighbours: print, not paper
// Skin reaching onto the page, as a fraction of the page: fingertips on a margin stay well
// below, a hand over the text is above. Skin in YCrCb: red well above paper under warm light.
constexpr double max_hand_fraction = 0.03;
constexpr int skin_min_cr = 142;
constexpr int skin_max_cr = 185;
constexpr int skin_min_cb = 77;
constexpr int skin_max_cb = 127;

// Focus on the reduced image, whatever the amount of print: how much of the edges'
// steepness survives a further blur (after Crete-Roffet et al., "The blur effect", 2007).
// A sharp edge loses most of its pixel-to-pixel step when blurred again, an edge already
// soft loses little. 1 - that blur estimate, over the steps of the print inside the
// page's box (flat paper and its noise left out).
double edge_crispness(const cv::Mat& grey, const Quad& quad)
{
    std::vector<cv::Point2f> corners;
    for (const auto& c : quad) corners.emplace_back(c);
    cv::Rect box = cv::boundingRect(corners) & cv::Rect(0, 0, grey.cols, grey.rows);
    box = cv::Rect(box.x + box.width / 10, box.y + box.height / 10, box.width * 8 / 10, box.height * 8 / 10);
    if (box.width < 16 || box.height < 16) return 0;
    cv::Mat page;
    grey(box).convertTo(page, CV_32F);
    double blur = 0;
    for (const bool across : {true, false}) {
        cv::Mat again;
        cv::blur(page, again, across ? cv::Size(crispness_kernel, 1) : cv::Size(1, crispness_kernel));
        const cv::Mat steps = cv::abs(across ? page.colRange(1, page.cols) - page.colRange(0, page.cols - 1)
                                             : page.rowRange(1, page.rows) - page.rowRange(0, page.rows - 1));
        const cv::Mat blurred_steps =
            cv::abs(across ? again.colRange(1, again.cols) - again.colRange(0, again.cols - 1)
                           : again.rowRange(1, again.rows) - again.rowRange(0, again.rows - 1));
        const cv::Mat print = steps > static_cast<double>(min_print_step);
        cv::Mat lost = cv::max(steps - blurred_steps, 0.0);
        cv::Mat mask;
        print.convertTo(mask, CV_32F, 1.0 / 255);
        const double all = cv::sum(steps.mul(mask))[0];
        if (all <= 0) continue;
        blur = std::max(blur, (all - cv::sum(lost.mul(mask))[0]) / all);
    }
    return 1.0 - blur;
}

// A hand reaches in from outside the page: the skin-coloured area inside the page of the
// blobs that also lie beyond its edge, as a fraction of the page (pictures printed on the
// page and a wooden table around it do not cross the edge).
double hand_fraction(const cv::Mat& bgr, const Quad& quad)
{
    cv::Mat page_mask(bgr.size(), CV_8U, cv::Scalar(0));
    std::array<cv::Point, 4> corners;
    for (std::size_t i = 0; i < 4; ++i) corners[i] = cv::Point(quad[i]);
    cv::fillConvexPoly(page_mask, corners.data(), 4, cv::Scalar(255));
    const double page_area = cv::countNonZero(page_mask);
    if (page_area < 64) return 0;
    const int reach = std::max(3, static_cast<int>(std::sqrt(page_area) * 0.03));
    cv::Mat near_page;
    cv::dilate(page_mask, near_page, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(2 * reach + 1, 2 * reach + 1)));
    cv::Mat ycrcb;
    cv::cvtColor(bgr, ycrcb, cv::COLOR_BGR2YCrCb);
    cv::Mat skin;
    cv::inRange(ycrcb, cv::Scalar(40, skin_min_cr, skin_min_cb), cv::Scalar(255, skin_max_cr, skin_max_cb), skin);
    skin &= near_page;
    cv::morphologyEx(skin, skin, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)));
    cv::Mat labels;
    const int count = cv::connectedComponents(skin, labels, 8, CV_32S);
    std::vector<int> inside(static_cast<std::size_t>(count), 0);
    std::vector<bool> beyond(static_cast<std::size_t>(count), false);
    for (int y = 0; y < labels.rows; ++y) {
        const auto* label = labels.ptr<int>(y);
        const auto* on_page = page_mask.ptr<std::uint8_t>(y);
        for (int x = 0; x < labels.cols; ++x) {
            if (label[x] == 0) continue;
            const auto l = static_cast<std::size_t>(label[x]);
            if (on_page[x] != 0) {
                ++inside[l];
            } else {
                beyond[l] = true;
            }
        }
    }
    int largest = 0;
    for (std::size_t l = 1; l < inside.size(); ++l) {
        if (beyond[l]) largest = std::max(largest, inside[l]);
    }
    return largest / page_area;
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
            look.sharpness = edge_crispness(grey, layout.pages.front().quad);
            look.page_detail = page_detail(grey, layout.pages.front().quad);
            if (clipped > max_clipped) look.warnings.emplace_back("clipped");
            if (white < min_paper_white) look.warnings.emplace_back("underexposed");
            if (look.sharpness < min_crispness) look.warnings.emplace_back("blurry");
            if (std::abs(layout.rotation_deg) > max_rotation_deg) look.warnings.emplace_back("rotated_over_10_degrees");
            const bool hand = std::any_of(layout.pages.begin(), layout.pages.end(), [&](const auto& page) {
                return hand_fraction(image, page.quad) > max_hand_fraction;
            });
            if (hand) look.warnings.emplace_back("hand_over_page");
        }
        if (previous && !previous->error &&
            likeness(look.hash, look.page_detail, previous->hash, previous->page_detail).repeat) {
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
    // Mat::zeros's expression object is a singleton made on first use, published without
    // a lock (ThreadSanitizer saw the press and processing threads race on it).
    const cv::Mat zeros = cv::Mat::zeros(8, 8, CV_8U);
    // The image codecs' registry, made on the first encode or decode. Its one-time set-up
    // is guarded inside OpenCV, where ThreadSanitizer cannot see it: the two simulated
    // cameras' first encodes were reported racing on it. Made here, before those threads.
    (void)cv::haveImageWriter(".jpg");
}

}  // namespace digikit::imaging
