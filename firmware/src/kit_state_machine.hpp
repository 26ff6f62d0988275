#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "digikit/hardware/button.hpp"
#include "digikit/hardware/feedback.hpp"

namespace digikit::firmware {

// What the kit is doing, as the operator's LEDs show it.
enum class KitState { idle, book_open, capturing, processing_backlog, syncing, error };

// What the operator must see or hear: the hardware module's own words, which it turns
// into LEDs and the buzzer.
using hardware::Feedback;

[[nodiscard]] std::string_view to_string(KitState state);
// The name `status` shows for a signal ("capture_good").
[[nodiscard]] std::string signal_name(Feedback signal);

// Things that happen to the kit: a button, or the outcome of work it started.
struct KitEvent {
    enum class Kind {
        button,
        book_opened,
        capture_succeeded,  // `warning` set when the first look advises a retake
        capture_failed,     // `fatal` when the device needs attention
        book_closed,
        backlog_changed,  // `count`: shots waiting for processing
        storage_changed,  // `low`: below the free-space floor
        sync_finished,
        camera_missing,  // a configured camera is not there: error until fault_cleared
        fault_cleared,
        step_failed,  // a step threw past its own handling (`reason`): error signal, the kit settles
    };
    Kind kind = Kind::button;
    hardware::Button button = hardware::Button::capture;
    bool warning = false;
    bool fatal = false;
    bool low = false;
    int count = 0;
    std::string reason;
};

// What the daemon must do in answer.
struct KitAction {
    enum class Kind { open_book, capture, retake, end_book, start_sync, refuse, signal };
    Kind kind = Kind::signal;
    Feedback signal = Feedback::ready;  // for `signal`
    std::string reason;                 // for `refuse`: one line for the operator
};

// The kit's behaviour as a pure function of events: no I/O, no clock, so every state
// and button can be tested. The daemon feeds it events and carries out its actions.
class KitStateMachine {
public:
    explicit KitStateMachine(int backlog_limit = 8) : backlog_limit_(backlog_limit) {}

    // At start-up: an open book resumes.
    void resume(bool book_open)
    {
        book_open_ = book_open;
        state_ = settled();
    }

    [[nodiscard]] KitState state() const { return state_; }
    [[nodiscard]] bool storage_low() const { return storage_low_; }

    std::vector<KitAction> on(const KitEvent& event);

private:
    std::vector<KitAction> on_button(hardware::Button button);
    std::vector<KitAction> on_capture_button(hardware::Button button);
    std::vector<KitAction> after_capture(const KitEvent& event);
    [[nodiscard]] KitState settled() const;  // idle, book_open or processing_backlog; error while a camera is missing
    [[nodiscard]] Feedback resting_signal() const;  // ready, or error in the error state

    KitState state_ = KitState::idle;
    int backlog_limit_;
    int backlog_ = 0;
    bool storage_low_ = false;
    bool book_open_ = false;
    bool camera_missing_ = false;  // until the camera is picked up or a capture works
};

}  // namespace digikit::firmware
