#pragma once

// A photo of one page of an open book seen from above, nearly filling the frame: what the
// real phone and overhead photos of one page show (../shared/real-photos pd_*, lept_*),
// drawn so that its truth is known. Used by side_fitting_test.cpp and by the benchmark
// tool bench/frame_filling_pages.cpp.
#include <cmath>
#include <cstdlib>

#include <opencv2/imgproc.hpp>

#include "quad_geometry.hpp"

namespace digikit::imaging::testing {

// 420x500: a table (`table`) above and below the page, the edges of the leaves below it
// at its fore-edge (grey stripes, x < `stack`), the page (205) from `top` to `bottom` up
// to a dark fold at x 320-328, the facing page (198) running out of the frame beyond it;
// print as short dark words on both pages. `angle` (degrees, counter-clockwise) turns the
// photo about its centre, the table's border replicated.
struct FrameFillingPage {
    static constexpr int fold = 320;
    int top;
    int bottom;
    int stack;
    int table;
    cv::Mat bgr = cv::Mat(500, 420, CV_8UC3);
    cv::Mat grey;
    Quad truth;  // the page's corners, its right side on the fold

    FrameFillingPage(int top_, int bottom_, int stack_, int table_, double angle = 0)
        : top(top_), bottom(bottom_), stack(stack_), table(table_)
    {
        bgr.setTo(cv::Scalar::all(table));
        for (int x = 2; x < stack; ++x) {
            bgr(cv::Rect(x, top + 3, 1, bottom - top - 6)).setTo(cv::Scalar::all((x / 3) % 2 != 0 ? 170 : 120));
        }
        bgr(cv::Rect(stack, top, fold - stack, bottom - top)).setTo(cv::Scalar::all(205));
        bgr(cv::Rect(fold + 8, top, bgr.cols - fold - 8, bottom - top)).setTo(cv::Scalar::all(198));
        for (int x = fold; x < fold + 8; ++x) {
            bgr(cv::Rect(x, top, 1, bottom - top)).setTo(cv::Scalar::all(110 + std::abs(x - fold - 4) * 12));
        }
        for (int y = top + 40; y < bottom - 40; y += 16) {
            for (int x = stack + 25; x < bgr.cols; x += 22) {
                if (x + 14 < fold - 20 || x > fold + 25) {
                    cv::rectangle(bgr, {x, y}, {x + 14, y + 6}, cv::Scalar::all(70), cv::FILLED);
                }
            }
        }
        cv::GaussianBlur(bgr, bgr, cv::Size(3, 3), 0);
        const double right = fold + 1;
        truth = {cv::Point2d(stack, top), cv::Point2d(right, top), cv::Point2d(right, bottom),
                 cv::Point2d(stack, bottom)};
        if (angle != 0) {
            const cv::Mat turn = cv::getRotationMatrix2D(cv::Point2f(210, 250), angle, 1.0);
            cv::warpAffine(bgr, bgr, turn, bgr.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
            for (auto& c : truth) {
                c = {turn.at<double>(0, 0) * c.x + turn.at<double>(0, 1) * c.y + turn.at<double>(0, 2),
                     turn.at<double>(1, 0) * c.x + turn.at<double>(1, 1) * c.y + turn.at<double>(1, 2)};
            }
        }
        cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    }
};

// The largest distance of a found corner from its true one.
inline double worst_corner(const Quad& found, const Quad& truth)
{
    double worst = 0;
    for (std::size_t k = 0; k < 4; ++k) worst = std::max(worst, norm(found[k] - truth[k]));
    return worst;
}

}  // namespace digikit::imaging::testing
