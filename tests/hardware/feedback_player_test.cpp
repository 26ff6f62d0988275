#include "digikit/hardware/feedback_player.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "recording_indicator.hpp"
#include "virtual_clock.hpp"

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;
using testing::RecordingIndicator;
using testing::VirtualClock;
using Change = RecordingIndicator::Change;

const Clock::TimePoint t0 = Clock::TimePoint(100s);

// The changes a pattern's frames make from `before`, worked out independently of
// FeedbackPattern's own arithmetic.
std::vector<Change> changes_of(const std::vector<Frame>& frames, Clock::TimePoint start, Levels& before)
{
    std::vector<Change> changes;
    Clock::TimePoint at = start;
    for (const auto& frame : frames) {
        for (const Output output : all_outputs) {
            if (frame.levels.on(output) != before.on(output)) changes.push_back({at, output, frame.levels.on(output)});
        }
        before = frame.levels;
        at += frame.duration;
    }
    return changes;
}

void append(std::vector<Change>& to, const std::vector<Change>& more)
{
    to.insert(to.end(), more.begin(), more.end());
}

// The recorded changes after `from` (the changes at start-up are checked on their own).
std::vector<Change> since(RecordingIndicator& indicator, std::size_t from)
{
    auto changes = indicator.changes();
    return {changes.begin() + static_cast<std::ptrdiff_t>(std::min(from, changes.size())), changes.end()};
}

struct PlayerRig {
    VirtualClock clock{t0};
    RecordingIndicator indicator{clock};
    std::unique_ptr<FeedbackPlayer> player;

    PlayerRig() { start(); }

    void start()
    {
        const int parks = clock.parks();
        player = std::make_unique<FeedbackPlayer>(indicator, clock);
        EXPECT_TRUE(clock.wait_parked_after(parks));
    }

    // Shows `feedback` at the current virtual time and lets `span` of virtual time pass.
    void show(Feedback feedback, std::chrono::milliseconds span)
    {
        const int parks = clock.parks();
        clock.set_horizon(clock.now() + span);
        player->show(feedback);
        ASSERT_TRUE(clock.wait_parked_after(parks)) << "the player did not settle";
    }
};

TEST(FeedbackPlayer, StartsWithEverythingOff)
{
    PlayerRig rig;
    std::vector<Change> expected;
    for (const Output output : all_outputs) expected.push_back({t0, output, false});
    EXPECT_EQ(rig.indicator.changes(), expected);
}

TEST(FeedbackPlayer, ShowsASteadyState)
{
    PlayerRig rig;
    rig.show(Feedback::ready, 5s);
    EXPECT_EQ(since(rig.indicator, all_outputs.size()), (std::vector<Change>{{t0, Output::green, true}}));
}

TEST(FeedbackPlayer, RepeatsALoopUntilReplaced)
{
    PlayerRig rig;
    rig.show(Feedback::uploading, 3200ms);
    Levels levels;
    std::vector<Change> expected;
    const auto loop = pattern_for(Feedback::uploading).loop;
    Clock::TimePoint cycle = t0;
    while (cycle < t0 + 3200ms) {
        append(expected, changes_of(loop, cycle, levels));
        for (const auto& frame : loop) cycle += frame.duration;
    }
    std::erase_if(expected, [](const Change& change) { return change.at > t0 + 3200ms; });
    EXPECT_GE(expected.size(), 6U);  // it did blink
    EXPECT_EQ(since(rig.indicator, all_outputs.size()), expected);
}

TEST(FeedbackPlayer, PlaysANoticeOverTheStateAndGoesBackToIt)
{
    PlayerRig rig;
    rig.show(Feedback::ready, 1s);
    const auto notice_start = rig.clock.now();
    const std::size_t before = rig.indicator.changes().size();
    rig.show(Feedback::capture_warning, 10s);

    Levels levels{Output::green};  // ready was showing
    const auto intro = pattern_for(Feedback::capture_warning).intro;
    std::vector<Change> expected = changes_of(intro, notice_start, levels);
    Clock::TimePoint end = notice_start;
    for (const auto& frame : intro) end += frame.duration;
    append(expected, changes_of(pattern_for(Feedback::ready).loop, end, levels));
    EXPECT_EQ(since(rig.indicator, before), expected);
}

