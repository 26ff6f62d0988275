#pragma once

// The page finder's thresholds in one place, named for what they decide. Lengths in
// pixels are on the reduced photo the finder works on (about 1000 pixels on its long
// side); shares are of the named length; grey levels are 0..255.
namespace digikit::imaging {

struct FinderTuning {
    // Paper mask: the background is the median colour of a ring along the frame's border.
    int border_ring_share = 40;  // ring width: the shorter side over this
    double chroma_weight = 4;    // squared weight of a/b against L: paper is grey, cloth often is not
    int mask_kernel = 5;         // blur and open/close size of the mask
    double canny_low = 12;       // brightness and colour edges of the flood search
    double canny_high = 30;
    int long_run_share = 12;              // edge runs shorter than the frame over this are letters
    int background_seed_difference = 25;  // a border pixel this close to the background seeds the flood
    int flood_step = 3;                   // grey levels between neighbours the flood crosses (light falloff)
    int seal_kernel = 15;                 // closes a page outline the flood leaked into

    // Outline of the paper blob.
    double min_blob_share = 0.05;    // of the frame: smaller blobs are no page
    double second_blob_share = 0.4;  // of the largest blob: a second one this large is the other page
    double spur_width = 0.035;       // of sqrt(blob area): narrower protrusions are fingers or clips
    double max_frame_share = 0.995;  // a quad covering more of the frame is the frame, not a page
    double min_outline_score = 0.8;  // blob area / quad area below this: no page

    // The quick first search is trusted when its outline is this clear.
    double quick_score = 0.97;
    double quick_support = 0.9;
    double quick_weakest = 0.8;

    // Fitting sides to the outline.
    double fit_end_share = 0.08;       // of the side: the outline near the corners is left out
    double fit_distance_share = 0.02;  // of the diagonal: outline points farther from the side are not on it
    double fit_min_share = 0.3;        // of the side's length: fewer outline points leave the side as it is
    double fit_outlier = 1.5;          // pixels

    // Edge support: a brightness step of at least this across a side, 2-3 pixels each way.
    double edge_step = 8;

    // Curled pages: each side traced at this many places within this share of its length;
    // it is bent when its middle third lies this share of its length off its ends' line,
    // and then its corners come from lines fitted to this share of it at each end.
    int trace_samples = 32;
    double trace_reach = 0.06;
    double min_bow = 0.008;
    double bent_end = 0.3;
    double curl_reach = 0.1;     // ... a thick book's page, bowing far, within this
    double curl_end = 0.15;      // ... and its corners from this share at each end
    double max_trace_bend = 4;   // pixels: second difference of a smooth trace's offsets
    double trace_margin = 0.03;  // of the side: left untraced at each end (the corners)
    // A smooth trace's place counts only when its two neighbours lie at most this many
    // places' spacing apart (2: none skipped between them).
    double smooth_neighbour_gap = 2.5;
    // A bent side's trace runs on smoothly at this share of its places at least: one that
    // jumps (between the paper's edge and print beyond it, from stripe to stripe of the
    // leaves below) is no bent edge, and two such facing edges are no curl.
    double min_bent_smooth = 0.75;
    // A bent side's two end lines within this sine of parallel (or meeting beyond the
    // side's ends), lying more than min_split_apart pixels apart at its middle, are two
    // edges side by side, not a bow (a bowed edge's end lines meet near its middle).
    double split_parallel = 0.02;
    double min_split_apart = 4;

    // A side of the best outline supported along less than this share of its length may
    // take another outline's side that is supported along at least clear_side of it, when
    // the page's mean and weakest side support gain at least min_adopt_gain for it.
    double weak_side = 0.6;
    double clear_side = 0.8;
    double min_adopt_gain = 0.05;

    // Pulling sides in over a band (cover, page-stack edges, cradle) onto the paper.
    double pull_reach = 0.09;  // of the mean side length
    int pull_rounds = 3;
    double min_band_rise = 16;       // paper at least this much brighter than the band
    double min_step = 12;            // the step onto the paper, at least
    double step_share = 0.25;        // ... and this share of the rise
    double band_tolerance = 6;       // the band stays within this (or a tenth of the rise)
    double frame_band_share = 0.02;  // of the frame's shorter side: a side this near its edge lies on it

    // The gutter of a spread: the darkest paper between these shares of the width.
    double gutter_from = 0.35;
    double gutter_to = 0.65;
    double min_gutter_depth = 8;  // grey levels darker than the pages beside it
    // ... whose line reaches both ends of the spread within this many of 600 columns of
    // where it is darkest, and is traced within as many either side of it.
    int gutter_end_slant = 4;

