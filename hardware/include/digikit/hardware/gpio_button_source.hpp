#pragma once

#include <map>
#include <memory>
#include <string>

#include "digikit/hardware/button_source.hpp"

namespace digikit::hardware {

struct GpioButtonSettings {
    std::string chip = "gpiochip0";       // name, path, number or label (gpiod_chip_open_lookup)
    std::map<Button, std::string> lines;  // line name ("GPIO17") or offset ("17") per button
    bool active_low = true;               // buttons short the line to ground...
    bool pull_up = true;                  // ...against the SoC's pull-up
    DebounceSettings debounce;
};

// Buttons on GPIO input lines, read through libgpiod's edge events.
// Opens the chip and requests the lines now; throws std::runtime_error naming the
// chip or line that could not be had (missing, or used by another program).
[[nodiscard]] std::unique_ptr<ButtonSource> open_gpio_button_source(GpioButtonSettings settings);

}  // namespace digikit::hardware
