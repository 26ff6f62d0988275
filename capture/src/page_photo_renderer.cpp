#include "digikit/capture/page_photo_renderer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace digikit::capture {
namespace {

constexpr long long max_photo_pixels = 24'000'000;

std::uint64_t mix_seed(std::uint64_t x)
{
    // splitmix64 finaliser: neighbouring seeds give unrelated streams.
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31U);
}

// Seeded randomness with our own integer-to-real mapping: the standard distributions
// may differ between library versions, and the pixels must not.
class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(mix_seed(seed)) {}
    double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(engine_() >> 11U) * 0x1.0p-53; }
    int integer(int lo, int hi) { return lo + static_cast<int>(engine_() % static_cast<std::uint64_t>(hi - lo + 1)); }
    bool chance(double p) { return uniform(0.0, 1.0) < p; }
    std::uint64_t next() { return engine_(); }
    // Several draws for one value, each its own statement so that no target's order of
    // evaluating a call's arguments changes the photo (x86 and arm64 differ). The last
    // component is drawn first: the order the photos have always had on x86.
    cv::Point2d point(double lo, double hi)
    {
        const double y = uniform(lo, hi);
        const double x = uniform(lo, hi);
        return {x, y};
    }
    cv::Vec3d triple(cv::Vec2d range0, cv::Vec2d range1, cv::Vec2d range2)
    {
        const double c2 = uniform(range2[0], range2[1]);
        const double c1 = uniform(range1[0], range1[1]);
        const double c0 = uniform(range0[0], range0[1]);
        return {c0, c1, c2};
    }

private:
    std::mt19937_64 engine_;
};

int to_int(double v)
{
    return static_cast<int>(std::lround(v));
}

std::uint8_t to_byte(double v)
{
    return cv::saturate_cast<std::uint8_t>(v);
}

// Gaussian noise around grey 128 as 8-bit values. Drawn around 0 and moved here: OpenCV
// scales its normal draws by a * x + b in code that arm64 builds fuse into one rounding
// (with b = 0 that is the same on every machine).
cv::Mat normal_bytes(cv::Size size, std::uint64_t seed, double sigma)
{
    cv::Mat draws(size, CV_32FC1);
    cv::RNG noise_rng(seed);
    noise_rng.fill(draws, cv::RNG::NORMAL, 0.0, sigma);
    cv::Mat bytes(size, CV_8UC1);
    for (int y = 0; y < size.height; ++y) {
        const auto* d = draws.ptr<float>(y);
        auto* b = bytes.ptr<std::uint8_t>(y);
        for (int x = 0; x < size.width; ++x) b[x] = to_byte(128.0 + static_cast<double>(d[x]));
    }
    return bytes;
}

// Typography and paper shared by every page of the book in one photo.
struct BookStyle {
    double aspect = 0.68;         // page width / height
    double line_spacing = 0.024;  // fraction of the page height
    double margin_top = 0.08;
    double margin_bottom = 0.09;
    double margin_inner = 0.12;
    double margin_outer = 0.10;
    cv::Scalar paper;
    cv::Scalar ink;
    bool running_head = true;
};

BookStyle make_book_style(Random& rng)
{
    BookStyle style;
    style.aspect = rng.uniform(0.62, 0.74);
    style.line_spacing = rng.uniform(0.020, 0.028);
    style.margin_top = rng.uniform(0.06, 0.10);
    style.margin_bottom = rng.uniform(0.08, 0.11);
    style.margin_inner = rng.uniform(0.09, 0.14);
    style.margin_outer = rng.uniform(0.08, 0.12);
    const double white = rng.uniform(222, 242);
    const double warmth = rng.uniform(2, 14);  // old paper is yellowish: less blue
    style.paper = cv::Scalar(white - warmth, white - warmth * 0.3, white);
    const double ink = rng.uniform(25, 55);
    style.ink = cv::Scalar(ink, ink, ink + rng.uniform(0, 8));
    style.running_head = rng.chance(0.7);
    return style;
}

