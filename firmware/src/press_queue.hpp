#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "kit.hpp"

namespace digikit::firmware {

// The daemon's event loop: every press, from the control socket or a physical button,
// and every device check (USB hotplug) is handed to the kit in order on this one
// long-lived thread. Button readers and socket
// connections never wait on a capture, and libraries that keep per-thread state (OpenCV)
// keep it once.
class PressQueue {
public:
    explicit PressQueue(Kit& kit);
    PressQueue(const PressQueue&) = delete;
    PressQueue& operator=(const PressQueue&) = delete;
    // Presses not yet handled are dropped: the operator gets no acknowledgement for them.
    ~PressQueue();

    std::future<Kit::Outcome> post(hardware::Button button);
    // Runs `task` on the event loop in turn with the presses (a book edit from the CLI).
    std::future<Kit::Outcome> post_task(std::function<Kit::Outcome()> task);
    // Asks the kit to look for cameras that have come; one check waits at most.
    void post_device_check(bool usb_changed);

private:
    struct Pending {
        std::optional<hardware::Button> button;  // none: a task, or else a device check
        bool usb_changed = false;
        std::promise<Kit::Outcome> outcome;
        std::function<Kit::Outcome()> task;
    };
    void run();

    Kit& kit_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Pending> pending_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace digikit::firmware
