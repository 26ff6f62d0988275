#include "digikit/hardware/button_debouncer.hpp"

#include "button_event_printer.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;
using TimePoint = ButtonDebouncer::TimePoint;

const TimePoint t0 = TimePoint(1000s);  // any point of the monotonic clock

TimePoint at(std::chrono::milliseconds offset)
{
    return t0 + offset;
}

ButtonEvent pressed(Button button, std::chrono::milliseconds offset)
{
    return {button, ButtonEventKind::pressed, at(offset)};
}

ButtonEvent too_brief(Button button, std::chrono::milliseconds offset)
{
    return {button, ButtonEventKind::held_too_briefly, at(offset)};
}

// A recorded sequence of raw levels: (ms since t0, down?) for one button.
using Recording = std::vector<std::pair<int, bool>>;

// Replays `recording` and then lets time run to `until_ms`, collecting every event.
std::vector<ButtonEvent> replay(ButtonDebouncer& debouncer, Button button, const Recording& recording, int until_ms)
{
    std::vector<ButtonEvent> events;
    for (const auto& [ms, down] : recording) {
        auto out = debouncer.edge(button, down, at(std::chrono::milliseconds(ms)));
        events.insert(events.end(), out.begin(), out.end());
    }
    auto rest = debouncer.advance(at(std::chrono::milliseconds(until_ms)));
    events.insert(events.end(), rest.begin(), rest.end());
    return events;
}

TEST(ButtonDebouncer, CollapsesABounceBurstIntoOnePressAtItsFirstEdge)
{
    ButtonDebouncer debouncer;
    // A real tactile switch: 9 ms of chatter going down, 5 ms coming up.
    const Recording recording{{0, true},    {2, false},  {3, true},    {6, false},  {9, true},
                              {300, false}, {302, true}, {303, false}, {305, true}, {305, false}};
    EXPECT_EQ(replay(debouncer, Button::capture, recording, 1000), (std::vector{pressed(Button::capture, 0ms)}));
    EXPECT_FALSE(debouncer.next_deadline().has_value());
}

TEST(ButtonDebouncer, KeepsTwoQuickDistinctPressesAsTwo)
{
    ButtonDebouncer debouncer;
    const Recording recording{{0, true}, {80, false}, {150, true}, {151, false}, {152, true}, {230, false}};
    EXPECT_EQ(replay(debouncer, Button::capture, recording, 1000),
              (std::vector{pressed(Button::capture, 0ms), pressed(Button::capture, 150ms)}));
}

TEST(ButtonDebouncer, SettlesAReleaseInsideTheWindowWhenTheWindowCloses)
{
    ButtonDebouncer debouncer;
    EXPECT_EQ(debouncer.edge(Button::retake, true, at(0ms)), (std::vector{pressed(Button::retake, 0ms)}));
    EXPECT_TRUE(debouncer.edge(Button::retake, false, at(10ms)).empty());
    ASSERT_TRUE(debouncer.next_deadline().has_value());
    EXPECT_EQ(*debouncer.next_deadline(), at(30ms));
    EXPECT_TRUE(debouncer.advance(at(30ms)).empty());
    // The release taken at 30 ms opened a new window: a press at 40 ms counts when it closes.
    EXPECT_TRUE(debouncer.edge(Button::retake, true, at(40ms)).empty());
    EXPECT_EQ(debouncer.advance(at(60ms)), (std::vector{pressed(Button::retake, 60ms)}));
}

TEST(ButtonDebouncer, HonoursAConfiguredWindow)
{
    const Recording recording{{0, true}, {50, false}, {90, true}};
    ButtonDebouncer default_window;
    EXPECT_EQ(replay(default_window, Button::capture, recording, 1000).size(), 2U);
    DebounceSettings wide;
    wide.window = 100ms;
    ButtonDebouncer wide_window(wide);
    EXPECT_EQ(replay(wide_window, Button::capture, recording, 1000), (std::vector{pressed(Button::capture, 0ms)}));
}

TEST(ButtonDebouncer, ActsOnEndBookOnlyOnceHeldLongEnough)
{
    ButtonDebouncer debouncer;
    EXPECT_TRUE(debouncer.edge(Button::end_book, true, at(0ms)).empty());
    EXPECT_EQ(debouncer.next_deadline(), at(1500ms));
    EXPECT_TRUE(debouncer.advance(at(1499ms)).empty());
    // Fired while still held, so the operator hears it without letting go first.
    EXPECT_EQ(debouncer.advance(at(1500ms)), (std::vector{pressed(Button::end_book, 1500ms)}));
    EXPECT_TRUE(debouncer.edge(Button::end_book, false, at(2500ms)).empty());
    EXPECT_TRUE(debouncer.advance(at(5000ms)).empty());
}

