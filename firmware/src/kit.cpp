#include "kit.hpp"

#include "book_publisher.hpp"
#include "control_request.hpp"
#include "digikit/base/disk_space.hpp"
#include "digikit/base/exception_barrier.hpp"
#include "digikit/uploader/sync.hpp"
#include "press_queue.hpp"

#include <spdlog/spdlog.h>

namespace digikit::firmware {
namespace {

// -1 when it cannot be read (the status shows it so).
std::int64_t free_megabytes(const std::filesystem::path& dir)
{
    const auto bytes = base::available_bytes(dir);
    return bytes ? base::whole_megabytes(*bytes) : -1;
}

}  // namespace

std::string Kit::unused_retake_stem(const std::string& book, int sequence) const
{
    for (int n = 1;; ++n) {
        std::string stem = sequence_stem(sequence) + "r" + std::to_string(n);
        bool used = false;
        for (const auto& dir : {store_.raw_dir(book), store_.retaken_dir(book)}) {
            for (const auto& entry : std::filesystem::directory_iterator(dir)) {
                used = used || entry.path().filename().string().rfind(stem + "_", 0) == 0;
            }
        }
        if (!used) return stem;
    }
}

Kit::Kit(Config config, std::unique_ptr<capture::CameraManager> cameras, std::function<void(Feedback)> on_signal)
    : config_(std::move(config)),
      store_(config_.data_dir),
      cameras_(std::move(cameras)),
      book_files_(store_, config_),
      processing_(store_, pipeline_options(config_), camera_pipeline_options(config_), config_.storage.min_free_bytes(),
                  [this](const Shot& shot) { after_processing(shot); }),
      machine_(config_.imaging.max_backlog),
      on_signal_(std::move(on_signal)),
      sync_([this](const std::function<bool()>& should_stop) { return sync_now(should_stop); },
            [this](const std::string& failure) {
                KitEvent done;
                done.kind = KitEvent::Kind::sync_finished;
                done.reason = failure;
                {
                    const std::lock_guard lock(state_mutex_);
                    last_sync_error_ = failure;
                }
                queue_changed_ = true;
                feed(done);
            })
{
    const auto open = store_.open_book();
    if (open) spdlog::info("resuming open book {}", *open);
    resume_closing();
    machine_.resume(open.has_value());
    if (on_signal_) on_signal_(Feedback::ready);
    if (!cameras_->complete()) {  // the operator sees at once that a camera is missing
        KitEvent missing;
        missing.kind = KitEvent::Kind::camera_missing;
        feed(missing);
    }
}

void Kit::check_devices(bool usb_changed)
{
    const std::lock_guard lock(press_mutex_);
    bool picked = false;
    try {
        picked = cameras_->refresh(usb_changed);
    } catch (const std::exception& error) {
        spdlog::warn("looking for cameras failed: {}", error.what());
    }
    if (!picked || !cameras_->complete()) return;
    KitEvent cleared;  // the error light for the missing camera goes out
    cleared.kind = KitEvent::Kind::fault_cleared;
    feed(cleared);
}

Kit::Outcome Kit::press(hardware::Button button)
{
    const std::lock_guard lock(press_mutex_);
    observe_conditions();
    KitEvent pressed;
    pressed.button = button;
    Outcome outcome;
    for (const auto& action : feed(pressed)) {
        if (action.kind == KitAction::Kind::refuse) outcome = {false, action.reason};
        if (action.kind != KitAction::Kind::refuse && action.kind != KitAction::Kind::signal) {
            outcome = perform(action.kind);
        }
    }
    spdlog::log(outcome.ok ? spdlog::level::info : spdlog::level::err, "{}: {}", hardware::to_string(button),
                outcome.message);
    const std::lock_guard state_lock(state_mutex_);
    last_error_ = outcome.ok ? "" : outcome.message;
    return outcome;
}

Kit::Outcome Kit::edit_book(const BookEdit& edit)
{
    std::string ended;
    if (edit.command == "close" && store_.open_book() == edit.book) {
        auto outcome = press(hardware::Button::end_book);
        if (!outcome.ok || !edit.without_failed) return outcome;
        ended = outcome.message + "; ";
    }
    const std::lock_guard lock(press_mutex_);
    try {
        BookEditResult result;
        {
            const std::lock_guard publishing(publish_mutex_);
            result = apply_book_edit(store_, config_, edit);
        }
        if (result.must_process) processing_.wake();
        book_files_.wake();  // the edit may have closed the book
        spdlog::info("book {}: {}", edit.command, result.message);
        return {true, ended + result.message};
    } catch (const std::exception& error) {
        spdlog::warn("book {} {}: {}", edit.command, edit.book, error.what());
        return {false, error.what()};
    }
}

std::vector<KitAction> Kit::feed(const KitEvent& event)
{
    const std::lock_guard lock(state_mutex_);
    auto actions = machine_.on(event);
    for (const auto& action : actions) {
        if (action.kind != KitAction::Kind::signal) continue;
        signal_ = action.signal;
        spdlog::debug("signal: {}", signal_name(action.signal));
        if (on_signal_) on_signal_(action.signal);
    }
    return actions;
}

// Backlog and free space change on their own; the machine hears of them before a press.
void Kit::observe_conditions()
{
    KitEvent backlog;
    backlog.kind = KitEvent::Kind::backlog_changed;
    backlog.count = static_cast<int>(processing_.backlog());
    feed(backlog);
    const bool low = storage_problem().has_value();
    if (low != machine_.storage_low()) {
        KitEvent storage;
        storage.kind = KitEvent::Kind::storage_changed;
        storage.low = low;
        feed(storage);
        if (low) spdlog::warn("{}", *storage_problem());
    }
}

Kit::Outcome Kit::perform(KitAction::Kind action)
{
    KitEvent done;
    Outcome outcome;
    try {
        switch (action) {
            case KitAction::Kind::open_book:
                outcome = {true, new_book()};
                done.kind = KitEvent::Kind::book_opened;
                break;
            case KitAction::Kind::capture:
            case KitAction::Kind::retake:
                outcome = {true, capture(action == KitAction::Kind::retake)};
                done.kind = KitEvent::Kind::capture_succeeded;
                done.warning = retake_advised_;
                break;
            case KitAction::Kind::end_book:
                outcome = {true, end_book()};
                done.kind = KitEvent::Kind::book_closed;
                break;
            case KitAction::Kind::start_sync: return start_sync();  // it tells the machine when done
            case KitAction::Kind::refuse:
            case KitAction::Kind::signal: return outcome;
        }
    } catch (const capture::CaptureError& error) {
        done.kind = KitEvent::Kind::capture_failed;
        done.fatal = !error.recoverable();
        outcome = {false, error.what()};
    } catch (const std::exception& error) {
        if (action != KitAction::Kind::capture && action != KitAction::Kind::retake) return {false, error.what()};
        done.kind = KitEvent::Kind::capture_failed;  // e.g. the card failed while storing the files
        done.fatal = true;
        outcome = {false, error.what()};
    }
    feed(done);
    return outcome;
}

std::string Kit::new_book()
{
    if (const auto prepared = store_.prepared_book()) {
        store_.start_book(*prepared);
        return "opened prepared book " + *prepared;
    }
    const std::string id = store_.create_book(new_book_metadata(config_));
    store_.start_book(id);
    return "opened new book " + id;
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

std::string Kit::capture(bool retake)
{
    const auto book = store_.open_book();
    if (!book) throw capture::CaptureError("no open book: press New book first", true);
    const int last = store_.last_sequence(*book);
    if (retake && last == 0) throw capture::CaptureError("nothing to retake in book " + *book, true);
    const int sequence = retake ? last : last + 1;

    book_files_.capture_activity();  // OCR of closed books waits while the operator captures
    const auto old_shots = retake ? store_.shots_of(*book, sequence) : std::vector<Shot>{};
    std::vector<Page> old_pages;
    for (const auto& page : store_.pages_of(*book)) {
        for (const auto& old : old_shots) {
            if (page.shot_id == old.id) old_pages.push_back(page);
        }
    }
    // A retake gets file names of its own: raw files are never overwritten.
    const std::string stem = retake ? unused_retake_stem(*book, sequence) : sequence_stem(sequence);
    auto& rig = ready_rig(*book);
    const auto devices = cameras_->devices();
    std::vector<std::filesystem::path> stems;
    stems.reserve(devices.size());
    for (const auto& device : devices) {
        stems.push_back(store_.raw_dir(*book) / (stem + "_" + std::string(capture::to_string(device.role))));
    }
    const auto files = rig.capture(stems);

    std::vector<std::pair<std::string, std::filesystem::path>> shots;
    for (std::size_t i = 0; i < files.size(); ++i) {
        shots.emplace_back(capture::to_string(devices[i].role), files[i]);
    }
    store_.record_capture(*book, sequence, shots, retake);
    // Kept aside until the book closes, in case the retake was the mistake.
    for (const auto& old : old_shots) {
        std::filesystem::rename(old.raw, store_.retaken_dir(*book) / old.raw.filename());
    }
    for (const auto& page : old_pages) {  // derived files: the retake's own pages replace them
        std::filesystem::remove(page.master);
        std::filesystem::remove(page.access);
        std::filesystem::remove(imaging::thumbnail_path(page.access));
    }
    processing_.wake();
    const std::string verdict = first_look(files, retake);
    return std::string(retake ? "retook" : "captured") + " spread " + std::to_string(sequence) + " of book " + *book +
           " (" + std::to_string(files.size()) + " files)" + verdict;
}

// A camera missing at the last check gets one more chance when the operator presses;
// a book's first capture applies the camera settings (someone may have turned a dial).
capture::CameraRig& Kit::ready_rig(const std::string& book)
{
    if (!cameras_->complete()) {
        (void)cameras_->refresh(false);
    }
    auto& rig = cameras_->rig();
    if (settings_applied_for_ != book) {
        cameras_->apply_settings();
        settings_applied_for_ = book;
    }
    return rig;
}

std::string Kit::first_look(const std::vector<std::filesystem::path>& files, bool retake)
{
    // A retake is compared with the capture before the one it replaces, not with it.
    const auto& previous = retake ? looks_before_ : last_looks_;
    const auto devices = cameras_->devices();
    const auto by_role = camera_pipeline_options(config_);
    std::vector<imaging::FirstLook> looks;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto camera = i < devices.size() ? by_role.find(std::string(to_string(devices[i].role))) : by_role.end();
        const auto options = camera != by_role.end() ? camera->second : pipeline_options(config_);
        looks.push_back(imaging::first_look(files[i], i < previous.size() ? &previous[i] : nullptr, options));
    }
    std::vector<imaging::FirstLook> now;
    std::string problems;
    nlohmann::json verdicts = nlohmann::json::object();
    for (std::size_t i = 0; i < looks.size(); ++i) {
        now.push_back(looks[i]);
        const auto& look = now.back();
        std::string found = look.error.value_or("");
        for (const auto& warning : look.warnings) found += (found.empty() ? "" : ", ") + warning;
        if (found.empty() && look.pages_found == 0) found = "no page found";
        if (!found.empty()) problems += (problems.empty() ? "" : "; ") + devices[i].id + ": " + found;
        verdicts[files[i].filename().string()] = {
            {"ok", found.empty()}, {"warnings", look.warnings}, {"error", look.error.value_or("")}};
    }
    {
        const std::lock_guard lock(state_mutex_);
        last_verdicts_ = std::move(verdicts);
    }
    if (!retake) looks_before_ = std::move(last_looks_);
    last_looks_ = std::move(now);
    retake_advised_ = !problems.empty();
    return problems.empty() ? "" : "; retake advised: " + problems;
}

// Never waits: the upload runs on the sync worker's thread and reports when it is done.
Kit::Outcome Kit::start_sync()
{
    if (!sync_.start()) return {false, "already uploading: the sync in progress goes on"};
    return {true, "syncing the upload queue in the background"};
}

// On the sync worker's thread: "" or why the run could not finish.
std::string Kit::sync_now(const std::function<bool()>& should_stop)
{
    std::string failure;
    try {
        uploader::UploadQueue queue(store_.data_dir() / "digikit.sqlite");
        auto client_settings = client_options(config_);
        client_settings.should_stop = should_stop;  // SIGTERM mid-transfer ends it at once
        uploader::CommonsClient client(client_settings);
        uploader::SyncOptions options;
        options.should_stop = should_stop;
        const auto summary = uploader::sync_queue(queue, client, options);
        spdlog::info("sync: {} published, {} already on the wiki, {} failed, {} remaining", summary.published,
                     summary.already_on_wiki, summary.failed, summary.remaining);
        if (!summary.stopped_because.empty()) failure = summary.stopped_because;
        if (summary.failed > 0) failure = std::to_string(summary.failed) + " file(s) failed: see digikit queue";
    } catch (const std::exception& error) {
        failure = error.what();
    }
    if (!failure.empty()) spdlog::error("sync: {}", failure);
    return failure;
}

Kit::~Kit() = default;

std::string Kit::end_book()
{
    const auto book = store_.open_book();
    if (!book) throw std::runtime_error("no open book to end");
    queue_changed_ = true;
    std::string message;
    {
        const std::lock_guard lock(publish_mutex_);
        message = firmware::end_book(store_, config_, *book);
    }
    book_files_.wake();
    return message;
}

void Kit::after_processing(const Shot& shot)
{
    if (store_.book_state(shot.book_id) != "closing") return;
    const std::lock_guard lock(publish_mutex_);
    const auto progress = publish_ready_pages(store_, config_, shot.book_id);
    if (progress.state == "closed") {
        spdlog::info("book {} closed: its {} page(s) are queued for upload", shot.book_id, progress.pages_queued);
        book_files_.wake();
    }
    for (const auto& failed : progress.failed) {
        if (failed.id == shot.id) spdlog::warn("book {}: {}", shot.book_id, failed_shots_advice(progress));
    }
}

void Kit::resume_closing()
{
    for (const auto& shot : store_.retry_failed_shots()) {
        spdlog::info("processing shot {} of book {} again (it failed: {})", shot.name(), shot.book_id, shot.failure);
    }
    processing_.wake();
    for (const auto& id : store_.closing_books()) {
        try {
            const std::lock_guard lock(publish_mutex_);
            spdlog::info("resuming closing book {}: {}", id, publish_ready_pages(store_, config_, id).describe());
        } catch (const std::exception& error) {
            spdlog::error("book {}: its pages cannot be queued: {}", id, error.what());
        }
    }
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
        nlohmann::json verdict = nullptr;  // unknown after a restart
        {
            const std::lock_guard lock(state_mutex_);
            const auto raw = shot.raw.filename().string();
            if (last_verdicts_.contains(raw)) verdict = last_verdicts_[raw];
        }
        shots.push_back({{"role", shot.role},
                         {"raw", shot.raw.string()},
                         {"processed", shot.processed},
                         {"first_look", verdict},
                         {"failure", shot.failure.empty() ? nlohmann::json(nullptr) : nlohmann::json(shot.failure)},
                         {"pages", pages}});
    }
    return {{"sequence", last}, {"shots", shots}};
}

