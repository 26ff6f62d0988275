#include "digikit/hardware/evdev_button_source.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libevdev/libevdev-uinput.h>
#include <libevdev/libevdev.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct LibevdevFree {
    void operator()(libevdev* device) const { libevdev_free(device); }
};
struct UinputDestroy {
    void operator()(libevdev_uinput* device) const { libevdev_uinput_destroy(device); }
};

// A virtual foot pedal made through /dev/uinput, sending KEY_B (and KEY_C).
class VirtualPedal {
public:
    // Empty when the machine cannot make one; `why` then says why.
    static std::unique_ptr<VirtualPedal> create(std::string& why)
    {
        if (!fs::exists("/dev/uinput")) {
            why = "no /dev/uinput on this machine: cannot make a virtual pedal";
            return nullptr;
        }
        std::unique_ptr<libevdev, LibevdevFree> prototype(libevdev_new());
        libevdev_set_name(prototype.get(), "digikit test pedal");
        libevdev_enable_event_type(prototype.get(), EV_KEY);
        for (const unsigned int key : {KEY_B + 0U, KEY_C + 0U}) {
            libevdev_enable_event_code(prototype.get(), EV_KEY, key, nullptr);
        }
        libevdev_uinput* raw = nullptr;
        const int rc = libevdev_uinput_create_from_device(prototype.get(), LIBEVDEV_UINPUT_OPEN_MANAGED, &raw);
        if (rc < 0) {
            why = std::string("cannot create a uinput device: ") + std::strerror(-rc);
            return nullptr;
        }
        auto pedal = std::make_unique<VirtualPedal>(raw);
        const char* node = libevdev_uinput_get_devnode(raw);
        // Without udev the node may never show up in /dev.
        for (int i = 0; i < 40 && (node == nullptr || !fs::exists(node)); ++i) {
            std::this_thread::sleep_for(50ms);
            node = libevdev_uinput_get_devnode(raw);
        }
        if (node == nullptr || !fs::exists(node)) {
            why = "the uinput device got no node in /dev/input (no udev or devtmpfs here)";
            return nullptr;
        }
        pedal->node_ = node;
        return pedal;
    }

    [[nodiscard]] const fs::path& node() const { return node_; }

    void key(unsigned int code, int value)
    {
        libevdev_uinput_write_event(device_.get(), EV_KEY, code, value);
        libevdev_uinput_write_event(device_.get(), EV_SYN, SYN_REPORT, 0);
    }

    void unplug() { device_.reset(); }

    explicit VirtualPedal(libevdev_uinput* device) : device_(device) {}

private:
    std::unique_ptr<libevdev_uinput, UinputDestroy> device_;
    fs::path node_;
};

template <typename T>
class Collected {
public:
    void add(const T& item)
    {
        {
            const std::lock_guard lock(mutex_);
            items_.push_back(item);
        }
        changed_.notify_all();
    }
    std::vector<T> wait_for(std::size_t count, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return items_.size() >= count; });
        return items_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<T> items_;
};

EvdevButtonSettings pedal_settings(const fs::path& device)
{
    EvdevButtonSettings settings;
    settings.device = device;
    settings.keys = KeyMap::parse({{"capture", {"KEY_B"}}, {"end-book", {"KEY_C"}}});
    settings.debounce.long_press = 300ms;
    return settings;
}

std::string message_of(const std::function<void()>& action)
{
    try {
        action();
    } catch (const std::runtime_error& error) {
        return error.what();
    }
    return "(no error)";
}

TEST(EvdevButtonSource, NamesAMissingDevice)
{
    const auto message = message_of(
        [] { const auto source = open_evdev_button_source(pedal_settings("/dev/input/digikit-no-such-pedal")); });
    EXPECT_NE(message.find("/dev/input/digikit-no-such-pedal"), std::string::npos) << message;
}

TEST(EvdevButtonSource, RefusesAFileThatIsNoInputDevice)
{
    const testing::TempDir dir;
    base::write_file_atomically(dir / "event0", "not a device");
    const auto message =
        message_of([&] { const auto source = open_evdev_button_source(pedal_settings(dir / "event0")); });
    EXPECT_NE(message.find("is not an input"), std::string::npos) << message;
}

TEST(EvdevButtonSource, ReadsAVirtualPedal)
{
    std::string why_no_pedal;
    auto pedal = VirtualPedal::create(why_no_pedal);
    if (!pedal) GTEST_SKIP() << why_no_pedal;
    Collected<ButtonEvent> events;
    const auto source = open_evdev_button_source(pedal_settings(pedal->node()));
    source->start([&](const ButtonEvent& event) { events.add(event); });
    EXPECT_NE(source->describe().find("digikit test pedal"), std::string::npos) << source->describe();

    pedal->key(KEY_B, 1);
    pedal->key(KEY_B, 0);
    pedal->key(KEY_C, 1);
    auto seen = events.wait_for(2, 5s);
    pedal->key(KEY_C, 0);
    ASSERT_EQ(seen.size(), 2U);
    EXPECT_EQ(seen[0].button, Button::capture);
    EXPECT_EQ(seen[0].kind, ButtonEventKind::pressed);
    EXPECT_EQ(seen[1].button, Button::end_book);
    EXPECT_EQ(seen[1].kind, ButtonEventKind::pressed);
    EXPECT_GE(seen[1].at - seen[0].at, 300ms);  // held for the long press
}

TEST(EvdevButtonSource, GrabsThePedalForItself)
{
    std::string why_no_pedal;
    auto pedal = VirtualPedal::create(why_no_pedal);
    if (!pedal) GTEST_SKIP() << why_no_pedal;
    const auto first = open_evdev_button_source(pedal_settings(pedal->node()));
    const auto message =
        message_of([&] { const auto second = open_evdev_button_source(pedal_settings(pedal->node())); });
    EXPECT_NE(message.find("grab"), std::string::npos) << message;
}

TEST(EvdevButtonSource, RefusesADeviceWithoutTheMappedKeys)
{
    std::string why_no_pedal;
    auto pedal = VirtualPedal::create(why_no_pedal);
    if (!pedal) GTEST_SKIP() << why_no_pedal;
    auto settings = pedal_settings(pedal->node());
    settings.keys = KeyMap::parse({{"capture", {"KEY_PAGEDOWN"}}});
    const auto message = message_of([&] { const auto source = open_evdev_button_source(settings); });
    EXPECT_NE(message.find("none of the keys"), std::string::npos) << message;
}

TEST(EvdevButtonSource, ReportsAnUnpluggedPedal)
{
    std::string why_no_pedal;
    auto pedal = VirtualPedal::create(why_no_pedal);
    if (!pedal) GTEST_SKIP() << why_no_pedal;
    Collected<std::string> problems;
    const auto source = open_evdev_button_source(pedal_settings(pedal->node()));
    source->start([](const ButtonEvent&) {}, [&](const std::string& message) { problems.add(message); });
    pedal->unplug();
    const auto seen = problems.wait_for(1, 5s);
    ASSERT_FALSE(seen.empty());
    EXPECT_NE(seen[0].find("gone"), std::string::npos) << seen[0];
}

}  // namespace
}  // namespace digikit::hardware
