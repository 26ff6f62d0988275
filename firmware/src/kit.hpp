#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "book_edits.hpp"
#include "book_file_builder.hpp"
#include "book_store.hpp"
#include "config.hpp"
#include "digikit/hardware/button.hpp"
#include "digikit/uploader/upload_queue.hpp"
#include "kit_cameras.hpp"
#include "kit_state_machine.hpp"
#include "press_queue.hpp"
#include "processing_worker.hpp"
#include "sync_worker.hpp"

namespace digikit::firmware {

// What the operator's buttons do, one press at a time: the heart of `digikit run`.
// Everything durable is in the BookStore, so a Kit made after a crash carries on.
// press, check_devices and publish_status run on the event loop (PressQueue); status()
// on any thread (docs/threads.md).
class Kit : public EventLoopClient {
public:
    using Outcome = PressOutcome;

    // `on_signal` tells the operator (LEDs, buzzer) what the state machine decided.
    Kit(Config config, std::unique_ptr<capture::CameraManager> cameras, std::function<void(Feedback)> on_signal = {});
    // Stops a sync in progress between two steps; the queue resumes it next time.
    ~Kit() override;

    Outcome press(hardware::Button button) override;
    // `digikit book close|set|reprocess|drop-shot` sent by the CLI; closing the open
    // book is End book, through the state machine.
    Outcome edit_book(const BookEdit& edit);
    // Picks up cameras that have come (see capture::CameraManager::refresh); between presses.
    void check_devices(bool usb_changed) override;
    // Reads the book, the cameras, the disk and the upload queue into the snapshot that
    // status() serves.
    void publish_status() override;
    void recover(const std::string& failure) override;
    // Never waits on the event loop or the disk: the last snapshot, with the live state.
    [[nodiscard]] nlohmann::json status() const;
    void wake_processing()
    {
        processing_.wake();
        book_files_.wake();
    }
    void wait_processed() { processing_.wait_idle(); }

private:
    std::vector<KitAction> feed(const KitEvent& event);
    void observe_conditions();
    Outcome perform(KitAction::Kind action);
    // Each returns the message for the operator and throws when it cannot be done.
    std::string new_book();
    std::string capture(bool retake);
    std::string end_book();
    // On the processing thread: a closing book's pages are queued as they come.
    void after_processing(const Shot& shot);
    // At start-up: failed shots are tried again and closing books go on closing.
    void resume_closing();
    capture::CameraRig& ready_rig(const std::string& book);
    Outcome start_sync();
    std::string sync_now(const std::function<bool()>& should_stop);
    [[nodiscard]] nlohmann::json queue_json();
    // The imaging first look at a capture's files: the operator's verdict, in one line
    // ("" when every shot looks fine). Compared with the capture before, for duplicates.
    std::string first_look(const std::vector<std::filesystem::path>& files, bool retake);
    [[nodiscard]] std::optional<std::string> storage_problem() const;
    [[nodiscard]] std::string unused_retake_stem(const std::string& book, int sequence) const;
    [[nodiscard]] nlohmann::json last_capture_json(const std::string& book_id);

    Config config_;
    BookStore store_;
    std::unique_ptr<capture::CameraManager> cameras_;
    std::string settings_applied_for_;  // the book whose first capture applied the camera settings
    // Queueing a closing book's pages: from the processing thread after each shot, and
    // from the event loop (End book). Declared before the worker, which uses it at once.
    std::mutex publish_mutex_;
    BookFileWorker book_files_;  // [commons] book_file, after End book; woken by the worker below
    ProcessingWorker processing_;
    std::mutex press_mutex_;          // presses are handled one after the other
    mutable std::mutex state_mutex_;  // machine_, signal_, last_error_, last_sync_error_: read by `status`
    KitStateMachine machine_;
    Feedback signal_ = Feedback::ready;
    std::function<void(Feedback)> on_signal_;
    std::vector<imaging::FirstLook> looks_before_;  // the capture before the last, per camera
    std::vector<imaging::FirstLook> last_looks_;    // the last capture, per camera
    bool retake_advised_ = false;
    // The last capture's first look by raw file name ("0001_left.jpg" -> {"ok", "warnings"}),
    // for status: a shot still being looked at, or one from before a restart, has none.
    nlohmann::json last_verdicts_ = nlohmann::json::object();  // under state_mutex_
    std::string last_error_;
    std::string last_sync_error_;
    mutable std::mutex snapshot_mutex_;
    std::shared_ptr<const nlohmann::json> snapshot_;      // guarded by snapshot_mutex_; published by the event loop
    std::chrono::steady_clock::time_point published_at_;  // guarded by snapshot_mutex_
    // The event loop's own: the queue is read again when it changed, or every few seconds.
    std::unique_ptr<uploader::UploadQueue> status_queue_;
    nlohmann::json queue_part_;
    std::chrono::steady_clock::time_point queue_read_at_;
    std::atomic<bool> queue_changed_{true};
    SyncWorker sync_;  // last: its thread reports through the members above
};

// The request protocol of the control socket: "press BUTTON" and "book JSON" (a
// BookEdit), handled in turn through `presses`, "status", "wake"; the answer is one
// JSON object with "ok" and "message" (and "status").
[[nodiscard]] std::string handle_control_request(Kit& kit, PressQueue& presses, const std::string& request);

}  // namespace digikit::firmware
