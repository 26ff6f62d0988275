#include "key_event_decoder.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "button_event_printer.hpp"
#include "digikit/hardware/key_map.hpp"

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;
using TimePoint = KeyEventDecoder::TimePoint;

constexpr long base_seconds = 5000;  // recorded times: seconds since boot

// One recorded input event, `ms` after the start of the recording.
input_event event(int ms, unsigned short type, unsigned short code, int value)
{
    input_event recorded{};
    recorded.input_event_sec = base_seconds + ms / 1000;
    recorded.input_event_usec = (ms % 1000) * 1000;
    recorded.type = type;
    recorded.code = code;
    recorded.value = value;
    return recorded;
}

TimePoint at(int ms)
{
    return TimePoint(std::chrono::seconds(base_seconds) + std::chrono::milliseconds(ms));
}

// A key stroke as a USB keyboard or pedal reports it: the HID scan code, the key, a report.
std::vector<input_event> stroke(int ms, unsigned short key, int value)
{
    return {event(ms, EV_MSC, MSC_SCAN, 0x70005), event(ms, EV_KEY, key, value), event(ms, EV_SYN, SYN_REPORT, 0)};
}

struct Replayed {
    input_event event;
    bool resync;
};

std::vector<ButtonEvent> replay(KeyEventDecoder& decoder, const std::vector<Replayed>& recording)
{
    std::vector<ButtonEvent> events;
    for (const auto& [recorded, resync] : recording) {
        auto out = decoder.decode(recorded, resync);
        events.insert(events.end(), out.begin(), out.end());
    }
    return events;
}

std::vector<Replayed> live(const std::vector<std::vector<input_event>>& strokes)
{
    std::vector<Replayed> recording;
    for (const auto& events : strokes) {
        for (const auto& recorded : events) recording.push_back({recorded, false});
    }
    return recording;
}

KeyMap pedal_keys()
{
    return KeyMap::parse({{"capture", {"KEY_B"}}, {"retake", {"KEY_A", "30"}}, {"end-book", {"KEY_C"}}});
}

TEST(KeyMap, ParsesNamesAndCodes)
{
    const KeyMap keys = pedal_keys();
    EXPECT_EQ(keys.button_for(KEY_B), Button::capture);
    EXPECT_EQ(keys.button_for(KEY_A), Button::retake);  // KEY_A is 30: given twice to the same button
    EXPECT_EQ(keys.button_for(KEY_C), Button::end_book);
    EXPECT_FALSE(keys.button_for(KEY_D).has_value());
    EXPECT_EQ(keys.codes().size(), 3U);
}

TEST(KeyMap, RejectsUnknownKeysButtonsAndDoubleUse)
{
    try {
        (void)KeyMap::parse({{"capture", {"KEY_NO_SUCH_KEY"}}});
        FAIL() << "an unknown key name was accepted";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("KEY_NO_SUCH_KEY"), std::string::npos) << error.what();
    }
    EXPECT_THROW((void)KeyMap::parse({{"shutter", {"KEY_B"}}}), std::invalid_argument);
    EXPECT_THROW((void)KeyMap::parse({{"capture", {"KEY_B"}}, {"sync", {"KEY_B"}}}), std::invalid_argument);
    EXPECT_THROW((void)KeyMap::parse({{"capture", {"99999"}}}), std::invalid_argument);
}

TEST(KeyMap, DefaultsSuitPageTurnerPedals)
{
    const KeyMap keys = KeyMap::defaults();
    EXPECT_EQ(keys.button_for(KEY_PAGEDOWN), Button::capture);
    EXPECT_EQ(keys.button_for(KEY_PAGEUP), Button::retake);
    EXPECT_EQ(keys.button_for(KEY_E), Button::end_book);
    EXPECT_EQ(key_name(KEY_PAGEDOWN), "KEY_PAGEDOWN");
}

TEST(KeyEventDecoder, TurnsAPedalStrokeIntoOnePressDespiteAutoRepeat)
{
    KeyEventDecoder decoder(pedal_keys(), {});
    // Held for a second: the keyboard's auto-repeat (value 2) must not capture again.
    const auto events = replay(decoder, live({stroke(0, KEY_B, 1), stroke(500, KEY_B, 2), stroke(533, KEY_B, 2),
                                              stroke(566, KEY_B, 2), stroke(1000, KEY_B, 0)}));
    EXPECT_EQ(events, (std::vector<ButtonEvent>{{Button::capture, ButtonEventKind::pressed, at(0)}}));
}