// A word: a dark rounded blob from x0 to x1 centred on y (the x-height band).
void draw_word(cv::Mat& page, double x0, double x1, double y, double x_height, const cv::Scalar& ink)
{
    const int thickness = std::max(1, to_int(x_height));
    const double r = thickness / 2.0;
    const double a = x0 + r;
    const double b = std::max(a, x1 - r);
    constexpr int shift = 3;  // sub-pixel positions
    constexpr double scale = 1 << shift;
    cv::line(page, cv::Point(to_int(a * scale), to_int(y * scale)), cv::Point(to_int(b * scale), to_int(y * scale)),
             ink, thickness, cv::LINE_AA, shift);
}

// One line of words between x0 and x1: justified (spaces stretched to fill the
// measure) or ragged (stops at `fill` of the measure, like a paragraph's last line).
void draw_text_line(cv::Mat& page, Random& rng, double x0, double x1, double y, double x_height, const cv::Scalar& ink,
                    bool justified, double fill = 1.0)
{
    const double space = 0.7 * x_height;
    const double end = x0 + (x1 - x0) * fill;
    std::vector<double> lengths;
    double used = 0;
    for (;;) {
        const double length = x_height * (rng.chance(0.15) ? rng.uniform(5.0, 9.0) : rng.uniform(1.0, 5.0));
        const double needed = used + (lengths.empty() ? 0 : space) + length;
        if (needed > end - x0) break;
        lengths.push_back(length);
        used = needed;
    }
    if (lengths.empty()) return;
    double gap = space;
    if (justified && lengths.size() > 1) gap += (x1 - x0 - used) / static_cast<double>(lengths.size() - 1);
    double x = x0;
    for (double length : lengths) {
        draw_word(page, x, x + length, y, x_height, ink);
        x += length + gap;
    }
}

// A few words centred on the page (headings, running heads, captions).
void draw_centered_words(cv::Mat& page, Random& rng, double centre_x, double y, double x_height, const cv::Scalar& ink,
                         int words)
{
    std::vector<double> lengths;
    double total = 0;
    for (int i = 0; i < words; ++i) {
        lengths.push_back(x_height * rng.uniform(1.5, 4.5));
        total += lengths.back() + (i > 0 ? 0.8 * x_height : 0.0);
    }
    double x = centre_x - total / 2;
    for (double length : lengths) {
        draw_word(page, x, x + length, y, x_height, ink);
        x += length + 0.8 * x_height;
    }
}

// A large dark engraving-like picture with lighter shapes in it, drawn inside its box
// (a view of the page, so shapes are clipped to the picture's edge) and framed.
void draw_illustration(cv::Mat& page, Random& rng, const cv::Rect& box, const BookStyle& style)
{
    cv::Mat picture = page(box);
    const double base = rng.uniform(35, 70);
    picture.setTo(cv::Scalar(base, base, base + 4));
    constexpr int shapes = 40;
    for (int i = 0; i < shapes; ++i) {
        // Each draw its own statement, in the order the photos have always had (see point()).
        const int centre_y = rng.integer(0, box.height - 1);
        const int centre_x = rng.integer(0, box.width - 1);
        const double axis_y = rng.uniform(0.02, 0.18);
        const double axis_x = rng.uniform(0.02, 0.18);
        const cv::Point centre(centre_x, centre_y);
        const cv::Size axes(std::max(1, to_int(box.width * axis_x)), std::max(1, to_int(box.height * axis_y)));
        const double grey = rng.uniform(15, 120);
        cv::ellipse(picture, centre, axes, rng.uniform(0, 180), 0, 360, cv::Scalar(grey, grey, grey + 3), cv::FILLED,
                    cv::LINE_AA);
    }
    cv::rectangle(page, box, style.ink, std::max(1, to_int(box.width * 0.004)));
}

struct PageContent {
    int number = 1;
    bool inner_on_right = false;  // the binding side: right for a left-hand (even) page
    bool illustration = false;
    bool heading = false;
    bool words = false;  // readable body text (page_words) instead of blocks
};

