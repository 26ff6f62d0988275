#pragma once

#include <opencv2/core.hpp>

// Where the paper is on a reduced photo: masks of what differs from the background.
namespace digikit::imaging {

// Per pixel, how far its colour is from the background's (the median of a ring along the
// frame's border), chroma weighted: paper is grey, cloth often is not.
[[nodiscard]] cv::Mat difference_from_background(const cv::Mat& bgr);

// Paper differs from the background: the difference thresholded (Otsu) and cleaned.
[[nodiscard]] cv::Mat paper_mask(const cv::Mat& bgr);

// Paper is what the background cannot reach without crossing an edge: a flood from the
// background-coloured parts of the frame border over the pixels that are not on an edge.
// Works where paper and background are alike in colour (light backgrounds).
[[nodiscard]] cv::Mat unreached_by_background(const cv::Mat& bgr);

// Paper is brighter than what lies around it: the grey levels thresholded (Otsu) and
// cleaned. Where the facing page fills one side of the frame, the border's median is
// paper and the difference from it comes out inverted; this mask asks nothing of the border.
[[nodiscard]] cv::Mat brighter_than_surroundings(const cv::Mat& bgr);

}  // namespace digikit::imaging
