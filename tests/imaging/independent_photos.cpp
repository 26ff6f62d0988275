#include "independent_photos.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "portable_pixels.hpp"

namespace digikit::imaging::testing {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr int oversample = 2;  // drawn at twice the size, then averaged: anti-aliased edges

// Seeded dice with a hand-made mapping to reals: the standard distributions may differ
// between library versions, the photos must not.
class Dice {
public:
    explicit Dice(std::uint64_t seed) : engine_(seed * 0x9E3779B97F4A7C15ULL + 0x1234567ULL) {}
    double real(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(engine_() >> 11U) * 0x1.0p-53; }
    int whole(int lo, int hi) { return lo + static_cast<int>(engine_() % static_cast<std::uint64_t>(hi - lo + 1)); }
    bool odds(double p) { return real(0, 1) < p; }
    double sign() { return odds(0.5) ? 1.0 : -1.0; }
    std::uint64_t raw() { return engine_(); }
    // Several draws for one value, each its own statement so that no target's order of
    // evaluating a call's arguments changes the photo (x86 and arm64 differ). The last
    // component is drawn first: the order the photos have always had on x86.
    cv::Vec3d triple(cv::Vec2d range0, cv::Vec2d range1, cv::Vec2d range2)
    {
        const double c2 = real(range2[0], range2[1]);
        const double c1 = real(range1[0], range1[1]);
        const double c0 = real(range0[0], range0[1]);
        return {c0, c1, c2};
    }

private:
    std::mt19937_64 engine_;
};

enum class Ground { table_and_cradle, checked_cloth, felt, light_board };

struct Scene {
    Ground ground = Ground::felt;
    bool spread = false;
    double page_aspect = 0.7;  // page width / height: octavo 0.62 .. letter 0.77
    cv::Scalar paper;
    cv::Scalar ink;
    int columns = 1;
    bool picture = false;
    bool cover = false;  // a book cover shows around the pages
    cv::Scalar cover_colour;
    double stack = 0;    // page-edge stack beyond the outer edges, fraction of page height
    int fingers = 0;     // fingertips holding the outer edges
    bool clips = false;  // two clips on the top edge
    double vignette = 0;
    double lamp = 0;          // a lamp to one side: light falls off across the frame
    cv::Vec3d cast{1, 1, 1};  // colour of the light
    double blur = 0.5;        // lens blur, pixels
    double noise = 1;         // sensor noise scale
    int jpeg_quality = 90;
    double rotation_deg = 0;
    double tilt_x = 0;  // degrees the book plane leans away from the camera
    double tilt_y = 0;
    double gutter_depth = 0.3;   // darkening at the gutter
    double gutter_width = 0.03;  // fraction of the page width
    double gutter_bow = 0;       // how far the curved gutter's middle moves sideways
};

cv::Scalar grey(double v)
{
    return {v, v, v};
}

Scene make_scene(Dice& dice, bool spread)
{
    Scene s;
    s.spread = spread;
    s.ground = static_cast<Ground>(dice.whole(0, 3));
    const double aspects[] = {0.62, 0.66, 0.707, 0.75, 0.773};
    const double aspect = aspects[dice.whole(0, 4)];  // each draw its own statement (see Dice::triple)
    s.page_aspect = aspect * dice.real(0.98, 1.02);
    const double white = dice.real(218, 246);
    switch (dice.whole(0, 3)) {
        case 0: s.paper = cv::Scalar(white - 22, white - 8, white); break;  // cream, yellowed
        case 1: s.paper = grey(white - 4); break;                           // grey newsprint
        case 2: s.paper = cv::Scalar(white, white - 2, white - 6); break;   // bluish white
        default: s.paper = cv::Scalar(white - 12, white - 5, white - 1); break;
    }
    const double ink = dice.real(15, 70);
    const double ink_red = dice.real(0, 12);  // drawn first, as always (see Dice::triple)
    s.ink = cv::Scalar(ink, ink + dice.real(0, 6), ink + ink_red);
    s.columns = dice.odds(0.3) ? 2 : 1;
    s.picture = dice.odds(0.35);
    s.cover = spread ? dice.odds(0.5) : dice.odds(0.15);
    const cv::Scalar covers[] = {{30, 30, 110}, {40, 70, 40}, {30, 50, 80}, {25, 25, 25}, {90, 50, 30}};
    const double cover_shade = dice.real(0.7, 1.2);  // drawn first, as always (see Dice::triple)
    s.cover_colour = covers[dice.whole(0, 4)] * cover_shade;
    s.stack = spread && dice.odds(0.4) ? dice.real(0.004, 0.012) : 0.0;
    s.fingers = dice.odds(0.25) ? dice.whole(1, 2) : 0;
    s.clips = !s.fingers && dice.odds(0.15);
    s.vignette = dice.real(0.0, 0.45);
    s.lamp = dice.real(0.0, 0.35);
    s.cast = dice.triple({0.9, 1.05}, {0.96, 1.02}, {0.95, 1.1});
    s.blur = dice.real(0.3, 1.0);
    s.noise = dice.real(0.3, 2.0);
    s.jpeg_quality = dice.whole(60, 95);
    const double rotation_sign = dice.sign();  // each draw its own statement (see Dice::triple)
    s.rotation_deg = rotation_sign * dice.real(0.0, 10.0);
    s.tilt_x = dice.real(-6, 6);
    s.tilt_y = dice.real(-6, 6);
    s.gutter_depth = dice.real(0.15, 0.5);
    s.gutter_width = dice.real(0.015, 0.06);
    s.gutter_bow = dice.real(-0.012, 0.012);
    return s;
}

// The book lies in a plane; `BookToPhoto` maps book coordinates (units of the page
// height, origin the middle of the spine, u across, v down) to photo pixels through a
// tilted pinhole camera, then scales the result to fit the frame.
class BookToPhoto {
public:
    BookToPhoto(const Scene& s, cv::Size frame, Dice& dice, double half_width, double half_height)
        : BookToPhoto(s, frame, dice, -half_width, half_width, half_height, std::nullopt)
    {
    }

