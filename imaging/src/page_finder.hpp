#pragma once

#include <array>
#include <vector>

#include <opencv2/core.hpp>

#include "digikit/imaging/page_pipeline.hpp"
#include "quad_geometry.hpp"

namespace digikit::imaging {

struct FoundPage {
    Quad quad;
    // Side i runs from corner i to corner i+1 (top, right, bottom, left). False for a
    // side that is not a visible paper edge (the gutter of a spread, the frame border).
    std::array<bool, 4> edge_visible{true, true, true, true};
    double confidence = 1;  // how well the photo supports the quad (0..1)
    // Sides whose paper edge is visibly bent (a curled page): the corners are where the
    // edge meets its neighbours, the side between them a chord, not refined as a line.
    std::array<bool, 4> bent{};
    // Of a bent side, the share of its places where its edge was traced running on
    // smoothly: the evidence for a curled page's side (a chord of a curve lies on no edge).
    std::array<double, 4> traced{};
    // Bent sides whose trace ran along two parallel edges a few pixels apart (the paper's
    // and a band's beside it, a stripe of the leaves below): no bow, and which of the two
    // is the paper's edge the photo does not say.
    std::array<bool, 4> split{};
    // Split sides put on the inner of their two edges, with a band darker than the paper
    // beyond it (the leaves below the page): likelier the paper's edge than the other.
    std::array<bool, 4> on_inner_edge{};
    // Sides on the fold or a spread's gutter (where the page was cut): at full resolution
    // they go onto the darkest line near them (a fold is a dark line, not a step).
    std::array<bool, 4> on_fold{};
    [[nodiscard]] bool curled() const { return bent[0] || bent[1] || bent[2] || bent[3]; }
};

struct PageLayout {
    std::vector<FoundPage> pages;  // reading order; empty when no page was found
    double rotation_deg = 0;       // of the page (or spread) outline, clockwise positive
};

// What the finder is told besides the photo.
struct FinderRequest {
    SplitMode split = SplitMode::automatic;
    PageView view = PageView::automatic;
    std::vector<Quad> prior;  // the book's quad per page, in the reduced upright photo's pixels
};

// Decides where the page(s) are on a reduced, upright BGR photo (about 1000 pixels wide).
[[nodiscard]] PageLayout find_pages(const cv::Mat& reduced_bgr, const FinderRequest& request);

// Scales a layout found on a reduced image to the full image (`scale` = full / reduced).
[[nodiscard]] PageLayout scale_layout(const PageLayout& layout, double scale);

// Moves each visible side of `page` onto the strongest nearby edge of the full-resolution
// photo (sub-pixel), within a few reduced pixels of where the reduced search put it
// (`scale` = full / reduced); each side on the fold onto its dark line, when the full
// photo is much finer than the reduced one.
[[nodiscard]] Quad refine_quad(const cv::Mat& full_bgr, const FoundPage& page, double scale);

// Width and height of the straightened page: the mean lengths of opposite sides.
[[nodiscard]] cv::Size page_size(const Quad& quad);

}  // namespace digikit::imaging

namespace digikit::imaging {

// Flatbed scans: the page lies on the glass under a light lid, often with no visible
// edge. The page's own edge when one is found; otherwise the text block, deskewed by
// projection profile (the angle whose row sums of ink are sharpest) with a margin.
[[nodiscard]] PageLayout find_flatbed_page(const cv::Mat& reduced_bgr);

}  // namespace digikit::imaging
