#include "digikit/hardware/feedback.hpp"

#include <numeric>

namespace digikit::hardware {
namespace {

using std::chrono::milliseconds;
using Duration = FeedbackPattern::Duration;

constexpr Output green = Output::green;
constexpr Output amber = Output::amber;
constexpr Output red = Output::red;
constexpr Output buzzer = Output::buzzer;

Duration length_of(const std::vector<Frame>& frames)
{
    return std::accumulate(frames.begin(), frames.end(), Duration::zero(),
                           [](Duration sum, const Frame& frame) { return sum + frame.duration; });
}

// `times` repetitions of on/off blinks of `levels`.
std::vector<Frame> blinks(Levels levels, milliseconds on, milliseconds off, int times)
{
    std::vector<Frame> frames;
    for (int i = 0; i < times; ++i) {
        frames.push_back({levels, on});
        frames.push_back({{}, off});
    }
    return frames;
}

std::vector<Frame> joined(std::vector<Frame> first, const std::vector<Frame>& second)
{
    first.insert(first.end(), second.begin(), second.end());
    return first;
}

}  // namespace

std::string_view to_string(Feedback feedback)
{
    switch (feedback) {
        case Feedback::ready: return "ready";
        case Feedback::busy: return "busy";
        case Feedback::capture_good: return "capture-good";
        case Feedback::capture_warning: return "capture-warning";
        case Feedback::error: return "error";
        case Feedback::uploading: return "uploading";
        case Feedback::disk_nearly_full: return "disk-nearly-full";
        case Feedback::hold_longer: return "hold-longer";
    }
    return "unknown";
}

std::string_view to_string(Output output)
{
    switch (output) {
        case Output::green: return "green";
        case Output::amber: return "amber";
        case Output::red: return "red";
        case Output::buzzer: return "buzzer";
    }
    return "unknown";
}

FeedbackPattern::Duration FeedbackPattern::intro_length() const
{
    return length_of(intro);
}

Levels FeedbackPattern::levels_at(Duration elapsed) const
{
    for (const Frame& frame : intro) {
        if (elapsed < frame.duration) return frame.levels;
        elapsed -= frame.duration;
    }
    const Duration loop_length = length_of(loop);
    if (loop_length <= Duration::zero()) return {};
    elapsed %= loop_length;
    for (const Frame& frame : loop) {
        if (elapsed < frame.duration) return frame.levels;
        elapsed -= frame.duration;
    }
    return {};
}

std::optional<Duration> FeedbackPattern::next_change_after(Duration elapsed) const
{
    Duration boundary = Duration::zero();
    for (const Frame& frame : intro) {
        boundary += frame.duration;
        if (boundary > elapsed) return boundary;
    }
    const Duration loop_length = length_of(loop);
    if (loop_length <= Duration::zero()) return std::nullopt;
    boundary += (elapsed - boundary) / loop_length * loop_length;  // start of the current cycle
    for (const Frame& frame : loop) {
        boundary += frame.duration;
        if (boundary > elapsed) return boundary;
    }
    return boundary;
}

// The operator reads these without a manual: steady = a state, blinking = attention,
// the buzzer only for news (a verdict, an error), never for a state that lasts.
// Every pattern is told apart by the LEDs alone, for noisy rooms and a muted buzzer.
FeedbackPattern pattern_for(Feedback feedback)
{
    switch (feedback) {
        case Feedback::ready: return {{}, {{{green}, milliseconds(1000)}}};
        case Feedback::busy: return {{}, {{{amber}, milliseconds(1000)}}};
        case Feedback::capture_good:
            // One short beep, green flickers twice, then back to the state.
            return {{{{green, buzzer}, milliseconds(100)},
                     {{}, milliseconds(100)},
                     {{green}, milliseconds(100)},
                     {{}, milliseconds(100)}},
                    {}};
        case Feedback::capture_warning:
            // Two beeps, then amber blinks fast for about two seconds: retake advised.
            return {joined(blinks({amber, buzzer}, milliseconds(200), milliseconds(100), 2),
                           blinks({amber}, milliseconds(150), milliseconds(150), 5)),
                    {}};
        case Feedback::error:
            // Three long beeps with red, then steady red until the error is cleared.
            return {{{{red, buzzer}, milliseconds(500)},
                     {{red}, milliseconds(250)},
                     {{red, buzzer}, milliseconds(500)},
                     {{red}, milliseconds(250)},
                     {{red, buzzer}, milliseconds(500)}},
                    {{{red}, milliseconds(1000)}}};
        case Feedback::uploading: return {{}, blinks({green}, milliseconds(500), milliseconds(500), 1)};
        case Feedback::disk_nearly_full:
            // One long beep, then amber and red take turns.
            return {{{{red, buzzer}, milliseconds(1000)}}, {{{amber}, milliseconds(500)}, {{red}, milliseconds(500)}}};
        case Feedback::hold_longer:
            // Three quick chirps with amber: nothing happened, hold the button longer.
            return {blinks({amber, buzzer}, milliseconds(60), milliseconds(60), 3), {}};
    }
    return {};
}

}  // namespace digikit::hardware
