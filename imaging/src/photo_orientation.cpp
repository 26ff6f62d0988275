#include "photo_orientation.hpp"

#include <opencv2/core.hpp>

namespace digikit::imaging {

cv::Mat upright(const cv::Mat& photo, int rotate)
{
    if (rotate == 0) return photo;
    cv::Mat turned;
    cv::rotate(photo, turned,
               rotate == 90    ? cv::ROTATE_90_CLOCKWISE
               : rotate == 180 ? cv::ROTATE_180
                               : cv::ROTATE_90_COUNTERCLOCKWISE);
    return turned;
}

cv::Point2d as_taken(cv::Point2d p, cv::Size size, int rotate)
{
    const double right = size.width - 1;
    const double bottom = size.height - 1;
    switch (rotate) {
        case 90: return {p.y, bottom - p.x};
        case 180: return {right - p.x, bottom - p.y};
        case 270: return {right - p.y, p.x};
        default: return p;
    }
}

cv::Point2d as_upright(cv::Point2d p, cv::Size size, int rotate)
{
    const double right = size.width - 1;
    const double bottom = size.height - 1;
    switch (rotate) {
        case 90: return {bottom - p.y, p.x};
        case 180: return {right - p.x, bottom - p.y};
        case 270: return {p.y, right - p.x};
        default: return p;
    }
}

}  // namespace digikit::imaging