    // The outline from u_low to u_high across, filling `fill` of the frame's height (by
    // default a random 72-92%, drawn where the first generator drew it: same seed, same photo).
    BookToPhoto(const Scene& s, cv::Size frame, Dice& dice, double u_low, double u_high, double half_height,
                std::optional<double> fill)
    {
        const double r = s.rotation_deg * pi / 180;
        const double ax = s.tilt_x * pi / 180;
        const double ay = s.tilt_y * pi / 180;
        using portable::cos;
        using portable::sin;
        rotation_ = cv::Matx33d(cos(r), -sin(r), 0, sin(r), cos(r), 0, 0, 0, 1);
        rotation_ = cv::Matx33d(1, 0, 0, 0, cos(ax), -sin(ax), 0, sin(ax), cos(ax)) * rotation_;
        rotation_ = cv::Matx33d(cos(ay), 0, sin(ay), 0, 1, 0, -sin(ay), 0, cos(ay)) * rotation_;
        distance_ = dice.real(2.2, 4.0);
        // Fit the outline (with its cover) into the frame, then move it within the room left.
        std::vector<cv::Point2d> outline;
        for (double u : {u_low, u_high}) {
            for (double v : {-half_height, half_height}) outline.push_back(project({u, v}));
        }
        cv::Point2d low = outline[0];
        cv::Point2d high = outline[0];
        for (const auto& p : outline) {
            low = cv::Point2d(std::min(low.x, p.x), std::min(low.y, p.y));
            high = cv::Point2d(std::max(high.x, p.x), std::max(high.y, p.y));
        }
        const cv::Rect2d box(low, high);
        if (!fill) fill = dice.real(0.72, 0.92);
        scale_ = std::min(*fill * frame.height / box.height, 0.95 * frame.width / box.width);
        const double room_x = frame.width - scale_ * box.width;
        const double room_y = frame.height - scale_ * box.height;
        const double shift_y = dice.real(0.2, 0.8);  // drawn first, as always (see Dice::triple)
        offset_ = cv::Point2d(room_x * dice.real(0.2, 0.8), room_y * shift_y) - scale_ * cv::Point2d(box.x, box.y);
    }

    [[nodiscard]] cv::Point2d operator()(cv::Point2d book) const { return scale_ * project(book) + offset_; }

private:
    [[nodiscard]] cv::Point2d project(cv::Point2d book) const
    {
        const cv::Vec3d p = rotation_ * cv::Vec3d(book.x, book.y, 0) + cv::Vec3d(0, 0, distance_);
        return {p[0] / p[2], p[1] / p[2]};
    }