// Common English words that Tesseract's English model knows.
constexpr std::array<std::string_view, 96> vocabulary{
    "garden",  "river",   "stone",   "winter",  "light",   "morning",  "house",    "letter",  "silver",  "paper",
    "window",  "harbour", "forest",  "little",  "country", "evening",  "mountain", "friend",  "water",   "summer",
    "village", "history", "kingdom", "travel",  "market",  "church",   "bridge",   "island",  "valley",  "castle",
    "people",  "father",  "mother",  "brother", "sister",  "daughter", "children", "school",  "teacher", "doctor",
    "soldier", "captain", "number",  "reason",  "answer",  "question", "journey",  "picture", "silence", "thunder",
    "autumn",  "spring",  "flower",  "orchard", "meadow",  "harvest",  "shadow",   "candle",  "mirror",  "music",
    "story",   "chapter", "volume",  "author",  "printer", "library",  "record",   "account", "garment", "kitchen",
    "table",   "corner",  "street",  "station", "railway", "engine",   "compass",  "anchor",  "voyage",  "weather",
    "ocean",   "desert",  "plain",   "north",   "south",   "eastern",  "western",  "ancient", "modern",  "famous",
    "gentle",  "simple",  "quiet",   "bright",  "golden",  "hollow"};

// Real words in lines from x0 to x1 (ragged right), from y down to `bottom`; returns the
// words that fitted.
std::vector<std::string> draw_words(cv::Mat& page, const std::vector<std::string>& words, double x0, double x1,
                                    double y, double bottom, double spacing, const cv::Scalar& ink)
{
    const double font_scale = 0.42 * spacing / 22.0;  // Hershey Simplex capitals are 22 units high
    const int thickness = std::max(1, to_int(font_scale * 1.4));
    int baseline = 0;
    const double space = cv::getTextSize("n", cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &baseline).width;
    std::vector<std::string> drawn;
    double x = x0;
    for (const auto& word : words) {
        const double width = cv::getTextSize(word, cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &baseline).width;
        if (x > x0 && x + width > x1) {
            x = x0;
            y += spacing;
        }
        if (y > bottom) break;
        cv::putText(page, word, cv::Point(to_int(x), to_int(y)), cv::FONT_HERSHEY_SIMPLEX, font_scale, ink, thickness,
                    cv::LINE_AA);
        drawn.push_back(word);
        x += width + 1.5 * space;
    }
    return drawn;
}

// The word-shaped blocks of an ordinary page: running head, heading, illustration and
// paragraphs, inside `area` (the type area between the margins).
void draw_block_text(cv::Mat& page, const BookStyle& style, const PageContent& content, Random& rng,
                     const cv::Rect2d& area)
{
    const double spacing = style.line_spacing * page.rows;
    const double x_height = 0.34 * spacing;
    const double left = area.x;
    const double right = area.x + area.width;
    const double top = area.y;
    const double bottom = area.y + area.height;
    const double centre = (left + right) / 2;

    if (style.running_head) draw_centered_words(page, rng, centre, top - 1.8 * spacing, 0.7 * x_height, style.ink, 3);

    double y = top + spacing / 2;
    if (content.heading) {
        y += 2.0 * spacing;
        draw_centered_words(page, rng, centre, y, 1.9 * x_height, style.ink, rng.integer(2, 4));
        y += 3.0 * spacing;
    }

    cv::Rect picture;
    if (content.illustration) {
        const double pw = (right - left) * rng.uniform(0.75, 1.0);
        const double ph = (bottom - y) * rng.uniform(0.35, 0.55);
        const double py = y + (bottom - y - ph) * rng.uniform(0.0, 0.6);
        picture = cv::Rect(to_int(centre - pw / 2), to_int(py), to_int(pw), to_int(ph));
        draw_illustration(page, rng, picture, style);
        draw_centered_words(page, rng, centre, py + ph + 1.2 * spacing, 0.8 * x_height, style.ink, rng.integer(3, 6));
    }

    while (y + spacing / 2 < bottom) {
        const int lines = rng.integer(2, 10);
        for (int i = 0; i < lines && y + spacing / 2 < bottom; ++i, y += spacing) {
            if (content.illustration && y + spacing > picture.y &&
                y - spacing < picture.y + picture.height + 2.5 * spacing) {
                --i;
                continue;
            }
            const bool first = i == 0;
            const bool last = i == lines - 1;
            const double indent = first ? 2.5 * x_height : 0.0;
            draw_text_line(page, rng, left + indent, right, y, x_height, style.ink, !last,
                           last ? rng.uniform(0.25, 0.9) : 1.0);
        }
        y += rng.chance(0.3) ? spacing * 0.5 : 0.0;  // some books space paragraphs
    }
}

