#pragma once

#include <linux/input.h>

#include <map>
#include <optional>
#include <vector>

#include "digikit/hardware/button_debouncer.hpp"
#include "digikit/hardware/key_map.hpp"

namespace digikit::hardware {

// Turns evdev input events, as libevdev delivers them, into button events. Pure logic,
// so that recorded event sequences can be replayed in tests. Event times must be
// CLOCK_MONOTONIC (libevdev_set_clock_id), the clock of std::chrono::steady_clock.
class KeyEventDecoder {
public:
    using TimePoint = ButtonDebouncer::TimePoint;

    KeyEventDecoder(KeyMap keys, DebounceSettings settings);

    // One event. `resync` marks the events libevdev synthesises after a SYN_DROPPED
    // (read with LIBEVDEV_READ_FLAG_SYNC): the device's true state, not a change seen live.
    std::vector<ButtonEvent> decode(const input_event& event, bool resync);

    // The device went away: whatever was held counts as let go, without acting on it.
    std::vector<ButtonEvent> release_all(TimePoint at);

    std::vector<ButtonEvent> advance(TimePoint now) { return debouncer_.advance(now); }
    [[nodiscard]] std::optional<TimePoint> next_deadline() const { return debouncer_.next_deadline(); }
    [[nodiscard]] const KeyMap& keys() const { return keys_; }

private:
    KeyMap keys_;
    ButtonDebouncer debouncer_;
    std::map<unsigned int, bool> keys_down_;
};

[[nodiscard]] KeyEventDecoder::TimePoint event_time(const input_event& event);

}  // namespace digikit::hardware