    cv::Matx33d rotation_;
    double distance_ = 3;
    double scale_ = 1;
    cv::Point2d offset_;
};

// --- The ground ---------------------------------------------------------------------

// Smooth random field in [-1, 1] with blobs about `cell` pixels across.
cv::Mat smooth_noise(cv::Size size, double cell, Dice& dice)
{
    const cv::Size coarse(std::max(2, static_cast<int>(size.width / cell)),
                          std::max(2, static_cast<int>(size.height / cell)));
    return portable::bicubic_resize(portable::uniform_field(coarse, dice.raw(), -1.0, 1.0), size);
}

using portable::colour_field;

cv::Mat draw_ground(cv::Size size, const Scene& s, Dice& dice)
{
    cv::Mat ground;
    switch (s.ground) {
        case Ground::table_and_cradle: {  // wood grain along x
            const cv::Scalar wood(dice.triple({40, 70}, {75, 110}, {115, 165}));
            cv::Mat warp = smooth_noise(size, size.height / 6.0, dice);
            cv::Mat grain(size, CV_32F);
            const double period = size.height / dice.real(40, 90);
            for (int y = 0; y < size.height; ++y) {
                auto* row = grain.ptr<float>(y);
                const auto* w = warp.ptr<float>(y);
                for (int x = 0; x < size.width; ++x) {
                    row[x] =
                        static_cast<float>(portable::sin((y + 25.0 * static_cast<double>(w[x])) * 2 * pi / period));
                }
            }
            ground = colour_field(grain, wood, 12);
            break;
        }
        case Ground::checked_cloth: {  // gingham: stripes both ways, woven colours mixing
            const double level = dice.real(55, 130);
            const cv::Scalar a(level * dice.triple({0.6, 1.3}, {0.6, 1.2}, {0.6, 1.3}));
            const int period = std::max(6, static_cast<int>(size.height / dice.real(25, 60)));
            cv::Mat checks(size, CV_32F);
            for (int y = 0; y < size.height; ++y) {
                auto* row = checks.ptr<float>(y);
                for (int x = 0; x < size.width; ++x) {
                    const int stripes = ((x / period) % 2) + ((y / period) % 2);
                    row[x] = static_cast<float>(stripes) / 2.0f;
                }
            }
            portable::gaussian_blur(checks, 1.5);
            ground = colour_field(checks, a, -0.45 * level);
            cv::Mat shade = smooth_noise(size, size.height / 4.0, dice);
            ground += colour_field(shade, cv::Scalar(), 8);
            break;
        }
        case Ground::felt: {  // dark felt: fine fibres and soft blotches
            const double level = dice.real(12, 50);
            const cv::Scalar tint(level * dice.triple({0.7, 1.4}, {0.7, 1.3}, {0.7, 1.3}));
            cv::Mat fibres = portable::normal_field(size, 1, dice.raw());
            portable::gaussian_blur(fibres, 1.2);
            ground = colour_field(fibres, tint, 6) + colour_field(smooth_noise(size, size.height / 5.0, dice), {}, 7);
            break;
        }
        case Ground::light_board: {  // a pale board or sheet: little contrast with paper
            const double level = std::min(s.paper[2] - dice.real(16, 30), 220.0);
            const double green = dice.real(0.98, 1.01);  // drawn first, as always (see Dice::triple)
            const cv::Scalar tint(level * dice.real(0.96, 1.02), level * green, level);
            ground = colour_field(smooth_noise(size, size.height / 3.0, dice), tint, 5);
            break;
        }
    }
    return ground;
}

// --- The page ---------------------------------------------------------------------

std::string random_word(Dice& dice)
{
    static const std::string letters = "etaoinshrdlcumwfgypbvkjxqz";
    const int length = dice.whole(1, 9);
    std::string word;
    for (int i = 0; i < length; ++i) {
        // Frequent letters more often: the first half of the list three times as likely.
        const int pick = dice.odds(0.75) ? dice.whole(0, 12) : dice.whole(0, 25);
        word.push_back(letters[static_cast<std::size_t>(pick)]);
    }
    return word;
}

void draw_photograph(cv::Mat& page, cv::Rect box, Dice& dice)
{
    cv::Mat field = smooth_noise(box.size(), box.height / dice.real(2, 6), dice);
    const double mean = dice.real(50, 140);
    cv::Mat picture = colour_field(field, cv::Scalar(mean, mean * 1.02, mean * 1.05), dice.real(30, 70));
    portable::to_8u(picture).copyTo(page(box));
    cv::rectangle(page, box, cv::Scalar(30, 30, 30), 1);
}

// The printed page, flat: tinted paper with mottling, fibres and foxing, typeset
// letters in one or two columns, maybe a heading and a photograph, a page number.
cv::Mat draw_page(cv::Size size, const Scene& s, int number, Dice& dice)
{
    cv::Mat paper = colour_field(smooth_noise(size, size.height / 8.0, dice), s.paper, 3.5);
    cv::Mat page = portable::to_8u(paper);
    for (int i = 0, n = dice.whole(0, 6); i < n; ++i) {   // foxing: small brown spots
        const int at_y = dice.whole(0, size.height - 1);  // drawn first, as always (see Dice::triple)
        const cv::Point at(dice.whole(0, size.width - 1), at_y);
        const int r = std::max(1, static_cast<int>(size.height * dice.real(0.002, 0.008)));
        cv::circle(page, at, r, s.paper - cv::Scalar(40, 30, 15), cv::FILLED, cv::LINE_AA);
    }
    const double h = size.height;
    const double w = size.width;
    const double left = w * dice.real(0.08, 0.14);
    const double right = w * (1 - dice.real(0.08, 0.14));
    double y = h * dice.real(0.07, 0.11);
    const double bottom = h * (1 - dice.real(0.09, 0.13));
    const int fonts[] = {cv::FONT_HERSHEY_COMPLEX, cv::FONT_HERSHEY_TRIPLEX, cv::FONT_HERSHEY_SIMPLEX,
                         cv::FONT_HERSHEY_DUPLEX};
    const int font = fonts[dice.whole(0, 3)];
    const double line = h * dice.real(0.018, 0.03);
    const double font_scale = 0.55 * line / 22.0;
    const int thickness = std::max(1, static_cast<int>(line / 14));
    if (dice.odds(0.3)) {  // a heading
        y += 2 * line;
        const std::string second_word = random_word(dice);  // drawn first, as always on x86 (see Dice::triple)
        const std::string first_word = random_word(dice);
        cv::putText(page, first_word + " " + second_word,
                    cv::Point(static_cast<int>(left + 0.2 * (right - left)), static_cast<int>(y)), font, 2 * font_scale,
                    s.ink, 2 * thickness, cv::LINE_AA);
        y += 2 * line;
    }
    cv::Rect picture;
    if (s.picture && dice.odds(0.7)) {
        const int pw = static_cast<int>((right - left) * dice.real(0.5, 1.0));
        const int ph = static_cast<int>((bottom - y) * dice.real(0.25, 0.5));
        const int px = static_cast<int>(left + ((right - left) - pw) * dice.real(0, 1));
        const int py = static_cast<int>(y + (bottom - y - ph) * dice.real(0, 1));
        picture = cv::Rect(px, py, pw, ph);
        draw_photograph(page, picture, dice);
    }
    const double gap = (right - left) * 0.05;
    const double column_width = (right - left - gap * (s.columns - 1)) / s.columns;
    for (int c = 0; c < s.columns; ++c) {
        const double x0 = left + c * (column_width + gap);
        for (double ly = y + line; ly < bottom; ly += line) {
            if ((ly + line * 0.3 > picture.y && ly - line < picture.y + picture.height)) continue;
            if (dice.odds(0.06)) continue;  // a paragraph break
            double x = x0 + (dice.odds(0.15) ? 2 * line : 0);
            while (true) {
                const std::string word = random_word(dice);
                int baseline = 0;
                const cv::Size text = cv::getTextSize(word, font, font_scale, thickness, &baseline);
                if (x + text.width > x0 + column_width) break;
                cv::putText(page, word, cv::Point(static_cast<int>(x), static_cast<int>(ly)), font, font_scale, s.ink,
                            thickness, cv::LINE_AA);
                x += text.width + line * 0.35;
            }
        }
    }
    cv::putText(page, std::to_string(number),
                cv::Point(static_cast<int>(w / 2), static_cast<int>(h - (h - bottom) / 2)), font, font_scale, s.ink,
                thickness, cv::LINE_AA);
    return page;
}

// The paper curving into the binding: darker towards a gutter that bows sideways.
void shade_gutter(cv::Mat& page, bool gutter_on_right, const Scene& s)
{
    const double width = std::max(1.0, s.gutter_width * page.cols);
    for (int y = 0; y < page.rows; ++y) {
        const double v = (y + 0.5) / page.rows - 0.5;  // -0.5 .. 0.5
        const double bow = s.gutter_bow * page.rows * (1 - 4 * v * v);
        auto* row = page.ptr<cv::Vec3b>(y);
        for (int x = 0; x < page.cols; ++x) {
            const double from_gutter = std::max(0.0, (gutter_on_right ? page.cols - 1 - x : x) + bow);
            const double f = 1 - s.gutter_depth * portable::exp(-from_gutter / width);
            for (int c = 0; c < 3; ++c) row[x][c] = cv::saturate_cast<uchar>(row[x][c] * f);
        }
    }
}

// --- Composing the photo ------------------------------------------------------------

using Corners = std::array<cv::Point2d, 4>;

// Photo coordinates (pixel centres at integers) to the oversampled canvas.
cv::Point2d to_canvas(cv::Point2d p)
{
    return (p + cv::Point2d(0.5, 0.5)) * oversample - cv::Point2d(0.5, 0.5);
}

std::vector<cv::Point> canvas_polygon(const std::vector<cv::Point2d>& photo_points)
{
    constexpr int shift = 4;
    std::vector<cv::Point> points;
    for (const auto& p : photo_points) {
        const cv::Point2d c = to_canvas(p) * (1 << shift);
        points.emplace_back(static_cast<int>(std::lround(c.x)), static_cast<int>(std::lround(c.y)));
    }
    return points;
}

void fill(cv::Mat& canvas, const std::vector<cv::Point2d>& photo_points, cv::Scalar colour)
{
    cv::fillConvexPoly(canvas, canvas_polygon(photo_points), colour, cv::LINE_8, 4);
}

// Lays a flat page into its quad: warped with the exact homography (sampled bilinearly by
// portable::warp_into, the same bits on every architecture), kept only where the quad
// covers a canvas pixel's centre.
void lay_page(cv::Mat& canvas, const cv::Mat& flat, const Corners& quad)
{
    Corners to;
    for (std::size_t i = 0; i < 4; ++i) to[i] = to_canvas(quad[i]);
    cv::Mat mask(canvas.size(), CV_8U, cv::Scalar(0));
    cv::fillConvexPoly(mask, canvas_polygon({quad.begin(), quad.end()}), cv::Scalar(255), cv::LINE_8, 4);
    portable::warp_into(canvas, flat, to, mask);
}

void draw_stack(cv::Mat& canvas, const std::function<cv::Point2d(cv::Point2d)>& to_photo, double u0, double u1,
                double half_height, const Scene& s, Dice& dice)
{
    const cv::Scalar edge = s.paper * dice.real(0.62, 0.8);
    fill(canvas,
         {to_photo({u0, -half_height}), to_photo({u1, -half_height + 0.004}), to_photo({u1, half_height - 0.004}),
          to_photo({u0, half_height})},
         edge);
    for (int i = 1; i < 6; ++i) {  // the edges of the leaves under the top one
        const double u = u0 + (u1 - u0) * i / 6.0;
        const cv::Point2d a = to_canvas(to_photo({u, -half_height + 0.004}));
        const cv::Point2d b = to_canvas(to_photo({u, half_height - 0.004}));
        cv::line(canvas, cv::Point(a), cv::Point(b), edge * 0.85, 1, cv::LINE_AA);
    }
}

void draw_finger(cv::Mat& canvas, cv::Point2d tip, cv::Point2d inward, double page_height, Dice& dice)
{
    const cv::Scalar skin(dice.triple({90, 150}, {120, 170}, {170, 225}));
    const double length = page_height * dice.real(0.12, 0.2);
    const double width = page_height * dice.real(0.035, 0.05);
    const cv::Point2d centre = tip - inward * (length / 2 - page_height * dice.real(0.01, 0.025));
    const double angle = std::atan2(inward.y, inward.x) * 180 / pi;
    const cv::RotatedRect finger(
        cv::Point2f(to_canvas(centre)),
        cv::Size2f(static_cast<float>(length * oversample), static_cast<float>(width * oversample)),
        static_cast<float>(angle));
    cv::ellipse(canvas, finger, skin, cv::FILLED, cv::LINE_AA);
    cv::ellipse(canvas, finger, skin * 0.75, 2, cv::LINE_AA);
}

// Uneven light: vignetting (cos^4-like falloff from the centre) and a lamp to one side,
// tinted; multiplies the canvas.
void light(cv::Mat& canvas, const Scene& s, Dice& dice)
{
    const double angle = dice.real(0, 2 * pi);
    const cv::Point2d towards(portable::cos(angle), portable::sin(angle));
    const double cx = canvas.cols / 2.0;
    const double cy = canvas.rows / 2.0;
    const double reach = std::sqrt(cx * cx + cy * cy);
    for (int y = 0; y < canvas.rows; ++y) {
        auto* row = canvas.ptr<cv::Vec3f>(y);
        for (int x = 0; x < canvas.cols; ++x) {
            const double dx = (x - cx) / reach;
            const double dy = (y - cy) / reach;
            const double r2 = dx * dx + dy * dy;
            const double vignette = 1 - s.vignette * (1 - 1 / ((1 + r2) * (1 + r2)));
            const double lamp = 1 - s.lamp * (0.5 + 0.5 * (dx * towards.x + dy * towards.y));
            const double gain = vignette * lamp;
            for (int c = 0; c < 3; ++c)
                row[x][c] = static_cast<float>(static_cast<double>(row[x][c]) * gain * s.cast[c]);
        }
    }
}

// Shot noise grows with the signal; read noise does not.
void add_noise(cv::Mat& photo_f, const Scene& s, Dice& dice)
{
    const cv::Mat gauss = portable::normal_field(photo_f.size(), 3, dice.raw());
    for (int y = 0; y < photo_f.rows; ++y) {
        auto* row = photo_f.ptr<cv::Vec3f>(y);
        const auto* n = gauss.ptr<cv::Vec3f>(y);
        for (int x = 0; x < photo_f.cols; ++x) {
            for (int c = 0; c < 3; ++c) {
                const double sigma = s.noise * (1.0 + 0.25 * std::sqrt(std::max(0.0, static_cast<double>(row[x][c]))));
                row[x][c] += static_cast<float>(sigma * static_cast<double>(n[x][c]));
            }
        }
    }
}

// The camera's part: light on the canvas, the lens, the sensor's noise, its JPEG.
void develop(IndependentPhoto& photo, const cv::Mat& canvas, cv::Size frame, const Scene& s, Dice& dice)
{
    cv::Mat lit;
    canvas.convertTo(lit, CV_32FC3);
    light(lit, s, dice);
    if (lit.size() != cv::Size(frame.width * oversample, frame.height * oversample) || oversample != 2)
        throw std::logic_error("independent_photo: the canvas must be twice the frame");
    cv::Mat small = portable::halve(lit);  // INTER_AREA at a factor of two: each 2x2 block's mean
    portable::gaussian_blur(small, s.blur);
    add_noise(small, s, dice);
    const cv::Mat shot = portable::to_8u(small);
    if (!cv::imencode(".jpg", shot, photo.jpeg, {cv::IMWRITE_JPEG_QUALITY, s.jpeg_quality}))
        throw std::runtime_error("independent_photo: cannot encode JPEG");
    photo.bgr = cv::imdecode(photo.jpeg, cv::IMREAD_COLOR);
}

std::string describe(const Scene& s)
{
    const char* grounds[] = {"table+cradle", "checked cloth", "felt", "light board"};
    std::string d = std::string(s.spread ? "spread" : "single") + " on " + grounds[static_cast<int>(s.ground)];
    d += ", rotation " + std::to_string(s.rotation_deg).substr(0, 5) + ", tilt " +
         std::to_string(s.tilt_x).substr(0, 4) + "/" + std::to_string(s.tilt_y).substr(0, 4);
    if (s.cover) d += ", cover";
    if (s.stack > 0) d += ", page stack";
    if (s.fingers) d += ", " + std::to_string(s.fingers) + " finger(s)";
    if (s.clips) d += ", clips";
    if (s.picture) d += ", picture";
    if (s.columns == 2) d += ", two columns";
    d += ", jpeg q" + std::to_string(s.jpeg_quality);
    return d;
}

}  // namespace

