#pragma once

#include <opencv2/core.hpp>

// Which way up a straightened page reads, judged from its print, for photos whose camera
// mounting nobody gave (`digikit process` without --rotate). Two steps: the direction of
// the lines of print (our own measure, cheap and sure on book pages), then Tesseract's
// orientation detection for upright against upside down (it tells those two apart
// well, but sideways pages poorly).
namespace digikit::imaging {

struct ReadingTurn {
    int degrees = 0;    // clockwise turn that makes the page read upright: 0, 90, 180, 270
    bool sure = false;  // false: the print did not say clearly; `degrees` is the best guess
};

// Thread-safe: the threads take turns at one Tesseract instance, made on first use.
[[nodiscard]] ReadingTurn reading_turn(const cv::Mat& page);

// How much more the rows of print than the columns vary, on `grey` (long side about
// 1200 px): above 1 the lines run across, below 1 along; 1 with no print. Exposed for tests.
[[nodiscard]] double line_direction_ratio(const cv::Mat& grey);

}  // namespace digikit::imaging