void Kit::publish_status()
{
    auto snapshot = std::make_shared<nlohmann::json>();
    auto& status = *snapshot;
    // Read before the shots: a backlog of 0 then means every shot shown is processed
    // (read after, a shot could show unprocessed beside a backlog that had just emptied).
    status["processing_backlog"] = processing_.backlog();
    const auto book = store_.open_book();
    status["data_dir"] = store_.data_dir().string();
    status["book"] = nullptr;
    status["last_capture"] = nullptr;
    // Each part on its own: one that cannot be read says why, and the rest is still shown.
    const auto part = [](nlohmann::json& into, const std::function<nlohmann::json()>& read) {
        base::run_behind_barrier([&] { into = read(); },
                                 [&](const std::string& failure) {
                                     into = {{"error", failure}};
                                 });
    };
    if (book) {
        part(status["book"], [&]() -> nlohmann::json {
            const auto summary = store_.find_book(*book);
            const auto file = store_.read_book_file(*book);  // a hand-broken book.toml is shown, not fatal
            nlohmann::json shown = {{"id", *book},
                                    {"title", file.book.title},
                                    {"captures", summary ? summary->captures : 0},
                                    {"pages", summary ? summary->pages : 0}};
            for (const auto& problem : file.problems) shown["problems"].push_back(problem.message);
            shown["failed"] = failed_json(failed_shots(store_, *book));
            return shown;
        });
        part(status["last_capture"], [&] { return last_capture_json(*book); });
    }
    part(status["closing_books"], [&] {
        nlohmann::json books = nlohmann::json::array();
        for (const auto& id : store_.closing_books()) {
            auto closing = progress_json(closing_progress(store_, id));
            closing["id"] = id;
            books.push_back(closing);
        }
        return books;
    });
    part(status["cameras"], [&] { return cameras_json(*cameras_); });
    status["disk"] = {{"free_mb", free_megabytes(store_.data_dir())}, {"min_free_mb", config_.storage.min_free_mb}};
    const auto now = std::chrono::steady_clock::now();
    if (queue_changed_.exchange(false) || now - queue_read_at_ > std::chrono::seconds(5)) {
        part(queue_part_, [&] { return queue_json(); });
        queue_read_at_ = now;
    }
    status["queue"] = queue_part_;
    const std::lock_guard lock(snapshot_mutex_);
    snapshot_ = std::move(snapshot);
    published_at_ = std::chrono::steady_clock::now();
}