IndependentPhoto independent_photo(cv::Size frame, std::uint64_t seed, bool spread)
{
    if (frame.width < 200 || frame.height < 200) throw std::invalid_argument("independent_photo: frame too small");
    Dice dice(seed);
    const Scene s = make_scene(dice, spread);
    const double a = s.page_aspect;
    const double half_width = spread ? a : a / 2;
    const double margin = s.cover ? dice.real(0.015, 0.03) : 0.0;
    const double cradle = s.ground == Ground::table_and_cradle ? dice.real(0.05, 0.12) : 0.0;
    const double outer = half_width + std::max({margin, cradle, s.stack + 0.005});
    const BookToPhoto map(s, frame, dice, outer, 0.5 + std::max(margin, cradle));
    const std::function<cv::Point2d(cv::Point2d)> to_photo = [&](cv::Point2d p) { return map(p); };

    const cv::Size canvas_size(frame.width * oversample, frame.height * oversample);
    cv::Mat canvas = draw_ground(canvas_size, s, dice);
    canvas = portable::to_8u(canvas);
    const auto box = [&](double u0, double u1, double v0, double v1) {
        return std::vector<cv::Point2d>{to_photo({u0, v0}), to_photo({u1, v0}), to_photo({u1, v1}), to_photo({u0, v1})};
    };
    if (cradle > 0)
        fill(canvas, box(-half_width - cradle, half_width + cradle, -0.5 - cradle, 0.5 + cradle),
             grey(dice.real(25, 70)));
    if (s.cover)
        fill(canvas, box(-half_width - margin, half_width + margin, -0.5 - margin, 0.5 + margin), s.cover_colour);
    if (s.stack > 0) {
        draw_stack(canvas, to_photo, half_width, half_width + s.stack, 0.5, s, dice);
        draw_stack(canvas, to_photo, -half_width, -half_width - s.stack, 0.5, s, dice);
    }

    IndependentPhoto photo;
    photo.description = describe(s);
    std::vector<Corners> pages;
    if (spread) {
        pages.push_back({to_photo({-a, -0.5}), to_photo({0, -0.5}), to_photo({0, 0.5}), to_photo({-a, 0.5})});
        pages.push_back({to_photo({0, -0.5}), to_photo({a, -0.5}), to_photo({a, 0.5}), to_photo({0, 0.5})});
    } else {
        pages.push_back(
            {to_photo({-a / 2, -0.5}), to_photo({a / 2, -0.5}), to_photo({a / 2, 0.5}), to_photo({-a / 2, 0.5})});
    }
    const double page_pixels = cv::norm(to_canvas(pages[0][3]) - to_canvas(pages[0][0]));
    const cv::Size flat_size(static_cast<int>(page_pixels * a), static_cast<int>(page_pixels));
    const int first = dice.whole(1, 400) * 2;
    for (std::size_t i = 0; i < pages.size(); ++i) {
        cv::Mat flat = draw_page(flat_size, s, first + static_cast<int>(i), dice);
        cv::Mat shaded = flat.clone();
        if (spread) shade_gutter(shaded, i == 0, s);
        lay_page(canvas, shaded, pages[i]);
        photo.flat_pages.push_back(flat);
    }
    for (int f = 0; f < s.fingers; ++f) {  // on the outer edges, or the bottom edge
        const double v = dice.real(-0.3, 0.35);
        const bool left_side = spread ? f == 0 : dice.odds(0.5);
        const double u = left_side ? -half_width : half_width;
        const cv::Point2d tip = to_photo({u, v});
        const cv::Point2d inward = to_photo({u + (left_side ? 0.1 : -0.1), v}) - tip;
        draw_finger(canvas, tip, inward / cv::norm(inward), page_pixels / oversample, dice);
    }
    if (s.clips) {
        for (double u : {-half_width * 0.6, half_width * 0.6}) {
            fill(canvas, box(u - 0.04, u + 0.04, -0.52, -0.47), grey(dice.real(10, 40)));
        }
    }
    develop(photo, canvas, frame, s, dice);
    photo.pages = std::move(pages);
    return photo;
}