// The page number, centred in the bottom margin.
void draw_page_number(cv::Mat& page, const BookStyle& style, int number, double centre, double bottom)
{
    const double h = page.rows;
    const double x_height = 0.34 * style.line_spacing * h;
    const std::string text = std::to_string(number);
    const double font_scale = 1.2 * x_height / 22.0;
    const int thickness = std::max(1, to_int(x_height / 5));
    int baseline = 0;
    const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, font_scale, thickness, &baseline);
    const double ny = bottom + (h - bottom) * 0.45 + size.height / 2.0;
    cv::putText(page, text, cv::Point(to_int(centre - size.width / 2.0), to_int(ny)), cv::FONT_HERSHEY_SIMPLEX,
                font_scale, style.ink, thickness, cv::LINE_AA);
}

cv::Mat draw_page(cv::Size size, const BookStyle& style, const PageContent& content, Random& rng,
                  std::vector<std::string>& words_drawn)
{
    cv::Mat page(size, CV_8UC3, style.paper);

    // Faint paper texture: smooth blotches plus fibre grain, drawn small and enlarged.
    // Enlarged in 8 bits, 16 steps to a grey level, by INTER_LINEAR_EXACT: OpenCV's float
    // resize gives other last bits with AVX2, SSE2 or NEON, and the same seed must draw
    // the same photo on every machine (SameSeedDrawsTheSamePhotoOnEveryArchitecture).
    constexpr double blotch_steps = 16;
    cv::Mat blotches8 = normal_bytes(cv::Size(std::max(2, size.width / 24), std::max(2, size.height / 24)), rng.next(),
                                     2.5 * blotch_steps);
    cv::resize(blotches8, blotches8, size, 0, 0, cv::INTER_LINEAR_EXACT);
    for (int y = 0; y < size.height; ++y) {
        const auto* b = blotches8.ptr<std::uint8_t>(y);
        auto* row = page.ptr<std::uint8_t>(y);
        for (int x = 0; x < size.width; ++x) {
            const double shift = (b[x] - 128) / blotch_steps;  // exact: a power of two
            for (int ch = 0; ch < 3; ++ch) row[3 * x + ch] = to_byte(row[3 * x + ch] + shift);
        }
    }

    const double h = size.height;
    const double w = size.width;
    const double left = w * (content.inner_on_right ? style.margin_outer : style.margin_inner);
    const double right = w * (1.0 - (content.inner_on_right ? style.margin_inner : style.margin_outer));
    const double top = h * style.margin_top;
    const double bottom = h * (1.0 - style.margin_bottom);
    if (content.words) {
        const double spacing = 2.0 * style.line_spacing * h;
        words_drawn =
            draw_words(page, page_words(content.number), left, right, top + spacing, bottom, spacing, style.ink);
    } else {
        draw_block_text(page, style, content, rng, cv::Rect2d(left, top, right - left, bottom - top));
    }
    draw_page_number(page, style, content.number, (left + right) / 2, bottom);
    return page;
}

// The homography taking a flat page's outer edge (pixel centres at integers, so the
// edge runs at -0.5 and size-0.5) to the quad in the photo.
cv::Matx33d page_homography(cv::Size flat, const Quad& quad)
{
    const double w = flat.width - 0.5;
    const double h = flat.height - 0.5;
    const std::array<cv::Point2d, 4> src{cv::Point2d(-0.5, -0.5), cv::Point2d(w, -0.5), cv::Point2d(w, h),
                                         cv::Point2d(-0.5, h)};
    cv::Matx<double, 8, 8> a;
    cv::Matx<double, 8, 1> b;
    for (int i = 0; i < 4; ++i) {
        const auto& s = src[static_cast<std::size_t>(i)];
        const auto& d = quad[static_cast<std::size_t>(i)];
        const double row_x[8] = {s.x, s.y, 1, 0, 0, 0, -s.x * d.x, -s.y * d.x};
        const double row_y[8] = {0, 0, 0, s.x, s.y, 1, -s.x * d.y, -s.y * d.y};
        for (int j = 0; j < 8; ++j) {
            a(2 * i, j) = row_x[j];
            a(2 * i + 1, j) = row_y[j];
        }
        b(2 * i) = d.x;
        b(2 * i + 1) = d.y;
    }
    cv::Matx<double, 8, 1> x;
    cv::solve(a, b, x, cv::DECOMP_LU);
    return {x(0), x(1), x(2), x(3), x(4), x(5), x(6), x(7), 1.0};
}