TEST(FeedbackPlayer, ResumesAStateWithoutReplayingItsIntro)
{
    PlayerRig rig;
    rig.show(Feedback::error, 5s);  // three beeps, then steady red
    const auto notice_start = rig.clock.now();
    const std::size_t before = rig.indicator.changes().size();
    rig.show(Feedback::capture_good, 5s);
    const auto changes = since(rig.indicator, before);
    Clock::TimePoint notice_end = notice_start;
    for (const auto& frame : pattern_for(Feedback::capture_good).intro) notice_end += frame.duration;
    for (const auto& change : changes) {
        EXPECT_FALSE(change.output == Output::buzzer && change.on && change.at >= notice_end)
            << "the error beeped again when it resumed";
    }
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.back(), (Change{notice_end, Output::red, true}));
}

TEST(FeedbackPlayer, ShowingTheSameStateAgainChangesNothing)
{
    PlayerRig rig;
    rig.show(Feedback::error, 5s);
    const std::size_t before = rig.indicator.changes().size();
    const int parks = rig.clock.parks();
    rig.player->show(Feedback::error);
    // Restarted, the player would wake, beep and park again at once.
    EXPECT_FALSE(rig.clock.wait_parked_after(parks, 300ms));
    EXPECT_EQ(rig.indicator.changes().size(), before);
}

TEST(FeedbackPlayer, ANewFeedbackInterruptsTheOnePlaying)
{
    PlayerRig rig;
    rig.show(Feedback::error, 600ms);  // in the first long beep
    const auto now = rig.clock.now();
    const std::size_t before = rig.indicator.changes().size();
    rig.show(Feedback::busy, 5s);
    const auto changes = since(rig.indicator, before);
    std::map<Output, bool> last;
    for (const auto& change : changes) {
        EXPECT_EQ(change.at, now);  // everything switched at once, nothing of the error replayed
        last[change.output] = change.on;
    }
    EXPECT_TRUE(last[Output::amber]);
    EXPECT_FALSE(last[Output::red]);
}

TEST(FeedbackPlayer, TurnsEverythingOffWhenDestroyed)
{
    PlayerRig rig;
    rig.show(Feedback::error, 100ms);  // red and the buzzer on
    rig.player.reset();
    std::map<Output, bool> state;
    for (const auto& change : rig.indicator.changes()) state[change.output] = change.on;
    for (const Output output : all_outputs) EXPECT_FALSE(state[output]) << to_string(output);
}

TEST(FeedbackPlayer, ReportsABrokenOutputOnceAndDrivesTheOthers)
{
    VirtualClock clock{t0};
    RecordingIndicator indicator{clock, {Output::buzzer}};
    std::vector<std::string> problems;
    std::mutex problems_mutex;
    int parks = clock.parks();
    FeedbackPlayer player(indicator, clock, [&](const std::string& message) {
        const std::lock_guard lock(problems_mutex);
        problems.push_back(message);
    });
    ASSERT_TRUE(clock.wait_parked_after(parks));
    parks = clock.parks();
    clock.set_horizon(t0 + 5s);
    player.show(Feedback::error);
    ASSERT_TRUE(clock.wait_parked_after(parks));
    const std::lock_guard lock(problems_mutex);
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_NE(problems.front().find("buzzer"), std::string::npos) << problems.front();
    const auto changes = indicator.changes();
    EXPECT_TRUE(std::ranges::any_of(changes, [](const Change& c) { return c.output == Output::red && c.on; }));
}

}  // namespace
}  // namespace digikit::hardware