namespace {

// The V glass platen of a cradle pressed on the book: its apex a bright line along the
// fold, the lamp's reflection a soft bright band across the glass.
void draw_platen(cv::Mat& canvas, const std::function<cv::Point2d(cv::Point2d)>& to_photo, double a, Dice& dice)
{
    const cv::Point2d top = to_canvas(to_photo({0, -0.5}));
    const cv::Point2d bottom = to_canvas(to_photo({0, 0.5}));
    const int apex = std::max(1, static_cast<int>(canvas.rows * dice.real(0.0015, 0.004)));
    const double apex_light = dice.real(200, 250);
    cv::line(canvas, cv::Point(top), cv::Point(bottom), cv::Scalar::all(apex_light), apex, cv::LINE_AA);
    cv::Mat glare(canvas.size(), CV_8UC3, cv::Scalar(0, 0, 0));
    const double u = dice.real(-a, a);
    const double width = dice.real(0.04, 0.12);
    fill(glare,
         {to_photo({u, -0.6}), to_photo({u + width, -0.6}), to_photo({u + width + 0.1, 0.6}), to_photo({u + 0.1, 0.6})},
         cv::Scalar::all(255));
    // 8-bit GaussianBlur is bit-exact in OpenCV 4 (fixed-point kernel and sums), unlike the float one.
    cv::GaussianBlur(glare, glare, cv::Size(0, 0), canvas.rows * 0.02);
    const double glare_strength = dice.real(0.15, 0.35);
    portable::add_light(canvas, glare, glare_strength);
}

// Turns a photo a quarter turn `turns` times clockwise, corners with it (their order,
// as the page reads, stays).
void turn(IndependentPhoto& photo, int turns)
{
    for (int t = 0; t < turns % 4; ++t) {
        const int rows = photo.bgr.rows;
        cv::rotate(photo.bgr, photo.bgr, cv::ROTATE_90_CLOCKWISE);
        for (auto& page : photo.pages) {
            for (auto& c : page) c = cv::Point2d(rows - 1 - c.y, c.x);
        }
    }
    if (turns % 4 != 0) cv::imencode(".jpg", photo.bgr, photo.jpeg, {cv::IMWRITE_JPEG_QUALITY, 95});
}

}  // namespace