// Where the pages lie in the photo. A spread is six points: the outer corners and the
// gutter's top and bottom, shared by both pages.
struct Placement {
    std::vector<Quad> pages;
};

struct PlacementJitter {
    std::array<cv::Point2d, 6> corner{};  // in [-1, 1]
    double angle_rad = 0;
    cv::Point2d offset;   // in [-1, 1], within the free room
    int edge_side = 0;    // for touches_edge: 0 left, 1 right, 2 top, 3 bottom
    double overhang = 0;  // for touches_edge: fraction of the page outside the frame
};

Placement place_pages(const PagePhotoSpec& spec, cv::Size page, const PlacementJitter& jitter, cv::Point2d centre)
{
    const bool spread = spec.layout == PhotoLayout::spread;
    const double w = page.width;
    const double h = page.height;
    const double total_w = spread ? 2 * w : w;
    const double amount = spec.perspective * std::hypot(w, h);
    // Outer TL, top gutter, TR, BR, bottom gutter, BL (gutter points only for spreads).
    std::array<cv::Point2d, 6> p{
        cv::Point2d(-total_w / 2, -h / 2), cv::Point2d(0, -h / 2), cv::Point2d(total_w / 2, -h / 2),
        cv::Point2d(total_w / 2, h / 2),   cv::Point2d(0, h / 2),  cv::Point2d(-total_w / 2, h / 2)};
    const double c = std::cos(jitter.angle_rad);
    const double s = std::sin(jitter.angle_rad);
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double gutter_damping = (i == 1 || i == 4) ? 0.5 : 1.0;
        const cv::Point2d q = p[i] + jitter.corner[i] * (amount * gutter_damping);
        p[i] = cv::Point2d(c * q.x - s * q.y, s * q.x + c * q.y) + centre;
    }
    Placement placement;
    if (spread) {
        placement.pages.push_back(Quad{p[0], p[1], p[4], p[5]});
        placement.pages.push_back(Quad{p[1], p[2], p[3], p[4]});
    } else {
        placement.pages.push_back(Quad{p[0], p[2], p[3], p[5]});
    }
    return placement;
}

