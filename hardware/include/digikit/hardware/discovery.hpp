#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "digikit/hardware/button.hpp"
#include "digikit/hardware/key_map.hpp"

namespace digikit::hardware {

// An input device that could serve as a pedal or keypad, for `digikit devices`.
struct InputDeviceInfo {
    std::filesystem::path path;   // as found, e.g. /dev/input/by-id/usb-PCsensor_FootSwitch-event-kbd
    std::string name;             // the device's own name
    std::vector<Button> buttons;  // the buttons `keys` reaches on it (empty: no mapped key)
};

// The evdev devices in `folder` (/dev/input/by-id gives stable names; /dev/input where
// there is no udev). Entries that are no input device, or cannot be opened, are left out.
[[nodiscard]] std::vector<InputDeviceInfo> find_input_devices(const KeyMap& keys,
                                                              const std::filesystem::path& folder = "/dev/input/by-id");

struct GpioChipInfo {
    std::string name;   // "gpiochip0": what [buttons] gpio_chip takes
    std::string label;  // "pinctrl-bcm2711"
    unsigned int lines = 0;
};

// The GPIO chips (gpiochipN character devices) in `folder`, by name.
[[nodiscard]] std::vector<GpioChipInfo> find_gpio_chips(const std::filesystem::path& folder = "/dev");

// Why `line` (a name or an offset) of GPIO chip `chip` cannot serve now, in one line: the
// chip or the line missing, or the line held by another program. Empty when it can.
[[nodiscard]] std::string gpio_line_unusable(const std::string& chip, const std::string& line);

}  // namespace digikit::hardware
