#include "kit_state_machine.hpp"

#include <algorithm>

namespace digikit::firmware {
namespace {

KitAction refuse(std::string reason)
{
    return {KitAction::Kind::refuse, Feedback::error, std::move(reason)};
}
KitAction show(Feedback signal)
{
    return {KitAction::Kind::signal, signal, {}};
}
KitAction act(KitAction::Kind kind)
{
    return {kind, Feedback::ready, {}};
}

}  // namespace

std::string_view to_string(KitState state)
{
    switch (state) {
        case KitState::idle: return "idle";
        case KitState::book_open: return "book_open";
        case KitState::capturing: return "capturing";
        case KitState::processing_backlog: return "processing_backlog";
        case KitState::syncing: return "syncing";
        case KitState::error: return "error";
    }
    return "unknown";
}

std::string signal_name(Feedback signal)
{
    std::string name(to_string(signal));  // hardware's "capture-good"
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

KitState KitStateMachine::settled() const
{
    if (camera_missing_) return KitState::error;
    if (!book_open_) return KitState::idle;
    return backlog_ >= backlog_limit_ ? KitState::processing_backlog : KitState::book_open;
}

std::vector<KitAction> KitStateMachine::on(const KitEvent& event)
{
    using Kind = KitEvent::Kind;
    switch (event.kind) {
        case Kind::button: return on_button(event.button);
        case Kind::book_opened:
        case Kind::book_closed:
            book_open_ = event.kind == Kind::book_opened;
            state_ = settled();
            return {show(resting_signal())};
        case Kind::capture_succeeded:
        case Kind::capture_failed: return after_capture(event);
        case Kind::backlog_changed: {
            backlog_ = event.count;
            if (state_ != KitState::book_open && state_ != KitState::processing_backlog) return {};
            const KitState before = state_;
            state_ = settled();
            if (before == state_) return {};
            return {show(state_ == KitState::book_open ? Feedback::ready : Feedback::busy)};
        }
        case Kind::storage_changed:
            storage_low_ = event.low;
            return {show(storage_low_ ? Feedback::disk_nearly_full : Feedback::ready)};
        case Kind::sync_finished:
            if (state_ == KitState::syncing) state_ = settled();
            return {show(event.reason.empty() ? resting_signal() : Feedback::error)};
        case Kind::camera_missing:
            camera_missing_ = true;
            if (state_ == KitState::syncing || state_ == KitState::capturing) return {};  // told when it ends
            state_ = KitState::error;
            return {show(Feedback::error)};
        case Kind::fault_cleared:
            camera_missing_ = false;
            if (state_ == KitState::error) state_ = settled();
            return {show(resting_signal())};
        case Kind::step_failed:
            if (state_ == KitState::capturing) state_ = settled();  // never stuck refusing "still capturing"
            return {show(Feedback::error)};
    }
    return {};
}

Feedback KitStateMachine::resting_signal() const
{
    return state_ == KitState::error ? Feedback::error : Feedback::ready;
}

std::vector<KitAction> KitStateMachine::on_button(hardware::Button button)
{
    using hardware::Button;
    if (state_ == KitState::capturing) return {refuse("still capturing: wait for the signal")};
    switch (button) {
        case Button::capture:
        case Button::retake: return on_capture_button(button);
        case Button::new_book:
            if (book_open_) return {refuse("a book is still open: press End book first")};
            return {act(KitAction::Kind::open_book)};  // a sync in progress goes on meanwhile
        case Button::end_book:
            if (!book_open_) return {refuse("no open book to end")};
            return {act(KitAction::Kind::end_book)};
        case Button::sync:
            if (state_ == KitState::syncing) return {refuse("already uploading")};
            if (book_open_) return {refuse("end the book before syncing")};
            state_ = KitState::syncing;
            return {act(KitAction::Kind::start_sync), show(Feedback::uploading)};
    }
    return {};
}

std::vector<KitAction> KitStateMachine::on_capture_button(hardware::Button button)
{
    if (!book_open_) return {refuse("no open book: press New book first")};
    if (state_ == KitState::processing_backlog) {
        return {refuse("processing is behind: wait a moment and press again"), show(Feedback::busy)};
    }
    if (storage_low_) return {refuse("disk nearly full: captures are refused"), show(Feedback::disk_nearly_full)};
    // From book_open, or from error: trying again is how the operator learns it is fixed.
    state_ = KitState::capturing;
    return {act(button == hardware::Button::retake ? KitAction::Kind::retake : KitAction::Kind::capture),
            show(Feedback::busy)};
}

std::vector<KitAction> KitStateMachine::after_capture(const KitEvent& event)
{
    if (event.kind == KitEvent::Kind::capture_failed) {
        state_ = event.fatal ? KitState::error : settled();
        return {show(Feedback::error)};
    }
    camera_missing_ = false;  // the cameras fired, so they are there
    state_ = settled();
    return {show(event.warning ? Feedback::capture_warning : Feedback::capture_good)};
}

}  // namespace digikit::firmware