cv::Rect2d bounds(const Placement& placement)
{
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const auto& quad : placement.pages) {
        for (const auto& pt : quad) {
            x0 = std::min(x0, pt.x);
            y0 = std::min(y0, pt.y);
            x1 = std::max(x1, pt.x);
            y1 = std::max(y1, pt.y);
        }
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

// Chooses the page size in pixels and its position: as large as page_fill asks, shrunk
// to stay inside the frame, then moved randomly within the room left (or pushed over
// one edge for touches_edge).
Placement fit_pages(const PagePhotoSpec& spec, const BookStyle& style, const PlacementJitter& jitter, cv::Size& page)
{
    const cv::Size2d photo(spec.width, spec.height);
    const cv::Point2d centre(photo.width / 2, photo.height / 2);
    double ph = spec.page_fill * photo.height;
    auto size_for = [&](double height) {
        return cv::Size(std::max(8, to_int(height * style.aspect)), std::max(8, to_int(height)));
    };
    page = size_for(ph);
    cv::Rect2d box = bounds(place_pages(spec, page, jitter, centre));
    const double limit = spec.touches_edge ? 0.90 : 0.96;
    const double shrink = std::min({1.0, limit * photo.width / box.width, limit * photo.height / box.height});
    if (shrink < 1.0) {
        page = size_for(ph * shrink);
        box = bounds(place_pages(spec, page, jitter, centre));
    }
    cv::Point2d shift((photo.width - box.width) / 2 * 0.8 * jitter.offset.x,
                      (photo.height - box.height) / 2 * 0.8 * jitter.offset.y);
    if (spec.touches_edge) {
        const double over_x = box.width * jitter.overhang + (photo.width - box.width) / 2;
        const double over_y = box.height * jitter.overhang + (photo.height - box.height) / 2;
        switch (jitter.edge_side) {
            case 0: shift.x = -over_x; break;
            case 1: shift.x = over_x; break;
            case 2: shift.y = -over_y; break;
            default: shift.y = over_y; break;
        }
    }
    return place_pages(spec, page, jitter, centre + shift);
}

// Cloth: a woven tile (threads over and under) repeated over the frame, with smooth
// folds on top.
cv::Mat make_background(cv::Size size, PhotoBackground kind, Random& rng)
{
    double base = 30, amp = 14, folds = 6;
    cv::Vec3d tint(1.0, 1.0, 1.0);
    switch (kind) {
        case PhotoBackground::dark_cloth:
            base = rng.uniform(20, 38);
            amp = rng.uniform(8, 16);
            folds = 5;
            tint = rng.triple({0.9, 1.25}, {0.85, 1.1}, {0.8, 1.05});
            break;
        case PhotoBackground::mid_cloth:
            base = rng.uniform(95, 130);
            amp = rng.uniform(30, 50);
            folds = 10;
            tint = rng.triple({0.7, 1.0}, {0.85, 1.05}, {0.95, 1.2});
            break;
        case PhotoBackground::light:
            base = rng.uniform(195, 212);
            amp = rng.uniform(3, 7);
            folds = 4;
            tint = rng.triple({0.97, 1.0}, {0.98, 1.02}, {0.99, 1.03});
            break;
    }
    const int period = std::max(3, to_int(std::min(size.width, size.height) / 400.0 * rng.uniform(0.8, 1.3)));
    const int t = 2 * period;
    cv::Mat tile(t, t, CV_8UC3);
    for (int y = 0; y < t; ++y) {
        for (int x = 0; x < t; ++x) {
            const bool warp_up = ((x / period) + (y / period)) % 2 == 0;
            const int along = warp_up ? x % period : y % period;
            const double profile = std::sin(std::numbers::pi * (along + 0.5) / period);
            const double v = base + amp * (profile - 0.6);
            tile.at<cv::Vec3b>(y, x) = cv::Vec3b(to_byte(v * tint[0]), to_byte(v * tint[1]), to_byte(v * tint[2]));
        }
    }
    // The folds in 8 bits throughout: OpenCV's 8-bit GaussianBlur and INTER_LINEAR_EXACT
    // are bit-exact, its float resize and blur are not (see draw_page's blotches).
    const cv::Mat small8 =
        normal_bytes(cv::Size(std::max(2, size.width / 200), std::max(2, size.height / 200)), rng.next(), folds);
    cv::Mat low;
    cv::resize(small8, low, cv::Size(std::max(2, size.width / 8), std::max(2, size.height / 8)), 0, 0,
               cv::INTER_LINEAR_EXACT);
    cv::GaussianBlur(low, low, cv::Size(0, 0), 3.0);
    cv::resize(low, low, size, 0, 0, cv::INTER_LINEAR_EXACT);

    cv::Mat background(size, CV_8UC3);
    for (int y = 0; y < size.height; ++y) {
        const auto* tile_row = tile.ptr<cv::Vec3b>(y % t);
        const auto* low_row = low.ptr<std::uint8_t>(y);
        auto* out = background.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size.width; ++x) {
            const int fold = low_row[x] - 128;
            const cv::Vec3b& v = tile_row[x % t];
            for (int ch = 0; ch < 3; ++ch) out[x][ch] = cv::saturate_cast<std::uint8_t>(v[ch] + fold);
        }
    }
    return background;
}

// Darkens a spread page towards the binding, as the paper curves into the gutter.
void shade_gutter(cv::Mat& bgra, bool gutter_on_right, double depth, double width_fraction)
{
    const int cols = bgra.cols;
    const double width = std::max(1.0, width_fraction * cols);
    std::vector<float> factor(static_cast<std::size_t>(cols));
    for (int x = 0; x < cols; ++x) {
        const double d = gutter_on_right ? (cols - 1 - x) : x;
        factor[static_cast<std::size_t>(x)] = static_cast<float>(1.0 - depth * std::exp(-d / width));
    }
    for (int y = 0; y < bgra.rows; ++y) {
        auto* row = bgra.ptr<cv::Vec4b>(y);
        for (int x = 0; x < cols; ++x) {
            const float f = factor[static_cast<std::size_t>(x)];
            for (int ch = 0; ch < 3; ++ch) {
                row[x][ch] = cv::saturate_cast<std::uint8_t>(static_cast<float>(row[x][ch]) * f);
            }
        }
    }
}

