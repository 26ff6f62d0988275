#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace digikit::imaging::testing {

// A small stand-in photo for tests that need no realism: a flat page with text-like
// bars, warped onto a cloth by a known quad, with a little noise.
struct SyntheticPhoto {
    cv::Mat bgr;
    std::vector<std::array<cv::Point2d, 4>> quads;
    std::vector<cv::Mat> flat_pages;
};

inline cv::Mat synthetic_page(cv::Size size, int seed)
{
    cv::Mat page(size, CV_8UC3, cv::Scalar(235, 240, 242));
    cv::RNG rng(static_cast<std::uint64_t>(seed));
    const int margin = size.width / 10;
    // Lines of words: two pages of one book share the line grid and differ in their words,
    // as real pages do (the first look tells a repeat from the next page by the print).
    for (int y = margin; y < size.height - margin; y += size.height / 40) {
        const int end = margin + rng.uniform(size.width / 2, size.width - 2 * margin);
        for (int x = margin; x < end;) {
            const int word = std::min(rng.uniform(size.width / 40, size.width / 8), end - x);
            cv::rectangle(page, cv::Rect(x, y, word, size.height / 80 + 1), cv::Scalar(40, 40, 40), cv::FILLED);
            x += word + size.width / 60 + 1;
        }
    }
    return page;
}

inline std::array<cv::Point2d, 4> rotated_box(cv::Point2d centre, cv::Size2d size, double degrees)
{
    const double a = degrees * CV_PI / 180;
    const cv::Point2d u(std::cos(a), std::sin(a));
    const cv::Point2d v(-std::sin(a), std::cos(a));
    const double w = size.width / 2;
    const double h = size.height / 2;
    return {centre - w * u - h * v, centre + w * u - h * v, centre + w * u + h * v, centre - w * u + h * v};
}

inline void paste_page(cv::Mat& photo, const cv::Mat& page, const std::array<cv::Point2d, 4>& quad)
{
    const auto w = static_cast<float>(page.cols);
    const auto h = static_cast<float>(page.rows);
    const std::array<cv::Point2f, 4> from{cv::Point2f(-0.5f, -0.5f), cv::Point2f(w - 0.5f, -0.5f),
                                          cv::Point2f(w - 0.5f, h - 0.5f), cv::Point2f(-0.5f, h - 0.5f)};
    const std::array<cv::Point2f, 4> to{cv::Point2f(quad[0]), cv::Point2f(quad[1]), cv::Point2f(quad[2]),
                                        cv::Point2f(quad[3])};
    const cv::Mat transform = cv::getPerspectiveTransform(from.data(), to.data());
    cv::warpPerspective(page, photo, transform, photo.size(), cv::INTER_LINEAR, cv::BORDER_TRANSPARENT);
}

// One page (or a spread of two) rotated by `degrees` on a dark cloth.
inline SyntheticPhoto synthetic_photo(cv::Size frame, double degrees, bool spread, int seed = 1)
{
    SyntheticPhoto photo;
    photo.bgr = cv::Mat(frame, CV_8UC3, cv::Scalar(50, 45, 40));
    const double page_height = frame.height * 0.8;
    const double page_width = page_height * 0.7;
    const cv::Point2d centre(frame.width / 2.0, frame.height / 2.0);
    const cv::Size page_pixels(static_cast<int>(page_width), static_cast<int>(page_height));
    if (!spread) {
        photo.quads.push_back(rotated_box(centre, cv::Size2d(page_width, page_height), degrees));
    } else {
        const auto outline = rotated_box(centre, cv::Size2d(2 * page_width, page_height), degrees);
        const cv::Point2d top = (outline[0] + outline[1]) / 2;
        const cv::Point2d bottom = (outline[2] + outline[3]) / 2;
        photo.quads.push_back({outline[0], top, bottom, outline[3]});
        photo.quads.push_back({top, outline[1], outline[2], bottom});
    }
    for (std::size_t i = 0; i < photo.quads.size(); ++i) {
        cv::Mat page = synthetic_page(page_pixels, seed + static_cast<int>(i));
        if (spread) {  // the gutter's shadow on the inner margin
            const int inner = i == 0 ? page.cols - 12 : 0;
            page(cv::Rect(inner, 0, 12, page.rows)) *= 0.6;
        }
        paste_page(photo.bgr, page, photo.quads[i]);
        photo.flat_pages.push_back(page);
    }
    cv::Mat noise(frame, CV_16SC3);
    cv::RNG rng(static_cast<std::uint64_t>(seed));
    rng.fill(noise, cv::RNG::NORMAL, 0, 3);
    cv::Mat noisy;
    photo.bgr.convertTo(noisy, CV_16SC3);
    noisy += noise;
    noisy.convertTo(photo.bgr, CV_8UC3);
    return photo;
}

// What one camera of a cradle sees: the page it is aimed at (the one quad), its fold on
// the right as a dark line, and beyond it a strip of the facing page in shade.
inline SyntheticPhoto cradle_photo(cv::Size frame, double degrees, int seed = 1)
{
    SyntheticPhoto photo;
    photo.bgr = cv::Mat(frame, CV_8UC3, cv::Scalar(50, 45, 40));
    const double page_height = frame.height * 0.8;
    const double page_width = page_height * 0.7;
    const double facing_width = page_width * 0.3;
    const cv::Point2d centre(frame.width / 2.0 - facing_width / 2, frame.height / 2.0);
    const auto both = rotated_box(centre + cv::Point2d(facing_width / 2, 0),
                                  cv::Size2d(page_width + facing_width, page_height), degrees);
    const double t = page_width / (page_width + facing_width);
    const cv::Point2d top = both[0] + t * (both[1] - both[0]);
    const cv::Point2d bottom = both[3] + t * (both[2] - both[3]);
    photo.quads.push_back({both[0], top, bottom, both[3]});
    cv::Mat facing = synthetic_page(cv::Size(static_cast<int>(facing_width), static_cast<int>(page_height)), seed + 1);
    facing *= 0.7;
    paste_page(photo.bgr, facing, {top, both[1], both[2], bottom});
    cv::Mat page = synthetic_page(cv::Size(static_cast<int>(page_width), static_cast<int>(page_height)), seed);
    page(cv::Rect(page.cols - 6, 0, 6, page.rows)) *= 0.35;  // the fold's shadow
    paste_page(photo.bgr, page, photo.quads[0]);
    photo.flat_pages.push_back(page);
    return photo;
}

}  // namespace digikit::imaging::testing
