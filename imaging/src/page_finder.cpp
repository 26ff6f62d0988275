#include "page_finder.hpp"

#include <algorithm>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "finder_tuning.hpp"
#include "gutter_fold.hpp"
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

}  // namespace

PageLayout find_pages(const cv::Mat& reduced_bgr, const FinderRequest& request)
{
    const SplitMode split = split_for(request);
    PageLayout layout;
    cv::Mat grey;
    cv::cvtColor(reduced_bgr, grey, cv::COLOR_BGR2GRAY);
    std::optional<Outline> best;
    const auto rank = [](const Outline& o) { return o.score * o.support; };
    for (int method = 0; method < 2; ++method) {
        const cv::Mat mask = method == 0 ? paper_mask(reduced_bgr) : unreached_by_background(reduced_bgr);
        auto candidate = outline_of(mask, grey);
        if (candidate) {
            candidate->page = pull_sides_to_paper(grey, candidate->page, &candidate->pulled);
            const auto sides = side_support(grey, candidate->page);
            candidate->support = overall_support(sides);
            candidate->weakest = weakest_support(sides);
        }
        if (candidate && (!best || rank(*candidate) > rank(*best))) best = std::move(candidate);
        // Clear enough: skip the slower search. Every side must be on an edge for most of
        // its length: a side placed through the paper where the light falls off to the
        // board's level can still leave the outline as a whole well supported.
        if (best && best->score > tuning.quick_score && best->support > tuning.quick_support &&
            best->weakest >= tuning.quick_weakest)
            break;
    }
    if (!best || best->score < tuning.min_outline_score) return layout;
    const FoundPage& outline = best->page;
    layout.rotation_deg = rotation_of(outline.quad);

    const double aspect = (side_length(outline.quad, 0) + side_length(outline.quad, 2)) /
                          (side_length(outline.quad, 1) + side_length(outline.quad, 3));
    std::optional<Line> gutter;
    if (split == SplitMode::always || (split == SplitMode::automatic && aspect > 1.0)) {
        gutter = find_gutter(reduced_bgr, outline.quad, split == SplitMode::always);
    }
    if (gutter) {
        layout.pages = split_at_gutter(outline, *gutter, best->contour, reduced_bgr.size(), best->pulled);
    } else {
        layout.pages = {outline};
    }
    for (auto& page : layout.pages) {
        page = clip_to_frame(pull_sides_to_paper(grey, page), reduced_bgr.size());
        const auto sides = side_support(grey, page);
        page.confidence =
            std::clamp(best->score * std::min(overall_support(sides), weakest_support(sides) + 0.2), 0.0, 1.0);
    }
    return layout;
}

}  // namespace digikit::imaging
