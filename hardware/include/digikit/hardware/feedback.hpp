#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <vector>

namespace digikit::hardware {

// What the operator must see or hear.
enum class Feedback {
    ready,             // waiting for a press
    busy,              // capturing or working: do not press yet
    capture_good,      // the shot is fine: turn the page
    capture_warning,   // the first look found a problem: retake advised
    error,             // something needs attention (camera gone, capture refused)
    uploading,         // syncing to Commons
    disk_nearly_full,  // free space is near the floor: capture will soon be refused
    hold_longer,       // a long-press button (End book) was let go too early
};

inline constexpr std::array all_feedback{
    Feedback::ready, Feedback::busy,      Feedback::capture_good,     Feedback::capture_warning,
    Feedback::error, Feedback::uploading, Feedback::disk_nearly_full, Feedback::hold_longer};

[[nodiscard]] std::string_view to_string(Feedback feedback);  // "capture-warning", ...

// The kit's outputs: three status LEDs and an (active) buzzer.
enum class Output { green, amber, red, buzzer };
inline constexpr std::size_t output_count = 4;
inline constexpr std::array all_outputs{Output::green, Output::amber, Output::red, Output::buzzer};

[[nodiscard]] std::string_view to_string(Output output);  // "green", "buzzer", ...

// Which outputs are on.
class Levels {
public:
    constexpr Levels() = default;
    constexpr Levels(std::initializer_list<Output> on)
    {
        for (const Output output : on) set(output, true);
    }
    [[nodiscard]] constexpr bool on(Output output) const { return (bits_ >> index(output)) & 1U; }
    constexpr void set(Output output, bool on)
    {
        const auto mask = static_cast<unsigned>(1U << index(output));
        bits_ = on ? (bits_ | mask) : (bits_ & ~mask);
    }
    constexpr bool operator==(const Levels&) const = default;

private:
    static constexpr unsigned index(Output output) { return static_cast<unsigned>(output); }
    unsigned bits_ = 0;
};

// One step of a pattern: these outputs on (the others off) for `duration`.
struct Frame {
    Levels levels;
    std::chrono::milliseconds duration;

    bool operator==(const Frame&) const = default;
};

// A light-and-sound pattern: `intro` plays once, then `loop` repeats until another
// pattern replaces it. Without a loop it is a one-shot notice: when it ends, the player
// goes back to the last repeating pattern.
struct FeedbackPattern {
    using Duration = std::chrono::steady_clock::duration;

    std::vector<Frame> intro;
    std::vector<Frame> loop;

    [[nodiscard]] bool repeats() const { return !loop.empty(); }
    [[nodiscard]] Duration intro_length() const;
    // The outputs `elapsed` after the pattern started (all off once a one-shot ended).
    [[nodiscard]] Levels levels_at(Duration elapsed) const;
    // The next frame boundary after `elapsed`; none once a one-shot ended.
    [[nodiscard]] std::optional<Duration> next_change_after(Duration elapsed) const;

    bool operator==(const FeedbackPattern&) const = default;
};

// The kit's table of patterns (see the README's table).
[[nodiscard]] FeedbackPattern pattern_for(Feedback feedback);

}  // namespace digikit::hardware
