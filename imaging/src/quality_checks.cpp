#include "quality_checks.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// A repeat: the two first pages' print matches this well (normalised correlation, best
// over small shifts). The next page of a book sits in the same place with the same lines
// of text at the same heights, but its words are elsewhere.
constexpr double min_repeat_match = 0.8;
const cv::Size detail_size(120, 168);  // NOLINT(cert-err58-cpp): cv::Size's constructor does not throw
constexpr int detail_shift = 4;        // pixels of detail_size searched each way

// How well two page details match: normalised correlation, best over small shifts.
double detail_match(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b)
{
    const auto area = static_cast<std::size_t>(detail_size.area());
    if (a.size() != area || b.size() != area) return 0;
    const cv::Mat first(detail_size, CV_8U, const_cast<std::uint8_t*>(a.data()));
    const cv::Mat second(detail_size, CV_8U, const_cast<std::uint8_t*>(b.data()));
    const cv::Rect middle(detail_shift, detail_shift, detail_size.width - 2 * detail_shift,
                          detail_size.height - 2 * detail_shift);
    cv::Mat score;
    cv::matchTemplate(second, first(middle), score, cv::TM_CCOEFF_NORMED);
    double best = 0;
    cv::minMaxLoc(score, nullptr, &best);
    return best;
}

cv::Mat to_grey(const cv::Mat& image)
{
    if (image.channels() == 1) return image;
    cv::Mat grey;
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    return grey;
}

}  // namespace

double page_sharpness(const cv::Mat& page_bgr)
{
    constexpr int grid = 5;
    const int tile = std::min({256, page_bgr.cols / (grid + 1), page_bgr.rows / (grid + 1)});
    if (tile < 8) return 0;
    std::vector<double> scores;
    for (int gy = 0; gy < grid; ++gy) {
        for (int gx = 0; gx < grid; ++gx) {
            // Tile centres spread over the inner 80% of the page, away from its edges.
            const int cx = page_bgr.cols / 10 + (page_bgr.cols * 8 / 10) * (2 * gx + 1) / (2 * grid);
            const int cy = page_bgr.rows / 10 + (page_bgr.rows * 8 / 10) * (2 * gy + 1) / (2 * grid);
            const cv::Rect box(cx - tile / 2, cy - tile / 2, tile, tile);
            const cv::Mat grey = to_grey(page_bgr(box & cv::Rect(0, 0, page_bgr.cols, page_bgr.rows)));
            cv::Mat laplacian;
            cv::Laplacian(grey, laplacian, CV_32F);
            cv::Scalar mean;
            cv::Scalar deviation;
            cv::meanStdDev(laplacian, mean, deviation);
            scores.push_back(deviation[0] * deviation[0]);
        }
    }
    std::sort(scores.begin(), scores.end(), std::greater<>());
    const std::size_t top = std::max<std::size_t>(1, scores.size() / 4);
    double sum = 0;
    for (std::size_t i = 0; i < top; ++i) sum += scores[i];
    return sum / static_cast<double>(top);
}

Exposure page_exposure(const cv::Mat& bgr, const Quad& quad)
{
    const cv::Mat grey = to_grey(bgr);
    cv::Mat mask = cv::Mat::zeros(grey.size(), CV_8U);
    std::array<cv::Point, 4> corners;
    for (std::size_t i = 0; i < 4; ++i) corners[i] = cv::Point(cv::Point2d(quad[i]));
    cv::fillConvexPoly(mask, corners.data(), 4, cv::Scalar(255));
    cv::Mat histogram;
    const int channels[] = {0};
    const int bins[] = {256};
    const float range[] = {0, 256};
    const float* ranges[] = {range};
    cv::calcHist(&grey, 1, channels, mask, histogram, 1, bins, ranges);
    const double total = cv::sum(histogram)[0];
    Exposure exposure;
    if (total <= 0) return exposure;
    exposure.clipped = static_cast<double>(histogram.at<float>(0) + histogram.at<float>(255)) / total;
    double seen = 0;
    for (int level = 0; level < 256; ++level) {
        seen += static_cast<double>(histogram.at<float>(level));
        if (seen >= 0.95 * total) {
            exposure.paper_white = level;
            break;
        }
    }
    return exposure;
}

PerceptualHash perceptual_hash(const cv::Mat& image)
{
    cv::Mat small;
    cv::resize(to_grey(image), small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    small.convertTo(small, CV_32F);
    cv::Mat frequencies;
    cv::dct(small, frequencies);
    std::array<float, 64> low{};
    for (std::size_t i = 0; i < low.size(); ++i) {
        low[i] = frequencies.at<float>(static_cast<int>(i / 8), static_cast<int>(i % 8));
    }
    low[0] = 0;  // the mean brightness says nothing about the picture
    std::array<float, 64> sorted = low;
    std::nth_element(sorted.begin(), sorted.begin() + 32, sorted.end());
    const float median = sorted[32];
    PerceptualHash hash = 0;
    for (std::size_t i = 0; i < 64; ++i) {
        if (low[i] > median) hash |= PerceptualHash{1} << i;
    }
    return hash;
}

int hash_distance(PerceptualHash a, PerceptualHash b)
{
    return std::popcount(a ^ b);
}

std::vector<std::uint8_t> page_detail(const cv::Mat& image, const Quad& quad)
{
    cv::Mat page;
    cv::warpPerspective(to_grey(image), page, homography_to_rectangle(quad, detail_size), detail_size, cv::INTER_AREA,
                        cv::BORDER_REPLICATE);
    cv::Mat shading;
    cv::GaussianBlur(page, shading, cv::Size(0, 0), 6.0);
    cv::Mat detail;
    cv::addWeighted(page, 1.0, shading, -1.0, 128.0, detail, CV_8U);
    return {detail.datastart, detail.dataend};
}

Likeness likeness(PerceptualHash hash, const std::vector<std::uint8_t>& detail, PerceptualHash previous_hash,
                  const std::vector<std::uint8_t>& previous_detail)
{
    if (!detail.empty() && !previous_detail.empty()) {
        const double match = detail_match(detail, previous_detail);
        return {"repeat_match", std::round(match * 1000) / 1000, match >= min_repeat_match};
    }
    const int distance = hash_distance(hash, previous_hash);
    return {"duplicate_distance", static_cast<double>(distance), distance <= duplicate_hash_distance};
}

}  // namespace digikit::imaging