// Counts per state, and the last thing that went wrong with its reason.
nlohmann::json Kit::queue_json()
{
    if (!status_queue_) status_queue_ = std::make_unique<uploader::UploadQueue>(store_.data_dir() / "digikit.sqlite");
    const auto& queue = *status_queue_;
    nlohmann::json counts = nlohmann::json::object();
    for (const auto state :
         {uploader::ItemState::queued, uploader::ItemState::uploading, uploader::ItemState::published,
          uploader::ItemState::failed, uploader::ItemState::dropped}) {
        counts[std::string(uploader::to_string(state))] = 0;
    }
    nlohmann::json last_failed = nullptr;
    std::int64_t failed_at = 0;
    for (const auto& item : queue.list()) {
        const std::string state(uploader::to_string(item.state));
        counts[state] = counts.value(state, 0) + 1;
        if (item.state == uploader::ItemState::failed && item.updated_at >= failed_at) {
            failed_at = item.updated_at;
            last_failed = {{"id", item.id}, {"name", item.target_name}, {"reason", item.note}};
        }
    }
    return {{"counts", counts}, {"last_failed_item", last_failed}};
}

void Kit::recover(const std::string& failure)
{
    KitEvent failed;
    failed.kind = KitEvent::Kind::step_failed;
    failed.reason = failure;
    feed(failed);
    const std::lock_guard lock(state_mutex_);
    last_error_ = failure;
}