// Warps a flat page into the photo and lays it over what is there. The alpha channel
// is warped with the colour against a transparent-black border, so edge pixels come out
// premultiplied by their coverage: the page edge is anti-aliased exactly where the
// quad says.
void composite_page(cv::Mat& photo, const cv::Mat& flat_bgra, const Quad& quad)
{
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (const auto& p : quad) {
        x0 = std::min(x0, p.x);
        y0 = std::min(y0, p.y);
        x1 = std::max(x1, p.x);
        y1 = std::max(y1, p.y);
    }
    const cv::Rect whole(0, 0, photo.cols, photo.rows);
    const cv::Rect roi =
        whole & cv::Rect(cv::Point(static_cast<int>(std::floor(x0)) - 2, static_cast<int>(std::floor(y0)) - 2),
                         cv::Point(static_cast<int>(std::ceil(x1)) + 3, static_cast<int>(std::ceil(y1)) + 3));
    if (roi.empty()) return;
    const cv::Matx33d to_roi(1, 0, -roi.x, 0, 1, -roi.y, 0, 0, 1);
    cv::Mat warped;
    cv::warpPerspective(flat_bgra, warped, cv::Mat(to_roi * page_homography(flat_bgra.size(), quad)), roi.size(),
                        cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    cv::Mat target = photo(roi);
    for (int y = 0; y < roi.height; ++y) {
        const auto* src = warped.ptr<cv::Vec4b>(y);
        auto* dst = target.ptr<cv::Vec3b>(y);
        for (int x = 0; x < roi.width; ++x) {
            const int alpha = src[x][3];
            if (alpha == 0) continue;
            for (int ch = 0; ch < 3; ++ch) {
                dst[x][ch] = cv::saturate_cast<std::uint8_t>(src[x][ch] + (dst[x][ch] * (255 - alpha) + 127) / 255);
            }
        }
    }
}

// Uneven light (a tilted gradient plus a vignette, both separable in x and y) and
// sensor noise, applied in one pass over the photo.
void light_and_noise(cv::Mat& photo, const PagePhotoSpec& spec, Random& rng)
{
    const double angle = rng.uniform(0, 2 * std::numbers::pi);
    const double dx = std::cos(angle);
    const double dy = std::sin(angle);
    const double cx = photo.cols / 2.0;
    const double cy = photo.rows / 2.0;
    const double radius = std::hypot(cx, cy);
    // darkness t = 0.6 * gradient (0..1 across the frame) + 0.4 * vignette (0..1 centre to corner)
    std::vector<float> tx(static_cast<std::size_t>(photo.cols));
    std::vector<float> ty(static_cast<std::size_t>(photo.rows));
    const double span = std::abs(dx) * cx + std::abs(dy) * cy;  // the gradient's reach
    for (int x = 0; x < photo.cols; ++x) {
        const double u = x - cx;
        tx[static_cast<std::size_t>(x)] = static_cast<float>(
            spec.light_falloff * (0.6 * (0.5 + 0.5 * u * dx / span) + 0.4 * u * u / (radius * radius)));
    }
    for (int y = 0; y < photo.rows; ++y) {
        const double v = y - cy;
        ty[static_cast<std::size_t>(y)] =
            static_cast<float>(spec.light_falloff * (0.6 * 0.5 * v * dy / span + 0.4 * v * v / (radius * radius)));
    }
    cv::RNG noise_rng(rng.next());
    cv::Mat noise(1, photo.cols * 3, CV_32FC1);
    const bool noisy = spec.noise_sigma > 0;
    for (int y = 0; y < photo.rows; ++y) {
        if (noisy) noise_rng.fill(noise, cv::RNG::NORMAL, 0.0, spec.noise_sigma);
        const float* n = noise.ptr<float>(0);
        auto* row = photo.ptr<std::uint8_t>(y);
        const float ry = ty[static_cast<std::size_t>(y)];
        for (int x = 0; x < photo.cols; ++x) {
            const float gain = std::max(0.0f, 1.0f - tx[static_cast<std::size_t>(x)] - ry);
            for (int ch = 0; ch < 3; ++ch) {
                const int i = 3 * x + ch;
                const float v = static_cast<float>(row[i]) * gain + (noisy ? n[i] : 0.0f);
                row[i] = cv::saturate_cast<std::uint8_t>(v);
            }
        }
    }
}

void check_spec(const PagePhotoSpec& spec)
{
    if (spec.width < 64 || spec.height < 64) {
        throw std::invalid_argument("page photo must be at least 64x64 pixels, got " + std::to_string(spec.width) +
                                    "x" + std::to_string(spec.height));
    }
    if (static_cast<long long>(spec.width) * spec.height > max_photo_pixels) {
        throw std::invalid_argument("page photo must be at most 24 MP, got " + std::to_string(spec.width) + "x" +
                                    std::to_string(spec.height));
    }
    if (spec.page_fill <= 0.05 || spec.page_fill > 1.2) {
        throw std::invalid_argument("page_fill must be in (0.05, 1.2], got " + std::to_string(spec.page_fill));
    }
}

}  // namespace

