#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "digikit/hardware/button.hpp"

namespace digikit::firmware {

// What a press came to: ok, and one line for the operator / `digikit press`.
struct PressOutcome {
    bool ok = true;
    std::string message;
};

// What the event loop drives: the Kit (a fake in tests). Every call comes from the loop.
class EventLoopClient {
public:
    EventLoopClient() = default;
    EventLoopClient(const EventLoopClient&) = delete;
    EventLoopClient& operator=(const EventLoopClient&) = delete;
    virtual ~EventLoopClient() = default;

    virtual PressOutcome press(hardware::Button button) = 0;
    // Picks up cameras that have come (USB hotplug, or the periodic check).
    virtual void check_devices(bool usb_changed) = 0;
    // After every turn of the loop: what `digikit status` will show.
    virtual void publish_status() = 0;
    // A step threw past the kit's own handling: show the error signal, settle, go on.
    virtual void recover(const std::string& failure) = 0;
};

// The daemon's event loop: every press, from the control socket or a physical button,
// and every device check (USB hotplug) is handed to the kit in order on this one
// long-lived thread. Button readers and socket connections never wait on a capture, and
// libraries that keep per-thread state (OpenCV) keep it once. The loop turns at least
// every `tick` (publishing the status, calling `on_turn`: the systemd watchdog), so a
// wedged loop stops feeding the watchdog. Each step runs behind an exception barrier.
class PressQueue {
public:
    explicit PressQueue(EventLoopClient& kit, std::chrono::milliseconds tick = std::chrono::seconds(1),
                        std::function<void()> on_turn = {});
    PressQueue(const PressQueue&) = delete;
    PressQueue& operator=(const PressQueue&) = delete;
    // Presses not yet handled are dropped: the operator gets no acknowledgement for them.
    ~PressQueue();

    std::future<PressOutcome> post(hardware::Button button);
    // Runs `task` on the event loop in turn with the presses (a book edit from the CLI).
    std::future<PressOutcome> post_task(std::function<PressOutcome()> task);
    // Asks the kit to look for cameras that have come; one check waits at most.
    void post_device_check(bool usb_changed);

private:
    struct Pending {
        std::optional<hardware::Button> button;  // none: a task, or else a device check
        bool usb_changed = false;
        std::promise<PressOutcome> outcome;
        std::function<PressOutcome()> task;
    };
    void run();
    PressOutcome handle(const Pending& next);

    EventLoopClient& kit_;
    std::chrono::milliseconds tick_;
    std::function<void()> on_turn_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Pending> pending_;  // guarded by mutex_
    bool stopping_ = false;        // guarded by mutex_
    std::thread thread_;
};

}  // namespace digikit::firmware
