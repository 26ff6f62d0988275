#include "page_finder.hpp"

#include <algorithm>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "gutter_fold.hpp"
#include "off_paper.hpp"
#include "page_confidence.hpp"
#include "page_outline.hpp"
#include "paper_mask.hpp"
#include "side_fitting.hpp"

namespace digikit::imaging {
namespace {

// The split the view calls for: a one-page view is never split, a spread always.
SplitMode split_for(const FinderRequest& request)
{
    switch (request.view) {
        case PageView::spread: return SplitMode::always;
        case PageView::single:
        case PageView::left_page:
        case PageView::right_page: return SplitMode::never;
        case PageView::automatic: break;
    }
    return request.split;
}

// The gutter side of a one-page view, as the page reads (the photo is upright).
std::optional<std::size_t> gutter_side(PageView view)
{
    if (view == PageView::left_page) return 1;
    if (view == PageView::right_page) return 3;
    return std::nullopt;
}

// Whether side `side` of `quad` is one of its two longer sides. A book's pages turn about
// their long side, so a fold runs along it; lines of print run across it.
bool along_long_sides(const Quad& quad, std::size_t side)
{
    const double across = side_length(quad, 0) + side_length(quad, 2);
    const double along = side_length(quad, 1) + side_length(quad, 3);
    return side % 2 == 1 ? along >= across : across >= along;
}

// The fold of a one-page view: on the side the view says; on another long side only when
// it is much clearer there (a camera mounted otherwise than configured).
std::optional<Fold> one_page_fold(const cv::Mat& grey, const Quad& quad, std::size_t expected)
{
    std::optional<Fold> fold = find_fold(grey, quad, expected, tuning.fold_max_share);
    for (std::size_t side = 0; side < 4; ++side) {
        if (side == expected || !along_long_sides(quad, side)) continue;
        auto other = find_fold(grey, quad, side, tuning.fold_max_share);
        if (!other || other->depth < tuning.unexpected_fold_depth) continue;
        if (!fold || other->depth > 2 * fold->depth) fold = other;
    }
    // No dark line anywhere: where the page steps down onto the darker facing page.
    return fold ? fold : find_step_fold(grey, quad, expected, tuning.fold_max_share);
}

// The clearest fold along a long side (a page photographed with its facing page in view).
std::optional<Fold> clearest_fold(const cv::Mat& grey, const Quad& quad)
{
    std::optional<Fold> fold;
    for (std::size_t side = 0; side < 4; ++side) {
        if (!along_long_sides(quad, side)) continue;
        auto found = find_fold(grey, quad, side, tuning.fold_max_share);
        if (found && (!fold || found->depth > fold->depth)) fold = found;
    }
    return fold;
}

// Whether every side of `page` is a visible paper edge, but for the gutter side of a
// one-page view where a fold is found.
bool surrounded(const cv::Mat& grey, const FoundPage& page, PageView view)
{
    const auto gutter = gutter_side(view);
    for (std::size_t i = 0; i < 4; ++i) {
        if (page.edge_visible[i]) continue;
        if (i != gutter || !one_page_fold(grey, page.quad, i)) return false;
    }
    return true;
}

// Whether a corner of a page's fold or gutter side lies off the paper: it is every page's
// then (the pages of a spread share it), and all are doubted.
bool fold_corner_off_paper_in(const cv::Mat& grey, const cv::Mat& difference, const std::vector<FoundPage>& pages)
{
    return std::any_of(pages.begin(), pages.end(), [&](const FoundPage& page) {
        for (std::size_t i = 0; i < 4; ++i) {
            if (page.on_fold[i] && fold_corner_off_paper(grey, difference, page.quad, i)) return true;
        }
        return false;
    });
}

}  // namespace

PageLayout find_pages(const cv::Mat& reduced_bgr, const FinderRequest& request)
{
    const SplitMode split = split_for(request);
    PageLayout layout;
    cv::Mat grey;
    cv::cvtColor(reduced_bgr, grey, cv::COLOR_BGR2GRAY);
    std::optional<Outline> best;
    std::vector<FoundPage> outlines;  // every mask's, for sides the best one misses
    const auto rank = [](const Outline& o) { return o.score * o.support; };
    using MaskOf = cv::Mat (*)(const cv::Mat&);
    for (const MaskOf mask_of : {&paper_mask, &unreached_by_background, &brighter_than_surroundings}) {
        const cv::Mat mask = mask_of(reduced_bgr);
        auto candidate = outline_of(mask, grey);
        if (candidate) {
            // A one-page view's gutter side left on the frame is the fold's to place (and
            // to doubt when only a step marks it), not the frame-side move's.
            std::array<bool, 4> keep{};
            if (const auto gutter = gutter_side(request.view)) keep[*gutter] = !candidate->page.edge_visible[*gutter];
            candidate->page = pull_sides_to_paper(grey, candidate->page, &candidate->pulled, keep);
        }
        // Paper brighter than its surroundings must have surroundings on every side: a
        // bright blob running out of the frame is paper and whatever else is as bright.
        // In a one-page view the facing page may run out beyond the fold, when there is one.
        if (candidate && mask_of == &brighter_than_surroundings && !surrounded(grey, candidate->page, request.view)) {
            candidate.reset();
        }
        if (candidate) {
            const auto sides = side_support(grey, candidate->page);
            candidate->support = overall_support(sides);
            candidate->weakest = weakest_support(sides);
            outlines.push_back(candidate->page);
        }
        // A blob filling too little of its quad is no page: it is no better answer either.
        if (candidate && candidate->score >= tuning.min_outline_score && (!best || rank(*candidate) > rank(*best))) {
            best = std::move(candidate);
        }
        // Clear enough: skip the slower search. Every side must be on an edge for most of
        // its length: a side placed through the paper where the light falls off to the
        // board's level can still leave the outline as a whole well supported.
        if (best && best->score > tuning.quick_score && best->support > tuning.quick_support &&
            best->weakest >= tuning.quick_weakest) {
            break;
        }
    }
    if (!best) return layout;
    // An adopted side lies off the best outline, already pulled onto the paper with its own.
    std::array<bool, 4> adopted{};
    best->page = adopt_clear_sides(grey, best->page, outlines, &adopted);
    for (std::size_t i = 0; i < 4; ++i) best->pulled[i] = best->pulled[i] || adopted[i];
    // A side on a ruler or slip beyond the paper goes onto the paper before the gutter is
    // searched between the outline's ends.
    const cv::Mat difference = difference_from_background(reduced_bgr);
    best->page = pull_detached_sides(grey, difference, best->page, {});
    const FoundPage& outline = best->page;
    layout.rotation_deg = rotation_of(outline.quad);

    const double aspect = (side_length(outline.quad, 0) + side_length(outline.quad, 2)) /
                          (side_length(outline.quad, 1) + side_length(outline.quad, 3));
    std::optional<Fold> gutter;
    if (split == SplitMode::always || (split == SplitMode::automatic && aspect > 1.0)) {
        gutter = find_gutter(grey, outline.quad, split == SplitMode::always);
    }
    // One page with the facing page beyond its fold: the fold where the view says, else
    // the clearest on any side.
    const auto side = gutter_side(request.view);
    const std::optional<Fold> fold =
        side ? one_page_fold(grey, outline.quad, *side) : clearest_fold(grey, outline.quad);
    // A spread's gutter much fainter than a fold off the middle is no gutter: one page
    // (turned sideways, or with its facing page in view) has a line of print there.
    if (gutter && split != SplitMode::always && fold && fold->depth > tuning.fold_over_gutter * gutter->depth) {
        gutter.reset();
    }
    if (gutter) {
        layout.pages = split_at_gutter(outline, gutter->line, best->contour, reduced_bgr.size(), best->pulled);
    } else if (fold) {
        layout.pages = {cut_at_fold(outline, *fold)};
    } else {
        layout.pages = {outline};
    }
    std::optional<Fold> cut = gutter ? gutter : fold;
    for (auto& page : layout.pages) {
        std::array<bool, 4> keep = adopted;  // the page's fold or gutter side stays too
        for (std::size_t i = 0; i < 4; ++i) keep[i] = keep[i] || (cut && lies_on_fold(page.quad, i, *cut));
        page = bend_to_edges(grey, clip_to_frame(pull_sides_to_paper(grey, page, nullptr, keep), reduced_bgr.size()));
        // A fore-edge put on the inner of two edges turns the page: with no fold found
        // along the outline's sides, one may lie along the page's (one page: no gutter).
        const bool turned = std::any_of(page.on_inner_edge.begin(), page.on_inner_edge.end(), [](bool b) { return b; });
        if (!cut && turned && layout.pages.size() == 1) {
            if (const auto refold = side ? one_page_fold(grey, page.quad, *side) : clearest_fold(grey, page.quad)) {
                cut = refold;
                page = bend_to_edges(grey, cut_at_fold(page, *refold));
            }
        }
        for (std::size_t i = 0; i < 4; ++i) {
            page.on_fold[i] = cut && !page.edge_visible[i] && lies_on_fold(page.quad, i, *cut);
        }
    }
    const bool fold_off_paper = fold_corner_off_paper_in(grey, difference, layout.pages);
    for (auto& page : layout.pages) {
        // Down to the notch, and still doubted: the pages' tops curl into it. From the
        // notch the top bows: its other corner is where its end meets the page's side.
        if (fold_off_paper) page = bend_to_edges(grey, fold_corners_onto_paper(grey, difference, page));
        page.confidence = page_confidence(grey, difference, page, best->score, cut);
        if (fold_off_paper) page.confidence = std::min(page.confidence, tuning.fold_corner_off_confidence);
    }
    // Nothing found with confidence (a quad the photo hardly supports), or only doubted
    // pages with paper running out of view all round the frame (a tight crop: no paper
    // edge in view, the quad ran along the print): no page, rather than an invented quad.
    const auto below = [&](double floor) {
        return std::all_of(layout.pages.begin(), layout.pages.end(),
                           [&](const FoundPage& page) { return page.confidence < floor; });
    };
    if (below(tuning.min_found_confidence) ||
        (below(min_page_confidence) && !layout.pages.empty() &&
         paper_round_frame(grey, layout.pages.front().quad) >= tuning.no_edge_paper_round_frame)) {
        layout.pages.clear();
    }
    return layout;
}

}  // namespace digikit::imaging
