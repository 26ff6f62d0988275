#include "digikit/capture/usb_hotplug.hpp"

#include <gtest/gtest.h>
#include <libusb.h>
#include <poll.h>

namespace digikit::capture {
namespace {

// The one reason to skip: libusb itself says this system has no hotplug. Any other
// failure to start the monitor (libusb_init, the eventfd, registering) fails the test.
bool hotplug_capable()
{
    return libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) != 0;
}

std::size_t attached_usb_devices()
{
    libusb_context* context = nullptr;
    if (libusb_init(&context) != LIBUSB_SUCCESS) return 0;
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(context, &list);
    if (count > 0) libusb_free_device_list(list, 1);
    libusb_exit(context);
    return count > 0 ? static_cast<std::size_t>(count) : 0;
}

TEST(UsbHotplugMonitor, QuietWithoutChangesAndStopsCleanly)
{
    if (!hotplug_capable()) GTEST_SKIP() << "libusb reports no hotplug capability on this system";
    const auto monitor = std::make_unique<UsbHotplugMonitor>(false);
    ASSERT_GE(monitor->notify_fd(), 0);
    pollfd fd{monitor->notify_fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&fd, 1, 300), 0);  // nothing plugged or unplugged meanwhile
    EXPECT_TRUE(monitor->take_events().empty());
}

TEST(UsbHotplugMonitor, ReportsAttachedDevicesAsArrivals)
{
    const std::size_t attached = attached_usb_devices();
    if (attached == 0) GTEST_SKIP() << "no USB devices attached to report";
    if (!hotplug_capable()) GTEST_SKIP() << "libusb reports no hotplug capability on this system";
    const auto monitor = std::make_unique<UsbHotplugMonitor>(true);
    pollfd fd{monitor->notify_fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&fd, 1, 5000), 1) << "no arrival reported for " << attached << " attached devices";
    const auto events = monitor->take_events();
    EXPECT_EQ(events.size(), attached);
    for (const auto& event : events) EXPECT_EQ(event.change, UsbEvent::Change::arrived);
}

}  // namespace
}  // namespace digikit::capture
