#include "digikit/hardware/button_debouncer.hpp"

#include <algorithm>

namespace digikit::hardware {
namespace {

constexpr std::array all_buttons{Button::capture, Button::retake, Button::new_book, Button::end_book, Button::sync};

}  // namespace

ButtonDebouncer::ButtonDebouncer(DebounceSettings settings) : settings_(std::move(settings)) {}

ButtonDebouncer::Line& ButtonDebouncer::line(Button button)
{
    return lines_.at(static_cast<std::size_t>(button));
}

bool ButtonDebouncer::needs_long_press(Button button) const
{
    return std::ranges::find(settings_.long_press_buttons, button) != settings_.long_press_buttons.end();
}

std::vector<ButtonEvent> ButtonDebouncer::edge(Button button, bool down, TimePoint at)
{
    auto events = advance(at);
    Line& state = line(button);
    state.raw_down = down;
    if (at >= state.settle_until) settle(button, at, events);
    return events;
}

std::vector<ButtonEvent> ButtonDebouncer::resync(Button button, bool down, TimePoint at)
{
    auto events = advance(at);
    Line& state = line(button);
    if (state.stable_down && state.hold_due) {
        if (down) state.hold_due = at + settings_.long_press;  // a release may hide in the gap
        state.release_unseen = !down;
    }
    state.raw_down = down;
    if (at >= state.settle_until) settle(button, at, events);
    return events;
}

// Accepts the raw level as the stable one (if it differs) and opens a bounce window.
void ButtonDebouncer::settle(Button button, TimePoint at, std::vector<ButtonEvent>& events)
{
    Line& state = line(button);
    if (state.raw_down == state.stable_down) return;
    state.stable_down = state.raw_down;
    state.settle_until = at + settings_.window;
    if (state.stable_down) {
        if (needs_long_press(button)) {
            state.hold_due = at + settings_.long_press;
        } else {
            events.push_back({button, ButtonEventKind::pressed, at});
        }
        return;
    }
    if (state.hold_due && !state.release_unseen) events.push_back({button, ButtonEventKind::held_too_briefly, at});
    state.hold_due.reset();
    state.release_unseen = false;
}

std::optional<ButtonDebouncer::TimePoint> ButtonDebouncer::deadline_of(const Line& state) const
{
    std::optional<TimePoint> due = state.hold_due;
    if (state.raw_down != state.stable_down && (!due || state.settle_until < *due)) due = state.settle_until;
    return due;
}

std::vector<ButtonEvent> ButtonDebouncer::advance(TimePoint now)
{
    std::vector<ButtonEvent> events;
    // Earliest decision first, so that events come out in time order across buttons.
    for (;;) {
        std::optional<Button> next;
        TimePoint next_due{};
        for (const Button button : all_buttons) {
            const auto due = deadline_of(line(button));
            if (due && *due <= now && (!next || *due < next_due)) {
                next = button;
                next_due = *due;
            }
        }
        if (!next) return events;
        Line& state = line(*next);
        if (state.raw_down != state.stable_down && state.settle_until == next_due) {
            settle(*next, next_due, events);
        } else {
            events.push_back({*next, ButtonEventKind::pressed, next_due});
            state.hold_due.reset();
        }
    }
}

std::optional<ButtonDebouncer::TimePoint> ButtonDebouncer::next_deadline() const
{
    std::optional<TimePoint> earliest;
    for (const Line& state : lines_) {
        const auto due = deadline_of(state);
        if (due && (!earliest || *due < earliest)) earliest = due;
    }
    return earliest;
}

}  // namespace digikit::hardware