IndependentPhoto independent_cradle_photo(cv::Size frame, std::uint64_t seed, bool left_page, int quarter_turns)
{
    if (frame.width < 200 || frame.height < 200) throw std::invalid_argument("independent_photo: frame too small");
    Dice dice(seed);
    Scene s = make_scene(dice, true);
    s.ground = Ground::table_and_cradle;
    s.cover = true;
    s.stack = dice.real(0.006, 0.02);
    s.fingers = 0;
    s.clips = false;
    s.rotation_deg = dice.real(-3, 3);
    s.tilt_y = (left_page ? 1 : -1) * dice.real(2, 12);  // each camera looks at its page from the middle
    const double a = s.page_aspect;
    const double margin = dice.real(0.015, 0.04);
    const double sliver = a * dice.real(0.04, 0.15);
    const double outer = a + s.stack + margin;
    // The frame holds the page, the band of page edges and the cover on the outer side,
    // and only a sliver of the facing page beyond the gutter.
    const double fill_height = dice.real(0.9, 1.0);
    const BookToPhoto map = left_page ? BookToPhoto(s, frame, dice, -outer, sliver, 0.5 + margin, fill_height)
                                      : BookToPhoto(s, frame, dice, -sliver, outer, 0.5 + margin, fill_height);
    const std::function<cv::Point2d(cv::Point2d)> to_photo = [&](cv::Point2d p) { return map(p); };
    const auto box = [&](double u0, double u1, double v0, double v1) {
        return std::vector<cv::Point2d>{to_photo({u0, v0}), to_photo({u1, v0}), to_photo({u1, v1}), to_photo({u0, v1})};
    };
    cv::Mat canvas = draw_ground(cv::Size(frame.width * oversample, frame.height * oversample), s, dice);
    canvas = portable::to_8u(canvas);
    fill(canvas, box(-outer, outer, -0.5 - margin, 0.5 + margin), s.cover_colour);
    draw_stack(canvas, to_photo, a, a + s.stack, 0.5, s, dice);
    draw_stack(canvas, to_photo, -a, -a - s.stack, 0.5, s, dice);

    IndependentPhoto photo;
    const Corners left{to_photo({-a, -0.5}), to_photo({0, -0.5}), to_photo({0, 0.5}), to_photo({-a, 0.5})};
    const Corners right{to_photo({0, -0.5}), to_photo({a, -0.5}), to_photo({a, 0.5}), to_photo({0, 0.5})};
    const double page_pixels = cv::norm(to_canvas(left[3]) - to_canvas(left[0]));
    const cv::Size flat_size(static_cast<int>(page_pixels * a), static_cast<int>(page_pixels));
    const int number = dice.whole(1, 400) * 2;
    for (int i = 0; i < 2; ++i) {
        cv::Mat flat = draw_page(flat_size, s, number + i, dice);
        cv::Mat shaded = flat.clone();
        shade_gutter(shaded, i == 0, s);
        lay_page(canvas, shaded, i == 0 ? left : right);
        if ((i == 0) == left_page) photo.flat_pages.push_back(flat);
    }
    draw_platen(canvas, to_photo, a, dice);
    develop(photo, canvas, frame, s, dice);
    photo.pages = {left_page ? left : right};
    photo.description = std::string("cradle camera on the ") + (left_page ? "left" : "right") + " page, " +
                        describe(s) + ", glass platen, turned " + std::to_string(90 * (quarter_turns % 4));
    turn(photo, quarter_turns);
    return photo;
}

}  // namespace digikit::imaging::testing
