#include "kit.hpp"

#include <sys/statvfs.h>

#include <spdlog/spdlog.h>

namespace digikit::firmware {
namespace {

imaging::PipelineOptions pipeline_options(const Config& config)
{
    imaging::PipelineOptions options;
    options.split = imaging::parse_split_mode(config.imaging.split);
    options.tiff_compression = imaging::parse_tiff_compression(config.imaging.tiff_compression);
    options.jpeg_quality = config.imaging.jpeg_quality;
    return options;
}

std::int64_t free_megabytes(const std::filesystem::path& dir)
{
    struct statvfs info {};
    if (::statvfs(dir.c_str(), &info) != 0) return -1;
    return static_cast<std::int64_t>(info.f_bavail * info.f_frsize / (1024 * 1024));
}

}  // namespace

std::string Kit::unused_retake_stem(const std::string& book, int sequence) const
{
    for (int n = 1;; ++n) {
        const std::string stem = sequence_stem(sequence) + "r" + std::to_string(n);
        bool used = false;
        for (const auto& dir : {store_.raw_dir(book), store_.retaken_dir(book)}) {
            for (const auto& entry : std::filesystem::directory_iterator(dir)) {
                used = used || entry.path().filename().string().rfind(stem + "_", 0) == 0;
            }
        }
        if (!used) return stem;
    }
}

Kit::Kit(Config config, std::vector<std::unique_ptr<capture::Camera>> cameras)
    : config_(std::move(config)),
      store_(config_.data_dir),
      rig_(std::move(cameras)),
      processing_(store_, pipeline_options(config_))
{
    if (const auto open = store_.open_book()) spdlog::info("resuming open book {}", *open);
}

Kit::Outcome Kit::press(hardware::Button button)
{
    const std::lock_guard lock(press_mutex_);
    Outcome outcome;
    try {
        switch (button) {
            case hardware::Button::new_book: outcome = new_book(); break;
            case hardware::Button::capture: outcome = capture(false); break;
            case hardware::Button::retake: outcome = capture(true); break;
            case hardware::Button::end_book: outcome = end_book(); break;
            case hardware::Button::sync:
                outcome = {false, "sync is not implemented yet (the uploader arrives with issue 5)"};
        }
    } catch (const std::exception& error) {
        outcome = {false, error.what()};
    }
    spdlog::log(outcome.ok ? spdlog::level::info : spdlog::level::err, "{}: {}", hardware::to_string(button),
                outcome.message);
    last_error_ = outcome.ok ? "" : outcome.message;
    return outcome;
}

Kit::Outcome Kit::new_book()
{
    if (const auto open = store_.open_book()) {
        return {false, "book " + *open + " is still open: press End book first"};
    }
    if (const auto prepared = store_.prepared_book()) {
        store_.start_book(*prepared);
        return {true, "opened prepared book " + *prepared};
    }
    metadata::BookMetadata book;
    book.institution = config_.metadata.institution;
    book.license = config_.metadata.license;
    book.language = config_.metadata.language;
    book.categories = config_.metadata.categories;
    const std::string id = store_.create_book(book);
    store_.start_book(id);
    return {true, "opened new book " + id};
}

std::optional<std::string> Kit::storage_problem() const
{
    const std::int64_t free = free_megabytes(config_.data_dir);
    if (free >= 0 && free < config_.storage.min_free_mb) {
        return "disk nearly full: " + std::to_string(free) + " MB free, captures need at least " +
               std::to_string(config_.storage.min_free_mb) + " MB";
    }
    return std::nullopt;
}

Kit::Outcome Kit::capture(bool retake)
{
    const auto book = store_.open_book();
    if (!book) return {false, "no open book: press New book first"};
    if (const auto problem = storage_problem()) return {false, *problem};
    const int last = store_.last_sequence(*book);
    if (retake && last == 0) return {false, "nothing to retake in book " + *book};
    const int sequence = retake ? last : last + 1;

    const auto old_shots = retake ? store_.shots_of(*book, sequence) : std::vector<Shot>{};
    std::vector<Page> old_pages;
    for (const auto& page : store_.pages_of(*book)) {
        for (const auto& old : old_shots) {
            if (page.shot_id == old.id) old_pages.push_back(page);
        }
    }
    // A retake gets file names of its own: raw files are never overwritten.
    const std::string stem = retake ? unused_retake_stem(*book, sequence) : sequence_stem(sequence);
    const auto files = rig_.fire(store_.raw_dir(*book), stem);

    std::vector<std::pair<std::string, std::filesystem::path>> shots;
    for (const auto& file : files) shots.emplace_back(file.role, file.path);
    store_.record_capture(*book, sequence, shots, retake);
    // Kept aside until the book closes, in case the retake was the mistake.
    for (const auto& old : old_shots) {
        std::filesystem::rename(old.raw, store_.retaken_dir(*book) / old.raw.filename());
    }
    for (const auto& page : old_pages) {  // derived files: the retake's own pages replace them
        std::filesystem::remove(page.master);
        std::filesystem::remove(page.access);
    }
    processing_.wake();
    return {true, std::string(retake ? "retook" : "captured") + " spread " + std::to_string(sequence) + " of book " +
                      *book + " (" + std::to_string(files.size()) + " files)"};
}

Kit::Outcome Kit::end_book()
{
    const auto book = store_.open_book();
    if (!book) return {false, "no open book to end"};
    return {true, finish_book(store_, *book)};
}

nlohmann::json Kit::last_capture_json(const std::string& book_id)
{
    const int last = store_.last_sequence(book_id);
    if (last == 0) return nullptr;
    nlohmann::json shots = nlohmann::json::array();
    for (const auto& shot : store_.shots_of(book_id, last)) {
        nlohmann::json pages = nlohmann::json::array();
        for (const auto& page : store_.pages_of(book_id)) {
            if (page.shot_id != shot.id) continue;
            pages.push_back({{"master", page.master.string()},
                             {"access", page.access.string()},
                             {"width", page.width},
                             {"height", page.height},
                             {"warnings", page.warnings}});
        }
        shots.push_back(
            {{"role", shot.role}, {"raw", shot.raw.string()}, {"processed", shot.processed}, {"pages", pages}});
    }
    return {{"sequence", last}, {"shots", shots}};
}

nlohmann::json Kit::status()
{
    nlohmann::json status;
    const auto book = store_.open_book();
    status["state"] = book ? "book_open" : "idle";
    status["data_dir"] = store_.data_dir().string();
    status["book"] = nullptr;
    status["last_capture"] = nullptr;
    if (book) {
        const auto summary = store_.find_book(*book);
        const auto metadata = store_.read_metadata(*book);
        status["book"] = {
            {"id", *book}, {"title", metadata.title}, {"captures", summary->captures}, {"pages", summary->pages}};
        status["last_capture"] = last_capture_json(*book);
    }
    status["processing_backlog"] = processing_.backlog();
    nlohmann::json cameras = nlohmann::json::array();
    for (const auto& device : rig_.devices()) {
        cameras.push_back({{"id", device.id},
                           {"role", capture::to_string(device.role)},
                           {"model", device.model},
                           {"serial", device.serial}});
    }
    status["cameras"] = cameras;
    status["disk"] = {{"free_mb", free_megabytes(store_.data_dir())}, {"min_free_mb", config_.storage.min_free_mb}};
    status["last_error"] = last_error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_error_);
    return status;
}

std::string handle_control_request(Kit& kit, const std::string& request)
{
    nlohmann::json answer;
    if (request.rfind("press ", 0) == 0) {
        const auto button = hardware::parse_button(request.substr(6));
        if (!button) {
            answer = {{"ok", false}, {"message", "unknown button '" + request.substr(6) + "'"}};
        } else {
            const auto outcome = kit.press(*button);
            answer = {{"ok", outcome.ok}, {"message", outcome.message}};
        }
    } else if (request == "status") {
        answer = {{"ok", true}, {"message", "status"}, {"status", kit.status()}};
    } else if (request == "wake") {
        kit.wake_processing();
        answer = {{"ok", true}, {"message", "processing woken"}};
    } else {
        answer = {{"ok", false}, {"message", "unknown request '" + request + "'"}};
    }
    return answer.dump();
}

}  // namespace digikit::firmware
