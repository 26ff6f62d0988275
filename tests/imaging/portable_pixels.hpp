#pragma once

#include <array>
#include <cstdint>

#include <opencv2/core.hpp>

// The float stages of the second photo generator (independent_photos.cpp), written so
// that they give the same bits on every architecture: plain scalar IEEE arithmetic in a
// fixed order, compiled with -ffp-contract=off (no multiply-add fused on one target and
// not on another), and no call into the maths library or into OpenCV's SIMD-dispatched
// float code on a per-pixel path. OpenCV's float GaussianBlur, resize and
// warpPerspective give different last bits with AVX2, SSE2 or NEON, and a later rounding
// to 8 bits then flips a pixel now and then: the same seed drew a different photo on the
// kit (issue 16).
namespace digikit::imaging::testing::portable {

// exp, log, sin and cos from arithmetic alone (glibc's may differ in the last bit between
// targets). Accurate to a few units in the last place, the same everywhere.
[[nodiscard]] double exp(double x);
[[nodiscard]] double log(double x);  // x > 0
[[nodiscard]] double sin(double x);
[[nodiscard]] double cos(double x);

// Seeded noise: a 64-bit counter generator (splitmix64), uniform reals from its top 53
// bits, normal ones by Marsaglia's polar method with the log above.
class Noise {
public:
    explicit Noise(std::uint64_t seed) : state_(seed) {}
    double uniform();  // [0, 1)
    double normal();   // mean 0, standard deviation 1

private:
    std::uint64_t next();
    std::uint64_t state_;
    double spare_ = 0;
    bool has_spare_ = false;
};

// A CV_32F matrix of `size` filled with uniform values in [lo, hi), or normal ones
// (mean 0, deviation 1) with `channels` channels.
[[nodiscard]] cv::Mat uniform_field(cv::Size size, std::uint64_t seed, double lo, double hi);
[[nodiscard]] cv::Mat normal_field(cv::Size size, int channels, std::uint64_t seed);

// A CV_32F field enlarged to `size` by bicubic interpolation (a = -0.75, pixel centres
// aligned as OpenCV's INTER_CUBIC does, the border repeated).
[[nodiscard]] cv::Mat bicubic_resize(const cv::Mat& field, cv::Size size);

// Gaussian blur of a CV_32F matrix (any channels) in place: separable, the kernel as wide
// as OpenCV's for float images (2 * round(4 sigma) + 1), border reflected (BORDER_REFLECT_101).
void gaussian_blur(cv::Mat& image, double sigma);

// Each 2x2 block of a CV_32FC3 image averaged exactly: half the width and height
// (what INTER_AREA does at a factor of two).
[[nodiscard]] cv::Mat halve(const cv::Mat& image);

// base[c] + amplitude * field, as CV_32FC3, for a CV_32F field.
[[nodiscard]] cv::Mat colour_field(const cv::Mat& field, cv::Scalar base, double amplitude);

// CV_32F (any channels) to CV_8U: rounded to nearest (ties to even) and clamped.
[[nodiscard]] cv::Mat to_8u(const cv::Mat& image);

// Draws `flat` (CV_8UC3) into `canvas` (CV_8UC3) where `mask` is set, through the
// homography taking the flat image's corners (-0.5, -0.5) .. (w - 0.5, h - 0.5), in the
// order TL TR BR BL, to `quad` (canvas coordinates): each canvas pixel samples the flat
// image bilinearly at its preimage, the flat image's border repeated.
void warp_into(cv::Mat& canvas, const cv::Mat& flat, const std::array<cv::Point2d, 4>& quad, const cv::Mat& mask);

// canvas + strength * light, per CV_8UC3 pixel and channel, rounded and clamped.
void add_light(cv::Mat& canvas, const cv::Mat& light, double strength);

}  // namespace digikit::imaging::testing::portable
