#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace digikit::imaging::testing {

// A second photo generator, written apart from the shared renderer in capture/ so that
// the page finder is not only ever checked against the world it was developed on. It
// draws differently on purpose: a book in 3-D (tilted camera, real perspective), covers
// and page-edge stacks around the pages, a curved gutter shadow, tables, cradles and
// other cloths, fingers and clips over the edges, tinted and foxed paper, typeset
// letters in one or two columns, photographs, vignetting, colour casts, lens blur,
// signal-dependent noise and JPEG at various qualities.
struct IndependentPhoto {
    cv::Mat bgr;                                    // the decoded camera JPEG
    std::vector<std::uint8_t> jpeg;                 // what the camera wrote
    std::vector<std::array<cv::Point2d, 4>> pages;  // truth: TL TR BR BL, reading order
    std::vector<cv::Mat> flat_pages;                // the true page content, unwarped
    std::string description;                        // what was drawn, for failure messages
};

// One photo, a pure function of its arguments. `spread` asks for two pages.
[[nodiscard]] IndependentPhoto independent_photo(cv::Size frame, std::uint64_t seed, bool spread);

// What one camera of a two-camera cradle sees: the page it is aimed at (the left or the
// right page of the spread) nearly filling the frame, beyond its outer edge the band of
// page edges and the cover board, beyond the gutter a sliver of the facing page, all
// under a V glass platen (a bright apex line along the fold, a band of glare). The camera
// may be mounted turned by `quarter_turns` x 90 degrees clockwise. Truth: the one page.
[[nodiscard]] IndependentPhoto independent_cradle_photo(cv::Size frame, std::uint64_t seed, bool left_page,
                                                        int quarter_turns = 0);

}  // namespace digikit::imaging::testing
