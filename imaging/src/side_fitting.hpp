#pragma once

#include <array>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "page_finder.hpp"
#include "quad_geometry.hpp"

// Sides of a page quad: fitted to an outline, judged by the brightness step across them,
// moved in over bands that are not paper.
namespace digikit::imaging {

// Four corners of a convex outline: the polygon simplified until it has four vertices.
[[nodiscard]] std::optional<Quad> approximate_quad(const std::vector<cv::Point>& hull);

[[nodiscard]] bool on_frame_border(cv::Point p, cv::Size frame);

// The frame's edge (pixel centres at integers: the edge runs half a pixel outside them)
// when the side from `a` to `b` lies along it: a page running off the frame ends there.
[[nodiscard]] std::optional<Line> frame_edge_along(cv::Point2d a, cv::Point2d b, cv::Size frame);

// Each side refitted to the outline points along it, except those to `keep`; sides
// lying on the frame border are kept as they are and marked not visible.
[[nodiscard]] FoundPage fit_sides(const Quad& rough, const std::vector<cv::Point>& contour, cv::Size frame,
                                  std::array<bool, 4> keep = {});

[[nodiscard]] double side_length(const Quad& q, std::size_t i);
// Of the page's top and bottom sides, clockwise positive, in degrees.
[[nodiscard]] double rotation_of(const Quad& q);
[[nodiscard]] cv::Mat homography_to_rectangle(const Quad& q, cv::Size size);

// Grey level at a sub-pixel position (bilinear), clamped to the image.
[[nodiscard]] double grey_at(const cv::Mat& grey, cv::Point2d p);
// A 9x9 grid of points over quad `q`, evenly spaced between its sides.
[[nodiscard]] std::vector<cv::Point2d> grid_over(const Quad& q);
// The paper's level inside quad `q`: the upper quartile over grid_over(q) (past print).
[[nodiscard]] double paper_level_in(const cv::Mat& grey, const Quad& q);

// Per side, the share of its length along which the photo steps in brightness across
// it, as a page's edge does; nullopt for sides that are no visible paper edge.
using SideSupport = std::array<std::optional<double>, 4>;
[[nodiscard]] SideSupport side_support(const cv::Mat& grey, const FoundPage& page);
// The share of the whole visible outline on a brightness step (sides weigh alike).
[[nodiscard]] double overall_support(const SideSupport& sides);
// The visible side least on a brightness step (0 when no side is visible).
[[nodiscard]] double weakest_support(const SideSupport& sides);
[[nodiscard]] double edge_support(const cv::Mat& grey, const FoundPage& page);

// What lies around the paper may differ from the background and still not be paper: a
// book's cover, the edges of the leaves below, a cradle. Each visible side is moved in,
// step by step, to where the brightness along it rises to the paper's; `moved` says
// which sides were; those in `keep` stay.
[[nodiscard]] FoundPage pull_sides_to_paper(const cv::Mat& grey, const FoundPage& page,
                                            std::array<bool, 4>* moved = nullptr, std::array<bool, 4> keep = {});

// One paper mask's outline can miss a side that another mask found (a clear sleeve, a
// shadow or a table of the paper's colour along one side of it): each weakly supported
// visible side of `page` takes the line of the same side of one of `others` when that
// lies on a clear edge there and the page's sides are better supported for it; `adopted`
// says which sides did.
[[nodiscard]] FoundPage adopt_clear_sides(const cv::Mat& grey, const FoundPage& page,
                                          const std::vector<FoundPage>& others, std::array<bool, 4>* adopted);

// A curled page's edges bow: each visible side is traced along the photo's brightness
// step near it; a side that bows by more than tuning.min_bow is marked bent and its
// corners moved to where its ends meet the neighbouring sides (the paper's corners); one
// whose ends' lines are parallel and apart is marked split (two edges, not a bow).
// A curled page's edges that bow far (a thick book's page) are traced farther out; where
// such an edge turns into the fold, it is followed into the corner.
[[nodiscard]] FoundPage bend_to_edges(const cv::Mat& grey, const FoundPage& page);

// Side i of a curled page, supported by its trace rather than by its chord: a page curls
// about one axis, so its two bent edges face each other between straight paper edges
// (bent neighbours meet at corners the traces do not pin down; a side on the frame says
// nothing of the paper's shape).
[[nodiscard]] bool curl_edge(const FoundPage& page, std::size_t i);

}  // namespace digikit::imaging