TEST(KeyEventDecoder, IgnoresUnmappedKeysAndOtherEvents)
{
    KeyEventDecoder decoder(pedal_keys(), {});
    const auto events = replay(decoder, live({stroke(0, KEY_Z, 1),
                                              stroke(50, KEY_Z, 0),
                                              {event(60, EV_REL, REL_X, 5), event(60, EV_SYN, SYN_REPORT, 0)}}));
    EXPECT_TRUE(events.empty());
}

TEST(KeyEventDecoder, KeepsDistinctStrokesAndLongPressRules)
{
    KeyEventDecoder decoder(pedal_keys(), {});
    auto events =
        replay(decoder, live({stroke(0, KEY_B, 1), stroke(120, KEY_B, 0), stroke(300, KEY_A, 1), stroke(380, KEY_A, 0),
                              stroke(1000, KEY_C, 1), stroke(1400, KEY_C, 0), stroke(2000, KEY_C, 1)}));
    const auto held = decoder.advance(at(3600));
    events.insert(events.end(), held.begin(), held.end());
    EXPECT_EQ(events, (std::vector<ButtonEvent>{{Button::capture, ButtonEventKind::pressed, at(0)},
                                                {Button::retake, ButtonEventKind::pressed, at(300)},
                                                {Button::end_book, ButtonEventKind::held_too_briefly, at(1400)},
                                                {Button::end_book, ButtonEventKind::pressed, at(3500)}}));
}

TEST(KeyEventDecoder, TwoKeysOfOneButtonMakeOneLevel)
{
    KeyEventDecoder decoder(KeyMap::defaults(), {});
    // Page Down goes down, Right joins, Page Down lets go while Right is still held.
    auto events = replay(decoder, live({stroke(0, KEY_PAGEDOWN, 1), stroke(100, KEY_RIGHT, 1),
                                        stroke(200, KEY_PAGEDOWN, 0), stroke(300, KEY_PAGEDOWN, 1)}));
    EXPECT_EQ(events, (std::vector<ButtonEvent>{{Button::capture, ButtonEventKind::pressed, at(0)}}));
}

TEST(KeyEventDecoder, ResynchronisesAfterSynDropped)
{
    KeyEventDecoder decoder(pedal_keys(), {});
    // Recorded as libevdev hands it over: Capture goes down; the kernel buffer overflows
    // (its release and a new press are lost); libevdev reports SYN_DROPPED and then the
    // state difference (Capture up) with the sync flag; then the stream goes on live.
    std::vector<Replayed> recording = live({stroke(0, KEY_B, 1)});
    recording.push_back({event(400, EV_SYN, SYN_DROPPED, 0), false});
    recording.push_back({event(400, EV_KEY, KEY_B, 0), true});
    recording.push_back({event(400, EV_SYN, SYN_REPORT, 0), true});
    for (const auto& live_event : stroke(600, KEY_B, 1)) recording.push_back({live_event, false});
    EXPECT_EQ(replay(decoder, recording),
              (std::vector<ButtonEvent>{{Button::capture, ButtonEventKind::pressed, at(0)},
                                        {Button::capture, ButtonEventKind::pressed, at(600)}}));
}

TEST(KeyEventDecoder, ResyncRevealingAHeldEndBookTimesItAgain)
{
    KeyEventDecoder decoder(pedal_keys(), {});
    std::vector<Replayed> recording = live({stroke(0, KEY_C, 1)});
    recording.push_back({event(1000, EV_SYN, SYN_DROPPED, 0), false});
    recording.push_back({event(1000, EV_KEY, KEY_C, 1), true});
    EXPECT_TRUE(replay(decoder, recording).empty());
    EXPECT_TRUE(decoder.advance(at(2499)).empty());
    EXPECT_EQ(decoder.advance(at(2500)),
              (std::vector<ButtonEvent>{{Button::end_book, ButtonEventKind::pressed, at(2500)}}));
}

TEST(KeyEventDecoder, AnUnpluggedDeviceReleasesWithoutActing)
{
    KeyEventDecoder decoder(pedal_keys(), {});
    EXPECT_TRUE(replay(decoder, live({stroke(0, KEY_C, 1)})).empty());
    EXPECT_TRUE(decoder.release_all(at(700)).empty());
    EXPECT_TRUE(decoder.advance(at(5000)).empty());
    // Plugged back, a fresh stroke counts.
    EXPECT_EQ(replay(decoder, live({stroke(6000, KEY_B, 1)})),
              (std::vector<ButtonEvent>{{Button::capture, ButtonEventKind::pressed, at(6000)}}));
}

}  // namespace
}  // namespace digikit::hardware
