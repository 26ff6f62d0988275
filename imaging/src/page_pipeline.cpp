#include "digikit/imaging/page_pipeline.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/disk_space.hpp"
#include "digikit/base/text.hpp"
#include "order_statistics.hpp"
#include "page_finder.hpp"
#include "page_writer.hpp"
#include "parallel_for.hpp"
#include "photo_decoder.hpp"
#include "photo_orientation.hpp"
#include "quality_checks.hpp"
#include "reading_turn.hpp"

namespace digikit::imaging {
namespace {

constexpr int decision_long_side = 1000;  // pixels of the reduced image the pages are found on

cv::Mat reduce_for_search(const cv::Mat& full, double& scale)
{
    const int longest = std::max(full.cols, full.rows);
    if (longest <= decision_long_side) {
        scale = 1.0;
        return full;
    }
    scale = static_cast<double>(longest) / decision_long_side;
    cv::Mat reduced;
    const cv::Size size(static_cast<int>(std::lround(full.cols / scale)),
                        static_cast<int>(std::lround(full.rows / scale)));
    cv::resize(full, reduced, size, 0, 0, cv::INTER_AREA);
    scale = static_cast<double>(full.cols) / size.width;
    return reduced;
}

// The frame's outer corners (pixel centres at integers), in reading order once turned
// upright by `rotate`, on the photo as taken (`size`).
Quad frame_as_taken(cv::Size size, int rotate)
{
    const bool sideways = rotate == 90 || rotate == 270;
    const double right = (sideways ? size.height : size.width) - 0.5;
    const double bottom = (sideways ? size.width : size.height) - 0.5;
    const Quad upright_frame{cv::Point2d(-0.5, -0.5), cv::Point2d(right, -0.5), cv::Point2d(right, bottom),
                             cv::Point2d(-0.5, bottom)};
    Quad quad;
    for (std::size_t k = 0; k < 4; ++k) quad[k] = as_taken(upright_frame[k], size, rotate);
    return quad;
}

FoundPage whole_frame(cv::Size size)
{
    return {frame_as_taken(size, 0), {false, false, false, false}};
}

// Rows of the straightened page per band of the warp. The height is fixed, not derived
// from the thread count, so that the page comes out the same on any number of threads.
constexpr int warp_band_rows = 256;

cv::Mat straighten(const cv::Mat& full, const Quad& quad, cv::Size size, int threads)
{
    const std::array<cv::Point2f, 4> from{cv::Point2f(quad[0]), cv::Point2f(quad[1]), cv::Point2f(quad[2]),
                                          cv::Point2f(quad[3])};
    const auto w = static_cast<float>(size.width);
    const auto h = static_cast<float>(size.height);
    // Pixel centres: the corner of the page is the outer corner of the first pixel.
    const std::array<cv::Point2f, 4> to{cv::Point2f(-0.5f, -0.5f), cv::Point2f(w - 0.5f, -0.5f),
                                        cv::Point2f(w - 0.5f, h - 0.5f), cv::Point2f(-0.5f, h - 0.5f)};
    const cv::Mat transform = cv::getPerspectiveTransform(from.data(), to.data());
    cv::Mat page_to_photo;
    cv::invert(transform, page_to_photo);
    cv::Mat page(size, full.type());
    const auto bands = static_cast<std::size_t>((size.height + warp_band_rows - 1) / warp_band_rows);
    parallel_for(bands, threads, [&](std::size_t band, std::size_t) {
        // The band's own map: page rows start at `top` instead of 0.
        const int top = static_cast<int>(band) * warp_band_rows;
        const int rows = std::min(warp_band_rows, size.height - top);
        const cv::Mat shift = (cv::Mat_<double>(3, 3) << 1, 0, 0, 0, 1, top, 0, 0, 1);
        cv::Mat rows_of_page = page.rowRange(top, top + rows);
        cv::warpPerspective(full, rows_of_page, page_to_photo * shift, rows_of_page.size(),
                            cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
    });
    return page;
}

void add_page_checks(PageResult& result, const cv::Mat& page, const cv::Mat& reduced, const Quad& reduced_quad,
                     double rotation_deg, bool found)
{
    const double sharpness = page_sharpness(page);
    const Exposure exposure = page_exposure(reduced, reduced_quad);
    result.checks["page_found"] = found ? 1 : 0;
    result.checks["rotation_deg"] = std::round(rotation_deg * 100) / 100;
    result.checks["sharpness"] = std::round(sharpness * 10) / 10;
    result.checks["clipped"] = std::round(exposure.clipped * 10000) / 10000;
    result.checks["paper_white"] = exposure.paper_white;
    if (!found) result.warnings.emplace_back("page_not_found");
    if (std::abs(rotation_deg) > max_rotation_deg) result.warnings.emplace_back("rotated_over_10_degrees");
    if (sharpness < min_sharpness) result.warnings.emplace_back("blurry");
    if (exposure.clipped > max_clipped) result.warnings.emplace_back("clipped");
    if (exposure.paper_white < min_paper_white) result.warnings.emplace_back("underexposed");
}

// The largest distance between a corner of `quad` and the prior's, over the prior's diagonal.
double prior_deviation(const Quad& quad, const PageQuad& prior)
{
    double worst = 0;
    for (std::size_t k = 0; k < 4; ++k) worst = std::max(worst, norm(quad[k] - cv::Point2d(prior[k].x, prior[k].y)));
    const double diagonal = std::max(std::hypot(prior[2].x - prior[0].x, prior[2].y - prior[0].y),
                                     std::hypot(prior[3].x - prior[1].x, prior[3].y - prior[1].y));
    return worst / std::max(diagonal, 1.0);
}

// A page far from where the book's pages lie is flagged, and doubted the more the farther.
void check_against_prior(PageResult& result, const Quad& quad, const PageQuad& prior)
{
    const double deviation = prior_deviation(quad, prior);
    result.checks["prior_deviation"] = std::round(deviation * 1000) / 1000;
    if (deviation <= max_prior_deviation) return;
    result.warnings.emplace_back("size_inconsistent");
    result.confidence *= std::clamp(1 - (deviation - max_prior_deviation) / max_prior_deviation, 0.2, 1.0);
}

void add_confidence(PageResult& result, const FoundPage& page, bool found)
{
    result.confidence = found ? std::clamp(page.confidence, 0.0, 1.0) : 0.0;
    if (found && page.curled()) result.warnings.emplace_back("curled");
}

void flag_doubt(PageResult& result, bool found)
{
    result.confidence = std::round(result.confidence * 1000) / 1000;
    if (found && result.confidence < min_page_confidence) result.warnings.emplace_back("page_uncertain");
}

constexpr int thumbnail_quality = 80;  // a preview: small matters more than fine detail

cv::Mat thumbnail(const cv::Mat& page, int long_side)
{
    const double scale = static_cast<double>(long_side) / std::max(page.cols, page.rows);
    if (scale >= 1.0) return page;
    cv::Mat small;
    cv::resize(page, small, cv::Size(), scale, scale, cv::INTER_AREA);
    return small;
}

// Refuses a page whose files could leave less than `keep_free` bytes on out_dir's disk.
// Its files are bounded by the uncompressed master (3 bytes a pixel, whatever the
// compression) and as much again for the access copy and thumbnail: generous, so that
// the room kept is never eaten, and it only matters on a card that is nearly full.
void ensure_room_for(const cv::Mat& page, const std::filesystem::path& out_dir, std::uintmax_t keep_free)
{
    using base::megabyte;
    if (keep_free == 0) return;
    const std::uintmax_t most = 2 * page.total() * 3 + megabyte;
    const auto available = base::available_bytes(out_dir);
    if (!available || *available >= most + keep_free) return;  // unreadable: the writes will say what is wrong
    const std::uintmax_t free = *available;
    const auto mb = [](std::uintmax_t bytes) { return std::to_string((bytes + megabyte - 1) / megabyte) + " MB"; };
    throw std::runtime_error("No space left on device for its pages: " + std::to_string(free / megabyte) +
                             " MB free, a page may need " + mb(most) + " and " + mb(keep_free) + " are kept free");
}

void remove_outputs(const ImageResult& result)
{
    std::error_code ignored;
    for (const auto& page : result.pages) {
        std::filesystem::remove(page.master, ignored);
        std::filesystem::remove(page.access, ignored);
        std::filesystem::remove(thumbnail_path(page.access), ignored);
    }
}

// Turns a page (its pixels and its corners' reading order) to read upright when its
// print says clearly which way up it is.
void turn_to_read(PageResult& page, cv::Mat& straight)
{
    const ReadingTurn turn = reading_turn(straight);
    const int degrees = turn.sure ? turn.degrees : 0;
    page.checks["turned_deg"] = degrees;
    page.checks["turn_sure"] = turn.sure ? 1 : 0;
    if (degrees == 0) return;
    straight = upright(straight, degrees);
    // Turned a quarter clockwise, the page's bottom-left corner becomes its top-left.
    const PageQuad before = page.quad;
    const auto quarters = static_cast<std::size_t>(degrees / 90);
    for (std::size_t k = 0; k < 4; ++k) page.quad[k] = before[(k + 4 - quarters) % 4];
    if (quarters % 2 == 1) std::swap(page.width, page.height);
}

struct PhotoOutcome {
    ImageResult result;
    PerceptualHash hash = 0;
    std::vector<std::uint8_t> page_detail;  // the first page's print, when one was found
};

// The book prior in the reduced upright photo's pixels.
std::vector<Quad> prior_for_search(const std::vector<PageQuad>& prior, double scale, cv::Size reduced_as_taken,
                                   int rotate)
{
    std::vector<Quad> quads;
    for (const auto& page : prior) {
        Quad quad;
        for (std::size_t k = 0; k < 4; ++k) {
            const cv::Point2d reduced =
                (cv::Point2d(page[k].x, page[k].y) + cv::Point2d(0.5, 0.5)) / scale - cv::Point2d(0.5, 0.5);
            quad[k] = as_upright(reduced, reduced_as_taken, rotate);
        }
        quads.push_back(quad);
    }
    return quads;
}

// The layout found on the upright photo, back on the photo as taken (corners keep their
// reading order, so the warp turns the page upright).
PageLayout layout_as_taken(PageLayout layout, cv::Size reduced_as_taken, int rotate)
{
    for (auto& page : layout.pages) {
        for (auto& corner : page.quad) corner = as_taken(corner, reduced_as_taken, rotate);
    }
    return layout;
}

// `warping`, when photos are processed side by side: held while a photo holds both its
// full photo and a full-size page (the warp), so that one photo at a time does. Two
// 24 MP photos there at once hold 288 MB (SPEC: 350 MB in all on two threads); a warp
// is a tenth of a photo's time.
PhotoOutcome process_one(const std::filesystem::path& input, const std::filesystem::path& out_dir,
                         const std::string& stem, const PipelineOptions& options, std::mutex* warping)
{
    PhotoOutcome outcome;
    outcome.result.input = input;
    const int threads = std::clamp(options.threads, 1, 64);
    try {
        const int rotate = checked_rotate(options.rotate);
        cv::Mat full = decode_photo(input);
        double scale = 1.0;
        const cv::Mat reduced = reduce_for_search(full, scale);
        outcome.hash = perceptual_hash(reduced);
        const cv::Mat turned = upright(reduced, rotate);
        PageLayout layout;
        if (options.profile == SourceProfile::flatbed) {
            layout = find_flatbed_page(turned);
        } else {
            const FinderRequest request{options.split, options.view,
                                        prior_for_search(options.book_prior, scale, reduced.size(), rotate)};
            layout = find_pages(turned, request);
        }
        const bool found = !layout.pages.empty();
        if (found) outcome.page_detail = page_detail(turned, layout.pages.front().quad);
        if (!found) layout.pages = {whole_frame(turned.size())};
        layout = layout_as_taken(std::move(layout), reduced.size(), rotate);
        const PageLayout scaled = scale_layout(layout, scale);
        const bool prior_fits = options.book_prior.size() == scaled.pages.size();
        std::filesystem::create_directories(out_dir);
        for (std::size_t i = 0; i < scaled.pages.size(); ++i) {
            PageResult page;
            // No page found: the page is the photo itself turned upright, every pixel as
            // taken (no resampling, and no second copy of it).
            const Quad quad = found ? refine_quad(full, scaled.pages[i], scale) : frame_as_taken(full.size(), rotate);
            const cv::Size size = page_size(quad);
            std::unique_lock<std::mutex> warp;
            if (warping) warp = std::unique_lock(*warping);
            cv::Mat straight = found ? straighten(full, quad, size, threads) : upright(full, rotate);
            // The last page's checks and files need the photo no more: its memory goes
            // before they are written (a 24 MP photo holds 72 MB).
            if (i + 1 == scaled.pages.size()) full.release();
            if (warp) warp.unlock();
            for (std::size_t k = 0; k < 4; ++k) page.quad[k] = {quad[k].x, quad[k].y};
            page.width = size.width;
            page.height = size.height;
            add_page_checks(page, straight, reduced, layout.pages[i].quad, layout.rotation_deg, found);
            add_confidence(page, scaled.pages[i], found);
            if (found && prior_fits) check_against_prior(page, quad, options.book_prior[i]);
            flag_doubt(page, found);
            if (options.turn_by_print) turn_to_read(page, straight);
            const std::string name = stem + "_" + std::to_string(i + 1);
            page.master = out_dir / (name + ".tif");
            page.access = out_dir / (name + ".jpg");
            ensure_room_for(straight, out_dir, options.keep_free_bytes);
            outcome.result.pages.push_back(page);
            write_tiff_master(straight, page.master, options.tiff_compression, options.resolution_dpi, threads,
                              options.tiff_level);
            write_jpeg_access(straight, page.access, options.jpeg_quality, options.resolution_dpi);
            if (options.thumbnail_size > 0) {
                write_jpeg_access(thumbnail(straight, options.thumbnail_size), thumbnail_path(page.access),
                                  thumbnail_quality, options.resolution_dpi);
            }
        }
    } catch (const std::exception& e) {
        remove_outputs(outcome.result);
        outcome.result.pages.clear();
        outcome.result.error = e.what();
    }
    return outcome;
}

std::vector<std::filesystem::path> expand_inputs(const std::vector<std::filesystem::path>& inputs)
{
    std::vector<std::filesystem::path> photos;
    for (const auto& input : inputs) {
        std::error_code ec;
        if (!std::filesystem::is_directory(input, ec)) {
            photos.push_back(input);
            continue;
        }
        std::vector<std::filesystem::path> inside;
        for (const auto& entry : std::filesystem::directory_iterator(input, ec)) {
            if (entry.is_regular_file(ec) && is_image_name(entry.path())) inside.push_back(entry.path());
        }
        std::sort(inside.begin(), inside.end());
        photos.insert(photos.end(), inside.begin(), inside.end());
    }
    return photos;
}

// The stem whose outputs a file named like one would be ("x_2.jpg" -> "x"), or "".
std::string stem_of_output(const std::string& file_name)
{
    const std::string name = base::ascii_lower(file_name);
    const auto dot = name.rfind('.');
    const auto underscore = name.rfind('_', dot);
    if (dot == std::string::npos || underscore == std::string::npos || underscore + 1 == dot) return {};
    const std::string extension = name.substr(dot);
    const std::string number = name.substr(underscore + 1, dot - underscore - 1);
    const bool output_like =
        (extension == ".tif" || extension == ".jpg") && number.find_first_not_of("0123456789") == std::string::npos;
    return output_like ? name.substr(0, underscore) : std::string();
}

bool same_folder(const std::filesystem::path& a, const std::filesystem::path& b)
{
    std::error_code ec;
    return std::filesystem::equivalent(a.empty() ? "." : a, b.empty() ? "." : b, ec);
}

// Output stems: the input's name, unless another input has it already or an input in
// the output folder is named like one of its outputs (X.jpg beside X_1.jpg, written
// into their own folder): then "-2", "-3"... is added. Compared without case, for the
// FAT file systems of camera cards. No output can then replace an input or another output.
std::vector<std::string> output_stems(const std::vector<std::filesystem::path>& photos,
                                      const std::filesystem::path& out_dir)
{
    std::set<std::string> taken;
    for (const auto& photo : photos) {
        const std::string reserved = stem_of_output(photo.filename().string());
        if (!reserved.empty() && same_folder(photo.parent_path(), out_dir)) taken.insert(reserved);
    }
    std::vector<std::string> stems;
    for (const auto& photo : photos) {
        const std::string stem = photo.stem().string();
        std::string candidate = stem;
        for (int n = 2; taken.contains(base::ascii_lower(candidate)); ++n) candidate = stem + "-" + std::to_string(n);
        taken.insert(base::ascii_lower(candidate));
        stems.push_back(candidate);
    }
    return stems;
}

// What a killed run left half written for these outputs ("<stem>_<n>.tif|jpg").
void remove_interrupted_outputs(const std::filesystem::path& out_dir, const std::vector<std::string>& stems)
{
    std::set<std::string> mine;
    for (const auto& stem : stems) mine.insert(base::ascii_lower(stem));
    base::remove_atomic_temporaries(out_dir,
                                    [&](const std::string& target) { return mine.contains(stem_of_output(target)); });
}

// Checks that need the whole batch: page size against the median, repeated captures.
void add_batch_checks(std::vector<PhotoOutcome>& outcomes)
{
    std::vector<double> widths;
    std::vector<double> heights;
    for (const auto& outcome : outcomes) {
        for (const auto& page : outcome.result.pages) {
            if (check_value(page.checks, "page_found") == 0) continue;
            widths.push_back(page.width);
            heights.push_back(page.height);
        }
    }
    if (widths.size() >= 3) {
        const double median_width = median(widths);
        const double median_height = median(heights);
        for (auto& outcome : outcomes) {
            for (auto& page : outcome.result.pages) {
                const double deviation =
                    std::max(std::abs(page.width / median_width - 1), std::abs(page.height / median_height - 1));
                page.checks["size_deviation"] = std::round(deviation * 1000) / 1000;
                if (deviation > max_size_deviation) page.warnings.emplace_back("size_inconsistent");
            }
        }
    }
    for (std::size_t i = 1; i < outcomes.size(); ++i) {
        if (outcomes[i].result.error || outcomes[i - 1].result.error) continue;
        const Likeness alike =
            likeness(outcomes[i].hash, outcomes[i].page_detail, outcomes[i - 1].hash, outcomes[i - 1].page_detail);
        for (auto& page : outcomes[i].result.pages) {
            page.checks[std::string(alike.check)] = alike.value;
            if (alike.repeat) page.warnings.emplace_back("duplicate");
        }
    }
}

}  // namespace

SplitMode parse_split_mode(std::string_view text)
{
    if (text == "auto") return SplitMode::automatic;
    if (text == "never") return SplitMode::never;
    if (text == "always") return SplitMode::always;
    throw std::invalid_argument("split mode must be auto, never or always, not '" + std::string(text) + "'");
}

TiffCompression parse_tiff_compression(std::string_view text)
{
    if (text == "none") return TiffCompression::none;
    if (text == "lzw") return TiffCompression::lzw;
    if (text == "deflate") return TiffCompression::deflate;
    throw std::invalid_argument("TIFF compression must be none, lzw or deflate, not '" + std::string(text) + "'");
}

PageView parse_page_view(std::string_view text)
{
    if (text == "auto") return PageView::automatic;
    if (text == "left-page") return PageView::left_page;
    if (text == "right-page") return PageView::right_page;
    if (text == "spread") return PageView::spread;
    if (text == "single") return PageView::single;
    throw std::invalid_argument("view must be auto, left-page, right-page, spread or single, not '" +
                                std::string(text) + "'");
}

std::string_view page_view_name(PageView view)
{
    switch (view) {
        case PageView::left_page: return "left-page";
        case PageView::right_page: return "right-page";
        case PageView::spread: return "spread";
        case PageView::single: return "single";
        case PageView::automatic: break;
    }
    return "auto";
}

int checked_rotate(int degrees)
{
    if (degrees == 0 || degrees == 90 || degrees == 180 || degrees == 270) return degrees;
    throw std::invalid_argument("rotate must be 0, 90, 180 or 270, not " + std::to_string(degrees));
}

ImageResult process_photo(const std::filesystem::path& input, const std::filesystem::path& out_dir,
                          const std::string& stem, const PipelineOptions& options)
{
    return process_one(input, out_dir, stem, options, nullptr).result;
}

std::vector<ImageResult> process_batch(const std::vector<std::filesystem::path>& inputs,
                                       const std::filesystem::path& out_dir, const BatchOptions& options)
{
    const auto photos = expand_inputs(inputs);
    const auto stems = output_stems(photos, out_dir);
    remove_interrupted_outputs(out_dir, stems);
    std::vector<PhotoOutcome> outcomes(photos.size());
    // Whole photos in parallel first: that shares out every stage, decode included, with
    // no hand-over. Only when there are fewer photos than threads does each photo get the
    // spare ones (never more threads than asked for in all).
    const int threads = std::clamp(options.threads, 1, 64);
    const int photo_workers = static_cast<int>(
        std::min<std::size_t>(static_cast<std::size_t>(threads), std::max<std::size_t>(1, photos.size())));
    PipelineOptions pipeline = options.pipeline;
    pipeline.threads = threads / photo_workers;
    std::size_t done = 0;
    std::mutex progress;
    std::mutex warping;
    // OpenCV 4.6 builds its Lab tables on first use without a lock: two workers converting
    // at once would both build them, and one set leaks.
    if (photo_workers > 1) prepare_tables();
    parallel_for(photos.size(), photo_workers, [&](std::size_t i, std::size_t) {
        outcomes[i] = process_one(photos[i], out_dir, stems[i], pipeline, photo_workers > 1 ? &warping : nullptr);
        if (options.on_done) {
            const std::lock_guard lock(progress);
            options.on_done(outcomes[i].result, ++done, photos.size());
        }
    });
    add_batch_checks(outcomes);
    std::vector<ImageResult> results;
    results.reserve(outcomes.size());
    for (auto& outcome : outcomes) results.push_back(std::move(outcome.result));
    return results;
}

std::optional<std::string> photo_problem(const std::filesystem::path& photo)
{
    try {
        (void)decode_photo(photo, 8, true);
    } catch (const PhotoError& error) {
        return error.what();
    }
    return std::nullopt;
}

bool is_image_name(const std::filesystem::path& path)
{
    static const std::set<std::string> extensions{".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp"};
    return extensions.contains(base::ascii_lower(path.extension().string()));
}

bool looks_like_photo(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::array<std::uint8_t, 16> head{};
    in.read(reinterpret_cast<char*>(head.data()), head.size());
    return is_image_name(path) ||
           photo_format(std::span(head.data(), static_cast<std::size_t>(in.gcount()))).has_value();
}

double check_value(const PageChecks& checks, std::string_view name)
{
    const auto found = checks.find(name);
    if (found == checks.end()) throw std::out_of_range("the page has no check '" + std::string(name) + "'");
    return std::visit([](auto value) { return static_cast<double>(value); }, found->second);
}

std::string describe(const PageChecks& checks)
{
    std::string text;
    for (const auto& [name, value] : checks) {
        text += (text.empty() ? "" : ", ") + name + "=";
        std::visit([&text](auto number) { text += nlohmann::json(number).dump(); }, value);
    }
    return text;
}

namespace {

nlohmann::json checks_json(const PageChecks& checks)
{
    nlohmann::json json = nlohmann::json::object();
    for (const auto& check : checks) {
        std::visit([&json, &check](auto number) { json[check.first] = number; }, check.second);
    }
    return json;
}

}  // namespace

std::string report_json(const std::vector<ImageResult>& results, int indent)
{
    nlohmann::json images = nlohmann::json::array();
    for (const auto& result : results) {
        nlohmann::json pages = nlohmann::json::array();
        for (const auto& page : result.pages) {
            nlohmann::json quad = nlohmann::json::array();
            for (const auto& corner : page.quad) {
                quad.push_back({std::round(corner.x * 100) / 100, std::round(corner.y * 100) / 100});
            }
            pages.push_back({{"quad", quad},
                             {"master", page.master.string()},
                             {"access", page.access.string()},
                             {"width", page.width},
                             {"height", page.height},
                             {"checks", checks_json(page.checks)},
                             {"confidence", page.confidence},
                             {"warnings", page.warnings}});
        }
        images.push_back({{"input", result.input.string()},
                          {"error", result.error ? nlohmann::json(*result.error) : nlohmann::json(nullptr)},
                          {"pages", pages}});
    }
    return nlohmann::json{{"images", images}}.dump(indent);
}

std::filesystem::path thumbnail_path(const std::filesystem::path& access)
{
    auto path = access;
    return path.replace_extension(".thumb.jpg");
}

}  // namespace digikit::imaging

namespace digikit::imaging {

std::vector<PageQuad> book_prior_from(const std::vector<ImageResult>& recent, std::size_t min_results)
{
    // The page count most of the confident results agree on.
    const auto confident = [](const ImageResult& result) {
        if (result.error || result.pages.empty()) return false;
        return std::none_of(result.pages.begin(), result.pages.end(), [](const PageResult& page) {
            return std::any_of(page.warnings.begin(), page.warnings.end(),
                               [](const std::string& w) { return w == "page_uncertain" || w == "page_not_found"; });
        });
    };
    std::map<std::size_t, std::size_t> counts;
    for (const auto& result : recent) {
        if (confident(result)) ++counts[result.pages.size()];
    }
    if (counts.empty()) return {};
    const auto most = std::max_element(counts.begin(), counts.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    if (most->second < std::max<std::size_t>(min_results, 1)) return {};
    std::vector<PageQuad> prior(most->first);
    for (std::size_t page = 0; page < prior.size(); ++page) {
        for (std::size_t k = 0; k < 4; ++k) {
            std::vector<double> xs;
            std::vector<double> ys;
            for (const auto& result : recent) {
                if (!confident(result) || result.pages.size() != prior.size()) continue;
                xs.push_back(result.pages[page].quad[k].x);
                ys.push_back(result.pages[page].quad[k].y);
            }
            prior[page][k] = {median(xs), median(ys)};
        }
    }
    return prior;
}

}  // namespace digikit::imaging
