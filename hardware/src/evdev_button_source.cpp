#include "digikit/hardware/evdev_button_source.hpp"
#include "digikit/base/text.hpp"

#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <poll.h>

#include <cerrno>
#include <stdexcept>

#include "button_reader.hpp"
#include "file_descriptor.hpp"
#include "key_event_decoder.hpp"
#include "wake_event.hpp"

#include "libevdev_handle.hpp"

namespace digikit::hardware {

// An open, grabbed input device. Members go in reverse: libevdev freed, then the fd
// closed, which also ends the grab.
struct OpenDevice {
    std::unique_ptr<FileDescriptor> fd;
    std::unique_ptr<libevdev, LibevdevFree> device;
};

namespace {

constexpr std::chrono::milliseconds reopen_interval{1000};

OpenDevice open_device(const std::filesystem::path& path, const KeyMap& keys)
{
    OpenDevice open;
    open.fd = std::make_unique<FileDescriptor>(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (open.fd->get() < 0) {
        throw std::runtime_error("cannot open input device " + path.string() + ": " + base::error_text(errno));
    }
    libevdev* device = nullptr;
    const int rc = libevdev_new_from_fd(open.fd->get(), &device);
    if (rc < 0) {
        throw std::runtime_error(path.string() + " is not an input (evdev) device: " + base::error_text(-rc));
    }
    open.device.reset(device);
    bool has_a_key = false;
    for (const auto& [code, button] : keys.codes()) {
        has_a_key = has_a_key || libevdev_has_event_code(device, EV_KEY, code);
    }
    if (!has_a_key) {
        throw std::runtime_error("input device " + path.string() + " (" + libevdev_get_name(device) +
                                 ") has none of the keys mapped to buttons");
    }
    // Grabbed, its keys reach no one else (a console would otherwise see them typed).
    if (const int grab = libevdev_grab(device, LIBEVDEV_GRAB); grab < 0) {
        throw std::runtime_error("cannot grab input device " + path.string() + ": " + base::error_text(-grab) +
                                 (grab == -EBUSY ? " (another program holds it)" : ""));
    }
    // Event times on the clock of std::chrono::steady_clock, for the debouncer.
    if (const int clock = libevdev_set_clock_id(device, CLOCK_MONOTONIC); clock < 0) {
        throw std::runtime_error("cannot set the clock of input device " + path.string() + ": " +
                                 base::error_text(-clock));
    }
    return open;
}

// A pedal or keypad: its device, decoder and reader; ReaderButtonSource runs it.
struct EvdevSource {
    EvdevButtonSettings settings;
    OpenDevice open;
    std::string name;
    KeyEventDecoder decoder;
    ButtonReader reader{"evdev button source"};  // last: stopped before the rest goes

    explicit EvdevSource(EvdevButtonSettings s)
        : settings(std::move(s)),
          open(open_device(settings.device, settings.keys)),
          name(libevdev_get_name(open.device.get())),
          decoder(settings.keys, settings.debounce)
    {
    }

    // Drains what the device has queued; false when the device is gone.
    bool read_events()
    {
        input_event event{};
        for (;;) {
            int rc = libevdev_next_event(open.device.get(), LIBEVDEV_READ_FLAG_NORMAL, &event);
            if (rc == LIBEVDEV_READ_STATUS_SYNC) {
                // SYN_DROPPED: the kernel's buffer overflowed. libevdev now replays the
                // difference between what we saw and the device's real state.
                do {
                    rc = libevdev_next_event(open.device.get(), LIBEVDEV_READ_FLAG_SYNC, &event);
                    if (rc == LIBEVDEV_READ_STATUS_SYNC) reader.deliver(decoder.decode(event, true));
                } while (rc == LIBEVDEV_READ_STATUS_SYNC);
                if (rc == -EAGAIN) continue;
            }
            if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
                reader.deliver(decoder.decode(event, false));
                continue;
            }
            if (rc == -EAGAIN) return true;
            reader.problem("input device " + settings.device.string() + " (" + name +
                           ") is gone: " + base::error_text(-rc) + "; waiting for it to come back");
            return false;
        }
    }

    bool try_reopen(bool& reported)
    {
        try {
            open = open_device(settings.device, settings.keys);
            reader.problem("input device " + settings.device.string() + " is back");
            reported = false;
            return true;
        } catch (const std::exception& failure) {
            if (!reported) reader.problem(failure.what());
            reported = true;
            return false;
        }
    }

    void run()
    {
        bool reopen_reported = false;
        for (;;) {
            const bool connected = open.device != nullptr;
            std::array<pollfd, 2> fds{{{reader.wake_fd(), POLLIN, 0}, {connected ? open.fd->get() : -1, POLLIN, 0}}};
            int timeout = poll_timeout(decoder.next_deadline());
            // Unplugged: look for the device again every reopen_interval.
            if (!connected && (timeout < 0 || timeout > reopen_interval.count())) {
                timeout = static_cast<int>(reopen_interval.count());
            }
            const int ready = ::poll(fds.data(), fds.size(), timeout);
            if (ready < 0 && errno != EINTR) {
                reader.problem(std::string("cannot wait for input events: ") + base::error_text(errno));
                return;
            }
            if (fds[0].revents != 0) return;  // stop()
            if (connected && fds[1].revents != 0 && !read_events()) {
                open = OpenDevice{};
                reader.deliver(decoder.release_all(std::chrono::steady_clock::now()));
            }
            if (!connected) try_reopen(reopen_reported);
            reader.deliver(decoder.advance(std::chrono::steady_clock::now()));
        }
    }

    [[nodiscard]] std::string describe() const
    {
        std::string text = "input device " + settings.device.string() + " (" + name + "):";
        for (const auto& [code, button] : settings.keys.codes()) {
            text += " " + key_name(code) + "=" + std::string(to_string(button));
        }
        return text;
    }
};

}  // namespace

std::unique_ptr<ButtonSource> open_evdev_button_source(EvdevButtonSettings settings)
{
    return std::make_unique<ReaderButtonSource<EvdevSource>>(std::move(settings));
}

}  // namespace digikit::hardware