TEST(ButtonDebouncer, AsksToHoldLongerWhenEndBookIsLetGoEarly)
{
    ButtonDebouncer debouncer;
    const Recording recording{{0, true}, {3, false}, {5, true}, {800, false}, {802, true}, {804, false}};
    EXPECT_EQ(replay(debouncer, Button::end_book, recording, 5000), (std::vector{too_brief(Button::end_book, 800ms)}));
}

TEST(ButtonDebouncer, DoesNotRestartTheHoldOnContactBounce)
{
    ButtonDebouncer debouncer;
    const Recording recording{{0, true}, {5, false}, {8, true}};
    EXPECT_EQ(replay(debouncer, Button::end_book, recording, 1500), (std::vector{pressed(Button::end_book, 1500ms)}));
}

TEST(ButtonDebouncer, HonoursAConfiguredLongPressAndButtons)
{
    DebounceSettings settings;
    settings.long_press = 3000ms;
    settings.long_press_buttons = {Button::new_book};
    ButtonDebouncer debouncer(settings);
    EXPECT_TRUE(debouncer.edge(Button::new_book, true, at(0ms)).empty());
    EXPECT_TRUE(debouncer.advance(at(2999ms)).empty());
    EXPECT_EQ(debouncer.advance(at(3000ms)), (std::vector{pressed(Button::new_book, 3000ms)}));
    // End book is no long-press button in this configuration.
    EXPECT_EQ(debouncer.edge(Button::end_book, true, at(4000ms)), (std::vector{pressed(Button::end_book, 4000ms)}));
}

TEST(ButtonDebouncer, ReportsEventsInTimeOrderAcrossButtons)
{
    ButtonDebouncer debouncer;
    EXPECT_TRUE(debouncer.edge(Button::end_book, true, at(0ms)).empty());
    // The End book hold fell due before this Capture edge arrived.
    EXPECT_EQ(debouncer.edge(Button::capture, true, at(1600ms)),
              (std::vector{pressed(Button::end_book, 1500ms), pressed(Button::capture, 1600ms)}));
}

TEST(ButtonDebouncer, ResyncDoesNotInventAPressForAStillHeldButton)
{
    ButtonDebouncer debouncer;
    EXPECT_EQ(debouncer.edge(Button::capture, true, at(0ms)).size(), 1U);
    // Events dropped; the device says Capture is down, as it was: nothing new can be told.
    EXPECT_TRUE(debouncer.resync(Button::capture, true, at(500ms)).empty());
    EXPECT_TRUE(debouncer.resync(Button::capture, false, at(600ms)).empty());
    EXPECT_EQ(debouncer.edge(Button::capture, true, at(700ms)), (std::vector{pressed(Button::capture, 700ms)}));
}

TEST(ButtonDebouncer, ResyncActsOnAPressWhoseEdgeWasLost)
{
    ButtonDebouncer debouncer;
    EXPECT_EQ(debouncer.resync(Button::sync, true, at(100ms)), (std::vector{pressed(Button::sync, 100ms)}));
}

TEST(ButtonDebouncer, ResyncTimesAHeldEndBookAgain)
{
    ButtonDebouncer debouncer;
    EXPECT_TRUE(debouncer.edge(Button::end_book, true, at(0ms)).empty());
    // A release and a new press may hide in the dropped events: the hold counts from now.
    EXPECT_TRUE(debouncer.resync(Button::end_book, true, at(1000ms)).empty());
    EXPECT_TRUE(debouncer.advance(at(2499ms)).empty());
    EXPECT_EQ(debouncer.advance(at(2500ms)), (std::vector{pressed(Button::end_book, 2500ms)}));
}

TEST(ButtonDebouncer, ResyncReleaseOfEndBookNeitherActsNorHints)
{
    ButtonDebouncer debouncer;
    EXPECT_TRUE(debouncer.edge(Button::end_book, true, at(0ms)).empty());
    EXPECT_TRUE(debouncer.resync(Button::end_book, false, at(1000ms)).empty());
    EXPECT_TRUE(debouncer.advance(at(5000ms)).empty());
    EXPECT_FALSE(debouncer.next_deadline().has_value());
}

TEST(ButtonDebouncer, HasNoDeadlineWhenIdle)
{
    ButtonDebouncer debouncer;
    EXPECT_FALSE(debouncer.next_deadline().has_value());
    EXPECT_EQ(debouncer.edge(Button::capture, true, at(0ms)).size(), 1U);
    EXPECT_FALSE(debouncer.next_deadline().has_value());  // nothing pending: the level is settled
}

}  // namespace
}  // namespace digikit::hardware
