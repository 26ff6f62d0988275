#include "digikit/hardware/discovery.hpp"

#include <fcntl.h>
#include <libevdev/libevdev.h>

#include <algorithm>
#include <memory>
#include <system_error>

#include "file_descriptor.hpp"
#include "gpio_chip.hpp"

#include "libevdev_handle.hpp"

namespace digikit::hardware {
namespace {

std::vector<std::filesystem::path> entries(const std::filesystem::path& folder)
{
    std::vector<std::filesystem::path> paths;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) paths.push_back(entry.path());
    std::ranges::sort(paths);
    return paths;  // a missing folder has no devices
}

}  // namespace

std::vector<InputDeviceInfo> find_input_devices(const KeyMap& keys, const std::filesystem::path& folder)
{
    std::vector<InputDeviceInfo> found;
    for (const auto& path : entries(folder)) {
        if (path.filename().string().find("event") == std::string::npos) continue;  // skip mouseN, jsN
        const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        libevdev* raw = nullptr;
        if (fd.get() < 0 || libevdev_new_from_fd(fd.get(), &raw) < 0) continue;
        const std::unique_ptr<libevdev, LibevdevFree> device(raw);
        InputDeviceInfo info{path, libevdev_get_name(device.get()), {}};
        for (const auto& [code, button] : keys.codes()) {
            if (libevdev_has_event_code(device.get(), EV_KEY, code) &&
                std::ranges::find(info.buttons, button) == info.buttons.end()) {
                info.buttons.push_back(button);
            }
        }
        found.push_back(std::move(info));
    }
    return found;
}

std::vector<GpioChipInfo> find_gpio_chips(const std::filesystem::path& folder)
{
    std::vector<GpioChipInfo> found;
    for (const auto& path : entries(folder)) {
        if (!path.filename().string().starts_with("gpiochip")) continue;
        const GpioChip chip(gpiod_chip_open(path.c_str()));
        if (!chip) continue;  // not a GPIO character device
        found.push_back({gpiod_chip_name(chip.get()), gpiod_chip_label(chip.get()), gpiod_chip_num_lines(chip.get())});
    }
    return found;
}

std::string gpio_line_unusable(const std::string& chip, const std::string& line)
{
    try {
        const GpioChip opened = open_gpio_chip(chip);
        gpiod_line* found = find_gpio_line(opened.get(), chip, line);
        if (gpiod_line_is_used(found)) {
            const char* consumer = gpiod_line_consumer(found);
            return "GPIO line " + line + " of chip '" + chip + "' is held by " +
                   (consumer != nullptr ? std::string("'") + consumer + "'" : std::string("another program or driver"));
        }
        return "";
    } catch (const std::runtime_error& error) {
        return error.what();
    }
}

}  // namespace digikit::hardware
