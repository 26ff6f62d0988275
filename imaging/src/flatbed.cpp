#include "page_finder.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace digikit::imaging {
namespace {

// Variance of the row sums of `ink` rotated by `degrees`: text lines line up at the skew.
double profile_sharpness(const cv::Mat& ink, double degrees)
{
    const cv::Point2f centre(static_cast<float>(ink.cols) / 2, static_cast<float>(ink.rows) / 2);
    cv::Mat rotated;
    cv::warpAffine(ink, rotated, cv::getRotationMatrix2D(centre, degrees, 1.0), ink.size(), cv::INTER_NEAREST);
    cv::Mat rows;
    cv::reduce(rotated, rows, 1, cv::REDUCE_SUM, CV_64F);
    cv::Scalar mean;
    cv::Scalar deviation;
    cv::meanStdDev(rows, mean, deviation);
    return deviation[0] * deviation[0];
}

double quad_area(const Quad& q)
{
    std::vector<cv::Point2f> corners;
    for (const auto& c : q) corners.emplace_back(c);
    return cv::contourArea(corners);
}

// The text block, deskewed by projection profile, with a margin.
PageLayout content_layout(const cv::Mat& reduced_bgr)
{
    PageLayout layout;
    cv::Mat grey;
    cv::cvtColor(reduced_bgr, grey, cv::COLOR_BGR2GRAY);
    cv::Mat ink;
    cv::adaptiveThreshold(grey, ink, 1, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV, 25, 15);
    if (cv::countNonZero(ink) < 50) return layout;
    // Coarse then fine search of the skew, within +-10 degrees.
    double best = 0;
    for (double step : {1.0, 0.1}) {
        const double centre = best;
        double best_score = -1;
        for (int k = -10; k <= 10; ++k) {
            const double a = centre + k * step;
            const double score = profile_sharpness(ink, a);
            if (score > best_score) {
                best_score = score;
                best = a;
            }
        }
    }
    // The ink's bounding box in the deskewed frame, with a margin, mapped back.
    const cv::Point2f centre(static_cast<float>(ink.cols) / 2, static_cast<float>(ink.rows) / 2);
    const cv::Mat forward = cv::getRotationMatrix2D(centre, best, 1.0);
    cv::Mat rotated;
    cv::warpAffine(ink, rotated, forward, ink.size(), cv::INTER_NEAREST);
    std::vector<cv::Point> points;
    cv::findNonZero(rotated, points);
    cv::Rect box = cv::boundingRect(points);
    const int margin = std::max(box.width, box.height) / 20;
    box = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin);
    cv::Mat backward;
    cv::invertAffineTransform(forward, backward);
    std::vector<cv::Point2d> corners{{static_cast<double>(box.x), static_cast<double>(box.y)},
                                     {static_cast<double>(box.br().x), static_cast<double>(box.y)},
                                     {static_cast<double>(box.br().x), static_cast<double>(box.br().y)},
                                     {static_cast<double>(box.x), static_cast<double>(box.br().y)}};
    std::vector<cv::Point2d> mapped;
    cv::transform(corners, mapped, backward);
    FoundPage page{{mapped[0], mapped[1], mapped[2], mapped[3]}, {false, false, false, false}};
    for (auto& c : page.quad) {
        c.x = std::clamp(c.x, 0.0, static_cast<double>(reduced_bgr.cols));
        c.y = std::clamp(c.y, 0.0, static_cast<double>(reduced_bgr.rows));
    }
    layout.pages = {page};
    layout.rotation_deg = best;
    return layout;
}

}  // namespace

PageLayout find_flatbed_page(const cv::Mat& reduced_bgr)
{
    PageLayout page = find_pages(reduced_bgr, {SplitMode::never, PageView::single, {}});
    PageLayout content = content_layout(reduced_bgr);
    if (page.pages.empty()) return content;
    if (content.pages.empty()) return page;
    // A page edge only counts when it lies around the text with some margin; otherwise
    // what was found is the text block itself.
    const bool page_holds_text = quad_area(page.pages[0].quad) > 1.15 * quad_area(content.pages[0].quad);
    return page_holds_text ? page : content;
}

}  // namespace digikit::imaging
