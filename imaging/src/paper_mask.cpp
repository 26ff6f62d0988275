#include "paper_mask.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"

namespace digikit::imaging {
namespace {

// A page's outline is straight, but where the paper's brightness crosses the
// background's (a gutter shadow on a light background) it has no edge
// for a stretch: long straight runs of edge pixels are joined across such gaps.
void bridge_straight_gaps(cv::Mat& edges)
{
    const int size = std::min(edges.cols, edges.rows);
    // Only long runs can be part of an outline: the letters' short edges are left out,
    // which also keeps the line search quick.
    cv::Mat labels;
    cv::Mat stats;
    cv::Mat centres;
    const int count = cv::connectedComponentsWithStats(edges, labels, stats, centres, 8, CV_32S);
    std::vector<uchar> long_run(static_cast<std::size_t>(count), 0);
    for (int i = 1; i < count; ++i) {
        const int extent = std::max(stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
        long_run[static_cast<std::size_t>(i)] = extent >= size / tuning.long_run_share ? 255 : 0;
    }
    cv::Mat runs(edges.size(), CV_8U);
    for (int y = 0; y < edges.rows; ++y) {
        const auto* label = labels.ptr<int>(y);
        auto* out = runs.ptr<uchar>(y);
        for (int x = 0; x < edges.cols; ++x) out[x] = long_run[static_cast<std::size_t>(label[x])];
    }
    std::vector<cv::Vec4i> segments;
    cv::HoughLinesP(runs, segments, 1, CV_PI / 360, size / 10, size / 8.0, size / 6.0);
    for (const auto& s : segments) cv::line(edges, {s[0], s[1]}, {s[2], s[3]}, cv::Scalar(255), 1);
}

// The pixels on the high side of Otsu's threshold of one channel (smoothed first), with
// specks opened away and small holes closed.
cv::Mat otsu_blob(const cv::Mat& single_channel)
{
    const cv::Size size(tuning.mask_kernel, tuning.mask_kernel);
    cv::Mat smooth;
    cv::GaussianBlur(single_channel, smooth, size, 0);
    cv::Mat mask;
    cv::threshold(smooth, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_RECT, size);
    cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kernel);
    cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel);
    return mask;
}

}  // namespace

// Paper differs from the background; the background is what fills the frame's border.
cv::Mat difference_from_background(const cv::Mat& bgr)
{
    cv::Mat lab;
    cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
    const int ring = std::max(2, std::min(bgr.cols, bgr.rows) / tuning.border_ring_share);
    std::array<std::vector<uchar>, 3> samples;
    for (int y = 0; y < lab.rows; ++y) {
        const auto* row = lab.ptr<cv::Vec3b>(y);
        const bool edge_row = y < ring || y >= lab.rows - ring;
        for (int x = 0; x < lab.cols; x += (edge_row ? 2 : 1)) {
            if (!edge_row && x == ring) x = lab.cols - ring;
            for (std::size_t c = 0; c < 3; ++c) samples[c].push_back(row[x][static_cast<int>(c)]);
        }
    }
    std::array<double, 3> background{};
    for (std::size_t c = 0; c < 3; ++c) {
        auto& s = samples[c];
        std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2), s.end());
        background[c] = s[s.size() / 2];
    }
    cv::Mat difference(lab.size(), CV_8U);
    for (int y = 0; y < lab.rows; ++y) {
        const auto* in = lab.ptr<cv::Vec3b>(y);
        auto* out = difference.ptr<uchar>(y);
        for (int x = 0; x < lab.cols; ++x) {
            const double dl = in[x][0] - background[0];
            const double da = in[x][1] - background[1];
            const double db = in[x][2] - background[2];
            // Chroma counts double: paper is grey, cloth often is not.
            out[x] = cv::saturate_cast<uchar>(std::sqrt(dl * dl + tuning.chroma_weight * (da * da + db * db)));
        }
    }
    return difference;
}

cv::Mat paper_mask(const cv::Mat& bgr)
{
    return otsu_blob(difference_from_background(bgr));
}

cv::Mat brighter_than_surroundings(const cv::Mat& bgr)
{
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    return otsu_blob(grey);
}

cv::Mat unreached_by_background(const cv::Mat& bgr)
{
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    cv::GaussianBlur(grey, grey, cv::Size(5, 5), 0);
    cv::Mat edges;
    cv::Canny(grey, edges, tuning.canny_low, tuning.canny_high);
    // Tinted paper on a neutral board can match it in brightness along a stretch of its
    // outline (a corner in the lamp's falloff) and still differ in colour: edges in the
    // difference from the background (chroma weighted) count too.
    const cv::Mat difference = difference_from_background(bgr);
    cv::Mat smooth_difference;
    cv::GaussianBlur(difference, smooth_difference, cv::Size(5, 5), 0);
    cv::Mat colour_edges;
    cv::Canny(smooth_difference, colour_edges, tuning.canny_low, tuning.canny_high);
    edges |= colour_edges;
    bridge_straight_gaps(edges);
    // Thickened to close small gaps in the page's outline; undone on the result below.
    const cv::Mat thicken = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
    cv::dilate(edges, edges, thicken);
    // floodFill needs a mask two pixels larger; non-zero mask pixels stop the fill.
    cv::Mat fill(bgr.rows + 2, bgr.cols + 2, CV_8U, cv::Scalar(0));
    edges.copyTo(fill(cv::Rect(1, 1, bgr.cols, bgr.rows)));
    cv::Mat scratch = grey.clone();
    auto seed = [&](int x, int y) {
        if (fill.at<uchar>(y + 1, x + 1) == 0 && difference.at<uchar>(y, x) < tuning.background_seed_difference) {
            // Neighbour to neighbour within 3 grey levels: smooth light falloff passes,
            // the gutter's shadow and the page edge do not.
            cv::floodFill(scratch, fill, cv::Point(x, y), cv::Scalar(0), nullptr, cv::Scalar(tuning.flood_step),
                          cv::Scalar(tuning.flood_step), 4 | cv::FLOODFILL_MASK_ONLY | (128 << 8));
        }
    };
    for (int x = 0; x < bgr.cols; x += 4) {
        seed(x, 0);
        seed(x, bgr.rows - 1);
    }
    for (int y = 0; y < bgr.rows; y += 4) {
        seed(0, y);
        seed(bgr.cols - 1, y);
    }
    const cv::Mat reached = fill(cv::Rect(1, 1, bgr.cols, bgr.rows)) == 128;
    cv::Mat mask = ~reached;
    // Half the thickening back (a thin outline must stay closed; the refinement at full
    // resolution removes the last pixel of bias).
    cv::erode(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)));
    // Where the fill leaked into a page (through its shadowed gutter) the page's closed
    // outline is left: fill every outline solid.
    cv::Mat sealed;
    cv::morphologyEx(mask, sealed, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_RECT, cv::Size(tuning.seal_kernel, tuning.seal_kernel)));
    std::vector<std::vector<cv::Point>> outlines;
    cv::findContours(sealed, outlines, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    cv::drawContours(mask, outlines, -1, cv::Scalar(255), cv::FILLED);
    return mask;
}

}  // namespace digikit::imaging