    // The fold of a one-page view: a line along the gutter side, darker than the paper on
    // both sides of it by this much within this share of the width.
    double min_fold_depth = 12;
    double fold_percentile = 0.9;  // of the grey levels along a line: the paper's level
    double fold_beside = 0.04;
    // A fold or gutter reaches both ends of the page (print stops at the margins): within
    // fold_end_slant of 600 columns, at least this share of min_fold_depth deep there.
    double fold_end_share = 0.5;
    int fold_end_slant = 12;
    int fold_edge_margin = 4;           // of 600 columns: a fold right at the side is the side
    double fold_max_share = 0.45;       // the facing page's part of what was found around the page
    double fold_over_gutter = 2;        // a fold this much clearer than a spread's gutter wins
    double unexpected_fold_depth = 24;  // a fold on another side than the view's must be this clear
    // A one-page view's fold with no dark line: the page's paper steps down (by
    // min_fold_depth) onto a facing page filling at least this share of the width beyond
    // it, in at least min_step_bands of 10 bands down the page, on one line (within
    // step_fold_outlier of 600 columns). As the fold side's evidence it counts this much:
    // so little that a page cut there is always doubted (a binding strip or the facing
    // page's shading can put the step beside the fold).
    double step_facing_share = 0.05;
    double step_start = 6;  // grey levels below the paper's: the page's paper has ended
    int min_step_bands = 8;
    double step_fold_outlier = 3;
    double step_fold_evidence = 0.1;

    // Full-resolution refinement of each visible side.
    int refine_samples = 48;
    double min_refine_gradient = 6;
    int min_refine_points = 12;
    double refine_reach = 3;           // reduced pixels searched each way ...
    double min_refine_radius = 4;      // ... and at least this many full-resolution pixels
    double min_fold_refine_scale = 2;  // full / reduced: below this the fold keeps its traced line
    double min_fold_valley = 6;        // grey levels: a fold's line darker than the paper each side of it

    // Confidence: evidence of a side on the frame's edge (or hugging it within this share
    // of the frame), the fold depth and blob fill that count as sure.
    double frame_side_evidence = 0.5;
    // Below this (half of min_page_confidence: half the outline off any edge, a side with
    // none) no page counts as found.
    double min_found_confidence = 0.25;
    // Doubted pages with paper as bright as theirs along this share of the frame's border
    // (paper_round_frame) are no pages found: no paper edge is in view. Tight crops of
    // pages measure 0.72-1; cradle, desk and overhead photos up to 0.33 (a spread on
    // white paper 1, but sure of its pages).
    double no_edge_paper_round_frame = 0.6;
    double frame_hug_share = 0.01;
    double sure_fold_depth = 24;
    double fold_side_distance = 3;  // pixels: a side this close to the fold at both ends lies on it
    double sure_fill = 0.95;
    // A side's evidence: samples where the change at it (within edge_tolerance) is at
    // least this share of the strongest within edge_window pixels, and edge_contrast deep.
    double edge_share_of_strongest = 0.5;
    int evidence_samples = 40;
    int edge_window = 6;
    int edge_tolerance = 2;
    double edge_contrast = 6;
    // A place looks like the background when its difference from it is under this share
    // of the paper's (the cloth of the National Diet Library's photos: 0.1-0.2; the paper a
    // gutter's shadow or a pale board's light falloff darkens: 0.4 and more).
    double background_share_of_paper = 0.25;
    // A visible side detached from the paper (on a ruler or slip lying beyond the page):
    // inside it, from detached_skip pixels in, a band across its whole length that looks
    // like the background, deeper than detached_share of the page across the side, within
    // pull_reach. Judged only where paper and background differ by detached_min_contrast.
    int detached_skip = 3;
    double detached_share = 0.04;
    double detached_min_contrast = 32;
    // The paper past the band starts at an edge: within detached_edge_width pixels either
    // way the difference rises by detached_edge_share of the paper's.
    int detached_edge_width = 3;
    double detached_edge_share = 0.3;
    // A corner of the fold or gutter side is off the paper (on the cloth above a spread's
    // notch) when more than fold_corner_background of a square patch inside it (its side
    // fold_corner_share of the page's mean side) looks like the background. Judged only
    // where paper and background differ by fold_corner_min_contrast: a gutter's shadow
    // darkens the paper beside it by twice sure_fold_depth and more, near the level of a
    // pale board (the light-board spreads of the second generator). Such a page is as
    // sure at most as one with every side on an edge but one with none ((0.75 + 0) / 2):
    // doubted, with its corners moved down the fold onto the notch.
    double fold_corner_share = 0.04;
    double fold_corner_background = 0.4;
    double fold_corner_min_contrast = 64;
    double fold_corner_off_confidence = 0.375;
    // Such a corner moves along the fold, within this share of the side, to the notch.
    double fold_corner_reach = 0.25;
};

inline constexpr FinderTuning tuning{};

}  // namespace digikit::imaging