RenderedPhoto render_page_photo(const PagePhotoSpec& spec)
{
    check_spec(spec);
    Random rng(spec.seed);
    const BookStyle style = make_book_style(rng);

    PlacementJitter jitter;
    for (auto& c : jitter.corner) c = rng.point(-1, 1);
    const double sign = rng.chance(0.5) ? 1.0 : -1.0;
    jitter.angle_rad = sign * spec.rotation_deg * std::numbers::pi / 180.0;
    jitter.offset = rng.point(-1, 1);
    jitter.edge_side = rng.integer(0, 3);
    jitter.overhang = rng.uniform(0.04, 0.12);

    cv::Size page_size;
    const Placement placement = fit_pages(spec, style, jitter, page_size);

    RenderedPhoto photo;
    photo.bgr = make_background(cv::Size(spec.width, spec.height), spec.background, rng);
    photo.pages = placement.pages;

    const bool spread = spec.layout == PhotoLayout::spread;
    const std::size_t count = placement.pages.size();
    const std::size_t illustrated = spread ? static_cast<std::size_t>(rng.integer(0, 1)) : 0;
    const double gutter_depth = rng.uniform(0.25, 0.45);
    const double gutter_width = rng.uniform(0.02, 0.05);
    for (std::size_t i = 0; i < count; ++i) {
        PageContent content;
        content.number = spec.first_page_number + static_cast<int>(i);
        content.inner_on_right = spread ? i == 0 : content.number % 2 == 0;
        content.illustration = spec.dark_illustration && i == illustrated;
        content.heading = rng.chance(0.25);
        content.words = spec.words;
        std::vector<std::string> words;
        cv::Mat flat = draw_page(page_size, style, content, rng, words);
        photo.page_numbers.push_back(content.number);
        if (spec.words) photo.page_words.push_back(std::move(words));

        cv::Mat bgra;
        cv::cvtColor(flat, bgra, cv::COLOR_BGR2BGRA);
        if (spread) shade_gutter(bgra, i == 0, gutter_depth, gutter_width);
        composite_page(photo.bgr, bgra, placement.pages[i]);
        photo.flat_pages.push_back(std::move(flat));
    }
    light_and_noise(photo.bgr, spec, rng);
    return photo;
}

std::vector<std::string> page_words(int page_number)
{
    constexpr int count = 28;
    Random rng(std::uint64_t{0x776f7264} + static_cast<std::uint64_t>(static_cast<unsigned>(page_number)));  // "word"
    std::vector<std::string> words;
    words.reserve(count);
    for (int i = 0; i < count; ++i) {
        words.emplace_back(
            vocabulary[static_cast<std::size_t>(rng.integer(0, static_cast<int>(vocabulary.size()) - 1))]);
    }
    return words;
}

std::vector<std::uint8_t> encode_camera_jpeg(const cv::Mat& bgr, int quality)
{
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
        throw std::runtime_error("cannot encode a " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) +
                                 " image as JPEG");
    }
    return bytes;
}

}  // namespace digikit::capture
