#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "digikit/hardware/button_source.hpp"
#include "digikit/hardware/key_map.hpp"

namespace digikit::hardware {

struct EvdevButtonSettings {
    // Prefer the stable /dev/input/by-id/usb-...-event-kbd link to /dev/input/eventN.
    std::filesystem::path device;
    KeyMap keys = KeyMap::defaults();
    DebounceSettings debounce;
};

// A USB foot pedal or keypad read through libevdev. The device is grabbed, so its keys
// do not also type into a console; SYN_DROPPED is resynchronised; an unplugged device is
// waited for and reopened.
// Opens and grabs the device now; throws std::runtime_error naming the device when it
// cannot be opened, is no input device, has none of the mapped keys, or is grabbed
// by another program.
[[nodiscard]] std::unique_ptr<ButtonSource> open_evdev_button_source(EvdevButtonSettings settings);

}  // namespace digikit::hardware
