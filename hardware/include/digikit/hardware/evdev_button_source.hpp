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
class EvdevButtonSource final : public ButtonSource {
public:
    // Opens and grabs the device now; throws std::runtime_error naming the device when it
    // cannot be opened, is no input device, has none of the mapped keys, or is grabbed
    // by another program.
    explicit EvdevButtonSource(EvdevButtonSettings settings);
    ~EvdevButtonSource() override;

    void start(EventHandler on_event, ProblemHandler on_problem = {}) override;
    void stop() override;
    [[nodiscard]] std::string describe() const override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace digikit::hardware
