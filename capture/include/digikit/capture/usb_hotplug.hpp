#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace digikit::capture {

struct UsbEvent {
    enum class Change { arrived, left };
    Change change = Change::arrived;
    int bus = 0;
    int address = 0;
    std::uint16_t vendor = 0;
    std::uint16_t product = 0;
};

// Watches USB devices come and go (libusb hotplug) so that a camera plugged in while
// the daemon runs is picked up. libusb's callback, on libusb's event thread, only
// records the event and makes notify_fd() readable; the main loop polls that fd, calls
// take_events() and does the real work (opening a camera) on its own thread.
class UsbHotplugMonitor {
public:
    // With `report_present`, devices already attached are reported as arrivals first.
    // Throws CaptureError when libusb cannot start or this system has no hotplug support.
    explicit UsbHotplugMonitor(bool report_present = false);
    UsbHotplugMonitor(const UsbHotplugMonitor&) = delete;
    UsbHotplugMonitor& operator=(const UsbHotplugMonitor&) = delete;
    ~UsbHotplugMonitor();

    // An eventfd, readable while events are waiting.
    [[nodiscard]] int notify_fd() const;
    // The events since the last call, oldest first.
    [[nodiscard]] std::vector<UsbEvent> take_events();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace digikit::capture
