#include <poll.h>

#include <atomic>

#include "digikit/base/exception_barrier.hpp"
#include "digikit/capture/camera_manager.hpp"
#include "digikit/capture/usb_hotplug.hpp"

namespace digikit::capture {

struct DeviceWatch::State {
    std::function<void(bool)> look;
    CameraManager::Report report;
    std::chrono::milliseconds period;
    std::unique_ptr<UsbHotplugMonitor> usb;
    std::atomic<bool> stopping{false};

    static constexpr int poll_ms = 250;  // how soon the thread notices it should stop

    void run()
    {
        auto next_look = std::chrono::steady_clock::now() + period;
        while (!stopping) {
            base::run_behind_barrier([&] { watch_once(next_look); },
                                     [this](const std::string& failure) { say("device watch: " + failure); });
        }
    }

    void watch_once(std::chrono::steady_clock::time_point& next_look)
    {
        pollfd events{usb ? usb->notify_fd() : -1, POLLIN, 0};
        if (::poll(&events, 1, poll_ms) > 0 && !usb->take_events().empty()) {
            look(true);
        } else if (std::chrono::steady_clock::now() >= next_look) {
            look(false);
            next_look = std::chrono::steady_clock::now() + period;
        }
    }

    void say(const std::string& line) const
    {
        if (report) report(line, true);
    }
};

DeviceWatch::DeviceWatch(std::function<void(bool usb_changed)> look, CameraManager::Report report,
                         std::chrono::milliseconds period)
    : state_(std::make_unique<State>())
{
    state_->look = std::move(look);
    state_->report = std::move(report);
    state_->period = period;
    try {
        state_->usb = std::make_unique<UsbHotplugMonitor>();
    } catch (const std::exception& error) {
        state_->say("USB hotplug unavailable (" + std::string(error.what()) + "): cameras are looked for every " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(period).count()) + " s");
    }
    thread_ = std::thread([state = state_.get()] { state->run(); });
}

DeviceWatch::~DeviceWatch()
{
    state_->stopping = true;
    thread_.join();
}

}  // namespace digikit::capture
