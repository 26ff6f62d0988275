#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <vector>

#include "digikit/hardware/button.hpp"

namespace digikit::hardware {

struct DebounceSettings {
    // Edges within this window after an accepted change are contact bounce.
    std::chrono::milliseconds window{30};
    // How long a long-press button must be held before it counts.
    std::chrono::milliseconds long_press{1500};
    // Buttons whose mistake would cost (End book): they act only when held long_press.
    std::vector<Button> long_press_buttons{Button::end_book};
};

enum class ButtonEventKind {
    pressed,           // act on it
    held_too_briefly,  // a long-press button let go too early: tell the operator to hold longer
};

struct ButtonEvent {
    Button button;
    ButtonEventKind kind;
    std::chrono::steady_clock::time_point at;

    bool operator==(const ButtonEvent&) const = default;
};

// Turns raw button levels with timestamps (GPIO edges, key down/up) into presses.
// Pure logic: time only moves through the timestamps given. A press is accepted on its
// leading edge (no added latency); later edges inside the bounce window are ignored and
// the level they leave is settled when the window closes.
class ButtonDebouncer {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    explicit ButtonDebouncer(DebounceSettings settings = {});

    // The button's raw level changed to `down` at `at` (timestamps must not go back).
    std::vector<ButtonEvent> edge(Button button, bool down, TimePoint at);

    // Events were lost (SYN_DROPPED, an overflowing GPIO event queue); `down` is the
    // level the device reports now. A long press still being held is timed again from
    // `at`, since nobody can vouch it was held throughout; no hint on an unseen release.
    std::vector<ButtonEvent> resync(Button button, bool down, TimePoint at);

    // Decisions that fall due by `now`: bounce windows closing, long presses reached.
    std::vector<ButtonEvent> advance(TimePoint now);

    // When advance() will next have something to decide, if anything.
    [[nodiscard]] std::optional<TimePoint> next_deadline() const;

private:
    struct Line {
        bool stable_down = false;
        bool raw_down = false;
        TimePoint settle_until{};
        std::optional<TimePoint> hold_due;
        bool release_unseen = false;
    };

    Line& line(Button button);
    [[nodiscard]] bool needs_long_press(Button button) const;
    void settle(Button button, TimePoint at, std::vector<ButtonEvent>& events);
    [[nodiscard]] std::optional<TimePoint> deadline_of(const Line& line) const;

    DebounceSettings settings_;
    std::array<Line, 5> lines_{};
};

}  // namespace digikit::hardware
