#include "kit_state_machine.hpp"

#include <gtest/gtest.h>

#include <map>

namespace digikit::firmware {
namespace {

using hardware::Button;
using Kind = KitAction::Kind;

constexpr int backlog_limit = 4;

KitEvent press(Button button)
{
    KitEvent e;
    e.button = button;
    return e;
}

KitEvent event(KitEvent::Kind kind)
{
    KitEvent e;
    e.kind = kind;
    return e;
}

// A machine brought into `state` the way the daemon would get there.
KitStateMachine machine_in(KitState state)
{
    KitStateMachine m(backlog_limit);
    switch (state) {
        case KitState::idle: break;
        case KitState::book_open: m.resume(true); break;
        case KitState::capturing: m.resume(true), m.on(press(Button::capture)); break;
        case KitState::processing_backlog: {
            m.resume(true);
            KitEvent backlog = event(KitEvent::Kind::backlog_changed);
            backlog.count = backlog_limit;
            m.on(backlog);
            break;
        }
        case KitState::syncing: m.on(press(Button::sync)); break;
        case KitState::error: {
            m.resume(true);
            m.on(press(Button::capture));
            KitEvent failed = event(KitEvent::Kind::capture_failed);
            failed.fatal = true;
            m.on(failed);
            break;
        }
    }
    EXPECT_EQ(m.state(), state);
    return m;
}

struct Expected {
    Kind first_action;
    KitState next_state;
};

TEST(KitStateMachine, EveryStateAndButton)
{
    const std::map<KitState, std::map<Button, Expected>> table{
        {KitState::idle,
         {{Button::capture, {Kind::refuse, KitState::idle}},
          {Button::retake, {Kind::refuse, KitState::idle}},
          {Button::new_book, {Kind::open_book, KitState::idle}},
          {Button::end_book, {Kind::refuse, KitState::idle}},
          {Button::sync, {Kind::start_sync, KitState::syncing}}}},
        {KitState::book_open,
         {{Button::capture, {Kind::capture, KitState::capturing}},
          {Button::retake, {Kind::retake, KitState::capturing}},
          {Button::new_book, {Kind::refuse, KitState::book_open}},
          {Button::end_book, {Kind::end_book, KitState::book_open}},
          {Button::sync, {Kind::refuse, KitState::book_open}}}},
        {KitState::capturing,
         {{Button::capture, {Kind::refuse, KitState::capturing}},
          {Button::retake, {Kind::refuse, KitState::capturing}},
          {Button::new_book, {Kind::refuse, KitState::capturing}},
          {Button::end_book, {Kind::refuse, KitState::capturing}},
          {Button::sync, {Kind::refuse, KitState::capturing}}}},
        {KitState::processing_backlog,
         {{Button::capture, {Kind::refuse, KitState::processing_backlog}},
          {Button::retake, {Kind::refuse, KitState::processing_backlog}},
          {Button::new_book, {Kind::refuse, KitState::processing_backlog}},
          {Button::end_book, {Kind::end_book, KitState::processing_backlog}},
          {Button::sync, {Kind::refuse, KitState::processing_backlog}}}},
        {KitState::syncing,
         {{Button::capture, {Kind::refuse, KitState::syncing}},
          {Button::retake, {Kind::refuse, KitState::syncing}},
          {Button::new_book, {Kind::open_book, KitState::syncing}},
          {Button::end_book, {Kind::refuse, KitState::syncing}},
          {Button::sync, {Kind::refuse, KitState::syncing}}}},
        {KitState::error,
         {{Button::capture, {Kind::capture, KitState::capturing}},
          {Button::retake, {Kind::retake, KitState::capturing}},
          {Button::new_book, {Kind::refuse, KitState::error}},
          {Button::end_book, {Kind::end_book, KitState::error}},
          {Button::sync, {Kind::refuse, KitState::error}}}},
    };
    for (const auto& [state, buttons] : table) {
        for (const auto& [button, expected] : buttons) {
            auto m = machine_in(state);
            const auto actions = m.on(press(button));
            ASSERT_FALSE(actions.empty()) << to_string(state) << " + " << hardware::to_string(button);
            EXPECT_EQ(actions[0].kind, expected.first_action)
                << to_string(state) << " + " << hardware::to_string(button);
            EXPECT_EQ(m.state(), expected.next_state) << to_string(state) << " + " << hardware::to_string(button);
            if (actions[0].kind == Kind::refuse) {
                EXPECT_FALSE(actions[0].reason.empty());
            }
        }
    }
}

Feedback last_signal(const std::vector<KitAction>& actions)
{
    for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
        if (it->kind == Kind::signal) return it->signal;
    }
    ADD_FAILURE() << "no signal among the actions";
    return Feedback::ready;
}

TEST(KitStateMachine, CaptureVerdictReachesTheOperator)
{
    auto m = machine_in(KitState::capturing);
    KitEvent good = event(KitEvent::Kind::capture_succeeded);
    EXPECT_EQ(last_signal(m.on(good)), Feedback::capture_good);
    EXPECT_EQ(m.state(), KitState::book_open);

    m.on(press(Button::capture));
    good.warning = true;  // the first look advises a retake
    EXPECT_EQ(last_signal(m.on(good)), Feedback::capture_warning);
    EXPECT_EQ(m.state(), KitState::book_open);
}

TEST(KitStateMachine, RecoverableFailureStaysReadyFatalOneIsAnError)
{
    auto m = machine_in(KitState::capturing);
    KitEvent failed = event(KitEvent::Kind::capture_failed);
    EXPECT_EQ(last_signal(m.on(failed)), Feedback::error);
    EXPECT_EQ(m.state(), KitState::book_open);

    m.on(press(Button::capture));
    failed.fatal = true;
    m.on(failed);
    EXPECT_EQ(m.state(), KitState::error);
    m.on(event(KitEvent::Kind::fault_cleared));
    EXPECT_EQ(m.state(), KitState::book_open);
}

TEST(KitStateMachine, AMissingCameraShowsAnErrorUntilItIsThere)
{
    KitStateMachine m(backlog_limit);
    EXPECT_EQ(last_signal(m.on(event(KitEvent::Kind::camera_missing))), Feedback::error);
    EXPECT_EQ(m.state(), KitState::error);
    // Opening a book does not hide it.
    EXPECT_EQ(m.on(press(Button::new_book))[0].kind, Kind::open_book);
    EXPECT_EQ(last_signal(m.on(event(KitEvent::Kind::book_opened))), Feedback::error);
    EXPECT_EQ(m.state(), KitState::error);
    EXPECT_EQ(last_signal(m.on(event(KitEvent::Kind::fault_cleared))), Feedback::ready);
    EXPECT_EQ(m.state(), KitState::book_open);

    m.on(event(KitEvent::Kind::camera_missing));
    EXPECT_EQ(m.on(press(Button::capture))[0].kind, Kind::capture);  // trying is allowed: the refusal names it
    KitEvent fired = event(KitEvent::Kind::capture_succeeded);       // it came back meanwhile
    EXPECT_EQ(last_signal(m.on(fired)), Feedback::capture_good);
    EXPECT_EQ(m.state(), KitState::book_open);

    auto syncing = machine_in(KitState::syncing);
    EXPECT_TRUE(syncing.on(event(KitEvent::Kind::camera_missing)).empty());
    EXPECT_EQ(syncing.state(), KitState::syncing);
}

TEST(KitStateMachine, BacklogHoldsCapturesUntilItDrains)
{
    auto m = machine_in(KitState::processing_backlog);
    const auto refused = m.on(press(Button::capture));
    EXPECT_EQ(refused[0].kind, Kind::refuse);
    KitEvent drained = event(KitEvent::Kind::backlog_changed);
    drained.count = backlog_limit - 1;
    EXPECT_EQ(last_signal(m.on(drained)), Feedback::ready);
    EXPECT_EQ(m.state(), KitState::book_open);
    EXPECT_EQ(m.on(press(Button::capture))[0].kind, Kind::capture);
}

TEST(KitStateMachine, LowStorageRefusesCapturesWithItsOwnSignal)
{
    auto m = machine_in(KitState::book_open);
    KitEvent low = event(KitEvent::Kind::storage_changed);
    low.low = true;
    EXPECT_EQ(last_signal(m.on(low)), Feedback::disk_nearly_full);
    const auto refused = m.on(press(Button::capture));
    EXPECT_EQ(refused[0].kind, Kind::refuse);
    EXPECT_EQ(last_signal(refused), Feedback::disk_nearly_full);
    EXPECT_EQ(m.on(press(Button::end_book))[0].kind, Kind::end_book);  // ending a book needs no space
}

TEST(KitStateMachine, BookAndSyncLifecycle)
{
    KitStateMachine m(backlog_limit);
    m.on(press(Button::new_book));
    m.on(event(KitEvent::Kind::book_opened));
    EXPECT_EQ(m.state(), KitState::book_open);
    m.on(press(Button::end_book));
    m.on(event(KitEvent::Kind::book_closed));
    EXPECT_EQ(m.state(), KitState::idle);
    const auto sync = m.on(press(Button::sync));
    EXPECT_EQ(last_signal(sync), Feedback::uploading);
    KitEvent done = event(KitEvent::Kind::sync_finished);
    EXPECT_EQ(last_signal(m.on(done)), Feedback::ready);
    EXPECT_EQ(m.state(), KitState::idle);
}

TEST(KitStateMachine, ResumeAfterRestart)
{
    KitStateMachine open;
    open.resume(true);
    EXPECT_EQ(open.state(), KitState::book_open);
    KitStateMachine closed;
    closed.resume(false);
    EXPECT_EQ(closed.state(), KitState::idle);
}

}  // namespace
}  // namespace digikit::firmware
