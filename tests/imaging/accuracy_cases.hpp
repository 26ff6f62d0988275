#pragma once

#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "quad_metrics.hpp"

namespace digikit::imaging::testing {

struct AccuracyCase {
    std::string name;
    capture::PagePhotoSpec spec;
};

// A fixed set of rendered photos covering every difficulty of issue 3, singles and
// spreads alike; rotations spread over 0-10 degrees by seed.
inline std::vector<AccuracyCase> accuracy_cases(int width, int height, int seeds_per_kind)
{
    std::vector<AccuracyCase> cases;
    const std::vector<std::string> kinds{"plain", "mid_cloth",    "light_background", "perspective", "uneven_light",
                                         "noise", "illustration", "rotated_10",       "touches_edge"};
    for (const auto layout : {capture::PhotoLayout::single_page, capture::PhotoLayout::spread}) {
        for (const auto& kind : kinds) {
            for (int s = 0; s < seeds_per_kind; ++s) {
                capture::PagePhotoSpec spec;
                spec.seed = static_cast<std::uint64_t>(1000 + cases.size());
                spec.width = width;
                spec.height = height;
                spec.layout = layout;
                spec.rotation_deg = 10.0 * ((s * 7 + static_cast<int>(cases.size()) * 3) % 11) / 10.0;
                if (kind == "mid_cloth") spec.background = capture::PhotoBackground::mid_cloth;
                if (kind == "light_background") spec.background = capture::PhotoBackground::light;
                if (kind == "perspective") spec.perspective = 0.02;
                if (kind == "uneven_light") spec.light_falloff = 0.5;
                if (kind == "noise") spec.noise_sigma = 8.0;
                if (kind == "illustration") spec.dark_illustration = true;
                if (kind == "rotated_10") spec.rotation_deg = 10.0;
                if (kind == "touches_edge") spec.touches_edge = true;
                const std::string layout_name = layout == capture::PhotoLayout::spread ? "spread" : "single";
                cases.push_back({layout_name + "_" + kind + "_" + std::to_string(s), spec});
            }
        }
    }
    return cases;
}

// How well a master reproduces the true page: normalised cross-correlation of the two
// (blurred a little, compared at the master's size), 1 for identical content.
inline double content_match(const cv::Mat& master_bgr, const cv::Mat& flat_bgr)
{
    cv::Mat a;
    cv::Mat b;
    cv::cvtColor(master_bgr, a, cv::COLOR_BGR2GRAY);
    cv::cvtColor(flat_bgr, b, cv::COLOR_BGR2GRAY);
    // About 1% of the page per pixel: text lines blur into grey bands, layout remains.
    const cv::Size size(std::min(100, a.cols), std::min(150, a.rows));
    cv::resize(a, a, size, 0, 0, cv::INTER_AREA);
    cv::resize(b, b, size, 0, 0, cv::INTER_AREA);
    cv::Mat score;
    cv::matchTemplate(a, b, score, cv::TM_CCOEFF_NORMED);
    return static_cast<double>(score.at<float>(0, 0));
}

struct PageScore {
    bool found = false;
    double iou = 0;
    double corner_error = 1;  // fraction of the page diagonal
    double skew_error = 90;   // degrees
};

inline PageScore score_page(const Corners& found, const Corners& truth)
{
    PageScore score;
    score.iou = quad_iou(found, truth);
    score.found = score.iou >= 0.9;
    score.corner_error = corner_error(found, truth);
    score.skew_error = std::abs(skew_of(found) - skew_of(truth));
    return score;
}

}  // namespace digikit::imaging::testing
