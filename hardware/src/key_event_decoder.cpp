#include "key_event_decoder.hpp"

namespace digikit::hardware {

KeyEventDecoder::TimePoint event_time(const input_event& event)
{
    const auto since_boot =
        std::chrono::seconds(event.input_event_sec) + std::chrono::microseconds(event.input_event_usec);
    using TimePoint = KeyEventDecoder::TimePoint;
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(since_boot));
}

KeyEventDecoder::KeyEventDecoder(KeyMap keys, DebounceSettings settings)
    : keys_(std::move(keys)), debouncer_(std::move(settings))
{
}

std::vector<ButtonEvent> KeyEventDecoder::decode(const input_event& event, bool resync)
{
    const TimePoint at = event_time(event);
    if (event.type != EV_KEY) return debouncer_.advance(at);
    const auto button = keys_.button_for(event.code);
    // Value 2 is the keyboard's auto-repeat of a held key: not a new press.
    if (!button || event.value == 2) return debouncer_.advance(at);
    keys_down_[event.code] = event.value != 0;
    // Two keys may press the same button: it is down while any of them is.
    bool down = false;
    for (const auto& [code, is_down] : keys_down_) down = down || (is_down && keys_.button_for(code) == button);
    return resync ? debouncer_.resync(*button, down, at) : debouncer_.edge(*button, down, at);
}

std::vector<ButtonEvent> KeyEventDecoder::release_all(TimePoint at)
{
    auto events = debouncer_.advance(at);
    keys_down_.clear();
    for (const auto& [code, button] : keys_.codes()) {
        auto released = debouncer_.resync(button, false, at);
        events.insert(events.end(), released.begin(), released.end());
    }
    return events;
}

}  // namespace digikit::hardware