nlohmann::json Kit::status() const
{
    std::shared_ptr<const nlohmann::json> snapshot;
    std::chrono::steady_clock::time_point published_at;
    {
        const std::lock_guard lock(snapshot_mutex_);
        snapshot = snapshot_;
        published_at = published_at_;
    }
    nlohmann::json status = snapshot ? *snapshot : nlohmann::json::object();
    {
        const std::lock_guard lock(state_mutex_);
        status["state"] = to_string(machine_.state());
        status["signal"] = signal_name(signal_);
        status["last_error"] = last_error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_error_);
        if (status.contains("queue")) {
            status["queue"]["syncing"] = sync_.running();
            status["queue"]["last_sync_error"] =
                last_sync_error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(last_sync_error_);
        }
    }
    status["book_file"] = book_files_.status();
    // How fresh the snapshot is: a press that takes long (or a wedged loop) shows here.
    const auto age =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - published_at);
    status["snapshot_age_ms"] = snapshot ? age.count() : -1;
    return status;
}

std::string handle_control_request(Kit& kit, PressQueue& presses, const std::string& request)
{
    const auto parsed = parse_control_request(request);
    if (!parsed.request) return control_answer(false, parsed.error);
    switch (parsed.request->kind) {
        case ControlCommand::Kind::press: {
            const auto outcome = presses.post(parsed.request->button).get();
            return control_answer(outcome.ok, outcome.message);
        }
        case ControlCommand::Kind::status: return control_answer(true, "status", {{"status", kit.status()}});
        case ControlCommand::Kind::wake: kit.wake_processing(); return control_answer(true, "processing woken");
        case ControlCommand::Kind::book: {
            const auto outcome =
                presses.post_task([&kit, edit = parsed.request->edit] { return kit.edit_book(edit); }).get();
            return control_answer(outcome.ok, outcome.message);
        }
    }
    return control_answer(false, "unhandled request");
}

}  // namespace digikit::firmware
