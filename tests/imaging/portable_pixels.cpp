// Compiled with -ffp-contract=off (tests/imaging/CMakeLists.txt): GCC fuses a * b + c
// into one multiply-add on arm64 at -O2 and cannot on plain x86-64, which gives
// different last bits. Every operation below is one IEEE operation, rounded the same
// everywhere: +, -, *, /, sqrt, floor, nearbyint, frexp and ldexp are exact or
// correctly rounded by the standard.
#include "portable_pixels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace digikit::imaging::testing::portable {
namespace {

// ln 2 and pi / 2 split so that k * hi is exact for the k met here (fdlibm's constants).
constexpr double ln2_hi = 6.93147180369123816490e-01;
constexpr double ln2_lo = 1.90821492927058770002e-10;
constexpr double inv_ln2 = 1.44269504088896338700e+00;
constexpr double pio2_hi = 1.57079632673412561417e+00;
constexpr double pio2_lo = 6.07710050650619224932e-11;
constexpr double two_over_pi = 6.36619772367581382433e-01;

// sin and cos of |r| <= pi / 4 by their Taylor series (terms to r^19 and r^18).
double sin_series(double r)
{
    const double r2 = r * r;
    double p = 1;
    for (int n = 9; n >= 1; --n) p = 1 - p * r2 / ((2.0 * n) * (2.0 * n + 1));
    return r * p;
}

double cos_series(double r)
{
    const double r2 = r * r;
    double p = 1;
    for (int n = 9; n >= 1; --n) p = 1 - p * r2 / ((2.0 * n - 1) * (2.0 * n));
    return p;
}

// sin(x + quadrant_shift * pi / 2).
double sine(double x, int quadrant_shift)
{
    if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
    const double q = std::nearbyint(x * two_over_pi);
    if (std::fabs(q) > 1e9) throw std::invalid_argument("portable::sin: argument too large");
    const double r = (x - q * pio2_hi) - q * pio2_lo;
    const long long quadrant = ((static_cast<long long>(q) + quadrant_shift) % 4 + 4) % 4;
    switch (quadrant) {
        case 0: return sin_series(r);
        case 1: return cos_series(r);
        case 2: return -sin_series(r);
        default: return -cos_series(r);
    }
}

int reflect_101(int i, int n)
{
    if (n == 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

}  // namespace

double exp(double x)
{
    if (std::isnan(x)) return x;
    if (x > 709.0) return std::numeric_limits<double>::infinity();
    if (x < -745.0) return 0.0;
    const double k = std::nearbyint(x * inv_ln2);
    const double r = (x - k * ln2_hi) - k * ln2_lo;  // |r| <= 0.35
    double p = 1;
    for (int n = 14; n >= 1; --n) p = 1 + p * r / n;
    return std::ldexp(p, static_cast<int>(k));
}

double log(double x)
{
    if (!(x > 0)) throw std::invalid_argument("portable::log: argument must be positive");
    if (std::isinf(x)) return x;
    int e = 0;
    double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1)
    if (m < 0.70710678118654752440) {
        m *= 2;
        e -= 1;
    }
    // log m = 2 atanh(t), t = (m - 1) / (m + 1), |t| <= 0.172
    const double t = (m - 1) / (m + 1);
    const double t2 = t * t;
    double s = 0;
    for (int k = 14; k >= 0; --k) s = 1.0 / (2 * k + 1) + t2 * s;
    return e * ln2_hi + (e * ln2_lo + 2 * t * s);
}

double sin(double x)
{
    return sine(x, 0);
}

double cos(double x)
{
    return sine(x, 1);
}

std::uint64_t Noise::next()
{
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
}

double Noise::uniform()
{
    return static_cast<double>(next() >> 11U) * 0x1.0p-53;
}

double Noise::normal()
{
    if (has_spare_) {
        has_spare_ = false;
        return spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
        u = 2 * uniform() - 1;
        v = 2 * uniform() - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double f = std::sqrt(-2 * log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
}

cv::Mat uniform_field(cv::Size size, std::uint64_t seed, double lo, double hi)
{
    cv::Mat field(size, CV_32F);
    Noise noise(seed);
    for (int y = 0; y < size.height; ++y) {
        auto* row = field.ptr<float>(y);
        for (int x = 0; x < size.width; ++x) row[x] = static_cast<float>(lo + (hi - lo) * noise.uniform());
    }
    return field;
}

cv::Mat normal_field(cv::Size size, int channels, std::uint64_t seed)
{
    cv::Mat field(size, CV_32FC(channels));
    Noise noise(seed);
    for (int y = 0; y < size.height; ++y) {
        auto* row = field.ptr<float>(y);
        for (int i = 0; i < size.width * channels; ++i) row[i] = static_cast<float>(noise.normal());
    }
    return field;
}

namespace {

// The four source indices and weights of each destination index, INTER_CUBIC's way.
struct CubicTaps {
    std::vector<std::array<int, 4>> index;
    std::vector<std::array<double, 4>> weight;
};

CubicTaps cubic_taps(int source, int destination)
{
    constexpr double a = -0.75;
    CubicTaps taps;
    const double scale = static_cast<double>(source) / destination;
    for (int d = 0; d < destination; ++d) {
        const double f = (d + 0.5) * scale - 0.5;
        const double base = std::floor(f);
        const double x = f - base;
        const double w0 = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
        const double w1 = ((a + 2) * x - (a + 3)) * x * x + 1;
        const double w2 = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
        const double w3 = 1 - w0 - w1 - w2;
        const int b = static_cast<int>(base);
        std::array<int, 4> index{};
        for (int k = 0; k < 4; ++k) index[static_cast<std::size_t>(k)] = std::clamp(b - 1 + k, 0, source - 1);
        taps.index.push_back(index);
        taps.weight.push_back({w0, w1, w2, w3});
    }
    return taps;
}

}  // namespace

cv::Mat bicubic_resize(const cv::Mat& field, cv::Size size)
{
    if (field.type() != CV_32F) throw std::invalid_argument("portable::bicubic_resize: CV_32F only");
    const CubicTaps across = cubic_taps(field.cols, size.width);
    const CubicTaps down = cubic_taps(field.rows, size.height);
    // Across first, every source row; then down, four of those rows per output row.
    std::vector<double> rows(static_cast<std::size_t>(field.rows) * static_cast<std::size_t>(size.width));
    for (int y = 0; y < field.rows; ++y) {
        const auto* src = field.ptr<float>(y);
        double* out = &rows[static_cast<std::size_t>(y) * static_cast<std::size_t>(size.width)];
        for (int x = 0; x < size.width; ++x) {
            const auto& i = across.index[static_cast<std::size_t>(x)];
            const auto& w = across.weight[static_cast<std::size_t>(x)];
            out[x] = w[0] * static_cast<double>(src[i[0]]) + w[1] * static_cast<double>(src[i[1]]) +
                     w[2] * static_cast<double>(src[i[2]]) + w[3] * static_cast<double>(src[i[3]]);
        }
    }
    cv::Mat result(size, CV_32F);
    for (int y = 0; y < size.height; ++y) {
        const auto& i = down.index[static_cast<std::size_t>(y)];
        const auto& w = down.weight[static_cast<std::size_t>(y)];
        std::array<const double*, 4> src{};
        for (std::size_t k = 0; k < 4; ++k)
            src[k] = &rows[static_cast<std::size_t>(i[k]) * static_cast<std::size_t>(size.width)];
        auto* out = result.ptr<float>(y);
        for (int x = 0; x < size.width; ++x) {
            out[x] = static_cast<float>(w[0] * src[0][x] + w[1] * src[1][x] + w[2] * src[2][x] + w[3] * src[3][x]);
        }
    }
    return result;
}

void gaussian_blur(cv::Mat& image, double sigma)
{
    if (image.depth() != CV_32F) throw std::invalid_argument("portable::gaussian_blur: CV_32F only");
    const int ksize = static_cast<int>(std::nearbyint(sigma * 8 + 1)) | 1;
    const int radius = ksize / 2;
    std::vector<double> kernel(static_cast<std::size_t>(ksize));
    double sum = 0;
    for (int i = -radius; i <= radius; ++i) {
        const double w = exp(-(i * i) / (2 * sigma * sigma));
        kernel[static_cast<std::size_t>(i + radius)] = w;
        sum += w;
    }
    for (auto& w : kernel) w /= sum;
    const int cn = image.channels();
    const int width = image.cols;
    const int height = image.rows;

    // Across, row by row, through a padded copy of the row.
    std::vector<double> padded(static_cast<std::size_t>(width + 2 * radius) * static_cast<std::size_t>(cn));
    for (int y = 0; y < height; ++y) {
        auto* row = image.ptr<float>(y);
        for (int x = -radius; x < width + radius; ++x) {
            const int from = reflect_101(x, width);
            for (int c = 0; c < cn; ++c) padded[static_cast<std::size_t>((x + radius) * cn + c)] = row[from * cn + c];
        }
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < cn; ++c) {
                double acc = 0;
                for (int k = 0; k < ksize; ++k)
                    acc += kernel[static_cast<std::size_t>(k)] * padded[static_cast<std::size_t>((x + k) * cn + c)];
                row[x * cn + c] = static_cast<float>(acc);
            }
        }
    }
    // Down, in strips of columns, through a padded copy of the strip.
    constexpr int strip = 64;
    const int strip_values = strip * cn;
    std::vector<double> column(static_cast<std::size_t>(height + 2 * radius) * static_cast<std::size_t>(strip_values));
    for (int x0 = 0; x0 < width * cn; x0 += strip_values) {
        const int n = std::min(strip_values, width * cn - x0);
        for (int y = -radius; y < height + radius; ++y) {
            const auto* row = image.ptr<float>(reflect_101(y, height)) + x0;
            double* out = &column[static_cast<std::size_t>((y + radius) * strip_values)];
            for (int i = 0; i < n; ++i) out[i] = row[i];
        }
        for (int y = 0; y < height; ++y) {
            auto* row = image.ptr<float>(y) + x0;
            for (int i = 0; i < n; ++i) {
                double acc = 0;
                for (int k = 0; k < ksize; ++k)
                    acc += kernel[static_cast<std::size_t>(k)] *
                           column[static_cast<std::size_t>((y + k) * strip_values + i)];
                row[i] = static_cast<float>(acc);
            }
        }
    }
}

cv::Mat halve(const cv::Mat& image)
{
    if (image.type() != CV_32FC3) throw std::invalid_argument("portable::halve: CV_32FC3 only");
    cv::Mat half(image.rows / 2, image.cols / 2, CV_32FC3);
    for (int y = 0; y < half.rows; ++y) {
        const auto* a = image.ptr<cv::Vec3f>(2 * y);
        const auto* b = image.ptr<cv::Vec3f>(2 * y + 1);
        auto* out = half.ptr<cv::Vec3f>(y);
        for (int x = 0; x < half.cols; ++x) {
            for (int c = 0; c < 3; ++c) {
                const double s = (static_cast<double>(a[2 * x][c]) + static_cast<double>(a[2 * x + 1][c])) +
                                 (static_cast<double>(b[2 * x][c]) + static_cast<double>(b[2 * x + 1][c]));
                out[x][c] = static_cast<float>(s * 0.25);
            }
        }
    }
    return half;
}

cv::Mat colour_field(const cv::Mat& field, cv::Scalar base, double amplitude)
{
    if (field.type() != CV_32F) throw std::invalid_argument("portable::colour_field: CV_32F only");
    cv::Mat out(field.size(), CV_32FC3);
    for (int y = 0; y < field.rows; ++y) {
        const auto* f = field.ptr<float>(y);
        auto* row = out.ptr<cv::Vec3f>(y);
        for (int x = 0; x < field.cols; ++x) {
            const double v = amplitude * static_cast<double>(f[x]);
            for (int c = 0; c < 3; ++c) row[x][c] = static_cast<float>(base[c] + v);
        }
    }
    return out;
}

cv::Mat to_8u(const cv::Mat& image)
{
    if (image.depth() != CV_32F) throw std::invalid_argument("portable::to_8u: CV_32F only");
    const int cn = image.channels();
    cv::Mat out(image.size(), CV_8UC(cn));
    for (int y = 0; y < image.rows; ++y) {
        const auto* src = image.ptr<float>(y);
        auto* dst = out.ptr<std::uint8_t>(y);
        for (int i = 0; i < image.cols * cn; ++i) {
            const double v = std::nearbyint(static_cast<double>(src[i]));
            dst[i] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
        }
    }
    return out;
}

namespace {

// Solves a x = b (8 x 8) by Gaussian elimination with partial pivoting.
std::array<double, 8> solve8(std::array<std::array<double, 9>, 8> m)
{
    for (std::size_t col = 0; col < 8; ++col) {
        std::size_t pivot = col;
        for (std::size_t r = col + 1; r < 8; ++r) {
            if (std::fabs(m[r][col]) > std::fabs(m[pivot][col])) pivot = r;
        }
        if (m[pivot][col] == 0) throw std::invalid_argument("portable::warp_into: degenerate quad");
        std::swap(m[col], m[pivot]);
        for (std::size_t r = col + 1; r < 8; ++r) {
            const double f = m[r][col] / m[col][col];
            for (std::size_t c = col; c < 9; ++c) m[r][c] -= f * m[col][c];
        }
    }
    std::array<double, 8> x{};
    for (std::size_t i = 8; i-- > 0;) {
        double s = m[i][8];
        for (std::size_t c = i + 1; c < 8; ++c) s -= m[i][c] * x[c];
        x[i] = s / m[i][i];
    }
    return x;
}

}  // namespace

void warp_into(cv::Mat& canvas, const cv::Mat& flat, const std::array<cv::Point2d, 4>& quad, const cv::Mat& mask)
{
    if (canvas.type() != CV_8UC3 || flat.type() != CV_8UC3 || mask.type() != CV_8U || mask.size() != canvas.size())
        throw std::invalid_argument("portable::warp_into: CV_8UC3 images and a CV_8U mask of the canvas's size");
    const double w = flat.cols;
    const double h = flat.rows;
    const std::array<cv::Point2d, 4> corners{cv::Point2d(-0.5, -0.5), cv::Point2d(w - 0.5, -0.5),
                                             cv::Point2d(w - 0.5, h - 0.5), cv::Point2d(-0.5, h - 0.5)};
    // The homography from the canvas to the flat image (each canvas pixel's preimage).
    std::array<std::array<double, 9>, 8> system{};
    for (std::size_t i = 0; i < 4; ++i) {
        const double X = quad[i].x;
        const double Y = quad[i].y;
        const double u = corners[i].x;
        const double v = corners[i].y;
        system[2 * i] = {X, Y, 1, 0, 0, 0, -u * X, -u * Y, u};
        system[2 * i + 1] = {0, 0, 0, X, Y, 1, -v * X, -v * Y, v};
    }
    const auto m = solve8(system);
    const int last_x = flat.cols - 1;
    const int last_y = flat.rows - 1;
    for (int y = 0; y < canvas.rows; ++y) {
        const auto* inside = mask.ptr<std::uint8_t>(y);
        auto* out = canvas.ptr<cv::Vec3b>(y);
        for (int x = 0; x < canvas.cols; ++x) {
            if (inside[x] == 0) continue;
            const double d = m[6] * x + m[7] * y + 1;
            const double sx = std::clamp((m[0] * x + m[1] * y + m[2]) / d, -1.0, w);
            const double sy = std::clamp((m[3] * x + m[4] * y + m[5]) / d, -1.0, h);
            const double fx0 = std::floor(sx);
            const double fy0 = std::floor(sy);
            const double ax = sx - fx0;
            const double ay = sy - fy0;
            const int x0 = static_cast<int>(fx0);
            const int y0 = static_cast<int>(fy0);
            const auto* top = flat.ptr<cv::Vec3b>(std::clamp(y0, 0, last_y));
            const auto* bottom = flat.ptr<cv::Vec3b>(std::clamp(y0 + 1, 0, last_y));
            const int left = std::clamp(x0, 0, last_x);
            const int right = std::clamp(x0 + 1, 0, last_x);
            for (int c = 0; c < 3; ++c) {
                const double upper = (1 - ax) * top[left][c] + ax * top[right][c];
                const double lower = (1 - ax) * bottom[left][c] + ax * bottom[right][c];
                const double v = std::nearbyint((1 - ay) * upper + ay * lower);
                out[x][c] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
            }
        }
    }
}

void add_light(cv::Mat& canvas, const cv::Mat& light, double strength)
{
    if (canvas.type() != CV_8UC3 || light.type() != CV_8UC3 || canvas.size() != light.size())
        throw std::invalid_argument("portable::add_light: two CV_8UC3 images of one size");
    for (int y = 0; y < canvas.rows; ++y) {
        auto* row = canvas.ptr<std::uint8_t>(y);
        const auto* add = light.ptr<std::uint8_t>(y);
        for (int i = 0; i < canvas.cols * 3; ++i) {
            const double v = std::nearbyint(row[i] + strength * add[i]);
            row[i] = static_cast<std::uint8_t>(std::clamp(v, 0.0, 255.0));
        }
    }
}

}  // namespace digikit::imaging::testing::portable
