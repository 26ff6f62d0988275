#pragma once

#include <opencv2/core.hpp>

// The camera's mounting (PipelineOptions::rotate): the finder works on the photo turned
// upright; quads go back to the photo as taken.
namespace digikit::imaging {

// The photo turned `rotate` degrees clockwise (0, 90, 180 or 270).
[[nodiscard]] cv::Mat upright(const cv::Mat& photo, int rotate);

// A point of the upright photo in the photo as taken, whose size is `size` (pixel
// centres at integers), and back.
[[nodiscard]] cv::Point2d as_taken(cv::Point2d p, cv::Size size, int rotate);
[[nodiscard]] cv::Point2d as_upright(cv::Point2d p, cv::Size size, int rotate);

}  // namespace digikit::imaging
