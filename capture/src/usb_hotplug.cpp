#include "digikit/capture/usb_hotplug.hpp"

#include <libusb.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "digikit/capture/camera.hpp"

namespace digikit::capture {

struct UsbHotplugMonitor::State {
    libusb_context* context = nullptr;
    libusb_hotplug_callback_handle callback = 0;
    bool registered = false;
    int wake_fd = -1;
    std::atomic<bool> running{true};
    std::mutex mutex;
    std::vector<UsbEvent> events;
    std::thread thread;

    // On libusb's event thread: record and wake the main loop, nothing more.
    static int LIBUSB_CALL on_hotplug(libusb_context* /*context*/, libusb_device* device, libusb_hotplug_event event,
                                      void* data)
    {
        auto* self = static_cast<State*>(data);
        UsbEvent change;
        change.change =
            event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? UsbEvent::Change::arrived : UsbEvent::Change::left;
        change.bus = libusb_get_bus_number(device);
        change.address = libusb_get_device_address(device);
        libusb_device_descriptor descriptor{};
        if (libusb_get_device_descriptor(device, &descriptor) == LIBUSB_SUCCESS) {
            change.vendor = descriptor.idVendor;
            change.product = descriptor.idProduct;
        }
        try {  // an exception must not cross libusb's C frames
            const std::lock_guard lock(self->mutex);
            self->events.push_back(change);
        } catch (const std::exception&) {  // out of memory: the event is lost, the wake below still tells of a change
        }
        const std::uint64_t one = 1;
        if (::write(self->wake_fd, &one, sizeof(one)) < 0) {
            // the counter is saturated: the main loop has been woken already
        }
        return 0;  // stay registered
    }

    void handle_events()
    {
        while (running) {
            timeval timeout{0, 200'000};
            libusb_handle_events_timeout_completed(context, &timeout, nullptr);
        }
    }

    ~State()
    {
        running = false;
        if (registered) libusb_hotplug_deregister_callback(context, callback);  // also wakes the event thread
        if (thread.joinable()) thread.join();
        if (context != nullptr) libusb_exit(context);
        if (wake_fd >= 0) ::close(wake_fd);
    }
};

UsbHotplugMonitor::UsbHotplugMonitor(bool report_present) : state_(std::make_unique<State>())
{
    int rc = libusb_init(&state_->context);
    if (rc != LIBUSB_SUCCESS) {
        state_->context = nullptr;
        throw CaptureError(std::string("cannot start libusb: ") + libusb_strerror(rc), false);
    }
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) == 0) {
        throw CaptureError("USB hotplug is not supported on this system", false);
    }
    state_->wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (state_->wake_fd < 0) throw CaptureError("cannot create the USB hotplug notification fd", false);
    const auto events =
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT);
    const auto flags = report_present ? LIBUSB_HOTPLUG_ENUMERATE : static_cast<libusb_hotplug_flag>(0);
    rc = libusb_hotplug_register_callback(state_->context, events, flags, LIBUSB_HOTPLUG_MATCH_ANY,
                                          LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, &State::on_hotplug,
                                          state_.get(), &state_->callback);
    if (rc != LIBUSB_SUCCESS) {
        throw CaptureError(std::string("cannot watch USB hotplug: ") + libusb_strerror(rc), false);
    }
    state_->registered = true;
    state_->thread = std::thread([state = state_.get()] { state->handle_events(); });
}

UsbHotplugMonitor::~UsbHotplugMonitor() = default;

int UsbHotplugMonitor::notify_fd() const
{
    return state_->wake_fd;
}

std::vector<UsbEvent> UsbHotplugMonitor::take_events()
{
    std::uint64_t count = 0;
    if (::read(state_->wake_fd, &count, sizeof(count)) < 0) {
        // nothing pending (EAGAIN): fine
    }
    const std::lock_guard lock(state_->mutex);
    return std::exchange(state_->events, {});
}

}  // namespace digikit::capture
