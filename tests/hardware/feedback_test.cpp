#include "digikit/hardware/feedback.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;

constexpr Output G = Output::green;
constexpr Output A = Output::amber;
constexpr Output R = Output::red;
constexpr Output B = Output::buzzer;

// What a deaf operator, or one in a noisy reading room, still sees.
FeedbackPattern without_buzzer(FeedbackPattern pattern)
{
    for (auto* frames : {&pattern.intro, &pattern.loop}) {
        for (auto& frame : *frames) frame.levels.set(Output::buzzer, false);
    }
    return pattern;
}

bool uses(const std::vector<Frame>& frames, Output output)
{
    for (const auto& frame : frames) {
        if (frame.levels.on(output)) return true;
    }
    return false;
}

TEST(FeedbackPatterns, EveryFeedbackHasItsOwnPatternEvenWithoutTheBuzzer)
{
    for (const Feedback first : all_feedback) {
        for (const Feedback second : all_feedback) {
            if (first == second) continue;
            EXPECT_NE(pattern_for(first), pattern_for(second)) << to_string(first) << " vs " << to_string(second);
            EXPECT_NE(without_buzzer(pattern_for(first)), without_buzzer(pattern_for(second)))
                << to_string(first) << " vs " << to_string(second) << " with the buzzer muted";
        }
    }
}

TEST(FeedbackPatterns, AreWellFormed)
{
    std::set<std::string> names;
    for (const Feedback feedback : all_feedback) {
        const auto pattern = pattern_for(feedback);
        names.insert(std::string(to_string(feedback)));
        EXPECT_FALSE(pattern.intro.empty() && pattern.loop.empty()) << to_string(feedback);
        for (const auto* frames : {&pattern.intro, &pattern.loop}) {
            for (const auto& frame : *frames) EXPECT_GT(frame.duration, 0ms) << to_string(feedback);
        }
    }
    EXPECT_EQ(names.size(), all_feedback.size());
}

TEST(FeedbackPatterns, StatesLastAndNoticesEnd)
{
    for (const Feedback state :
         {Feedback::ready, Feedback::busy, Feedback::error, Feedback::uploading, Feedback::disk_nearly_full}) {
        EXPECT_TRUE(pattern_for(state).repeats()) << to_string(state);
        // A lasting state never beeps on and on.
        EXPECT_FALSE(uses(pattern_for(state).loop, Output::buzzer)) << to_string(state);
    }
    for (const Feedback notice : {Feedback::capture_good, Feedback::capture_warning, Feedback::hold_longer}) {
        EXPECT_FALSE(pattern_for(notice).repeats()) << to_string(notice);
    }
}

TEST(FeedbackPatterns, VerdictsAndTroubleAreHeard)
{
    for (const Feedback feedback : {Feedback::capture_good, Feedback::capture_warning, Feedback::error,
                                    Feedback::disk_nearly_full, Feedback::hold_longer}) {
        EXPECT_TRUE(uses(pattern_for(feedback).intro, Output::buzzer)) << to_string(feedback);
    }
    for (const Feedback quiet : {Feedback::ready, Feedback::busy, Feedback::uploading}) {
        EXPECT_FALSE(uses(pattern_for(quiet).intro, Output::buzzer)) << to_string(quiet);
    }
    // A good capture beeps less than a warned one, so the ear alone tells them apart.
    const auto beep_time = [](const FeedbackPattern& pattern) {
        std::chrono::milliseconds total{};
        for (const auto& frame : pattern.intro) {
            if (frame.levels.on(Output::buzzer)) total += frame.duration;
        }
        return total;
    };
    EXPECT_LT(beep_time(pattern_for(Feedback::capture_good)), beep_time(pattern_for(Feedback::capture_warning)));
}

TEST(FeedbackPatterns, TroubleShowsRedAndOnlyTroubleDoes)
{
    EXPECT_TRUE(uses(pattern_for(Feedback::error).loop, Output::red));
    EXPECT_TRUE(uses(pattern_for(Feedback::disk_nearly_full).loop, Output::red));
    for (const Feedback fine : {Feedback::ready, Feedback::busy, Feedback::capture_good, Feedback::capture_warning,
                                Feedback::uploading, Feedback::hold_longer}) {
        const auto pattern = pattern_for(fine);
        EXPECT_FALSE(uses(pattern.intro, Output::red) || uses(pattern.loop, Output::red)) << to_string(fine);
    }
}

// A pattern built by hand: 100 ms green, 50 ms dark, then red 200 ms / amber 100 ms forever.
FeedbackPattern sample()
{
    return {{{{G}, 100ms}, {{}, 50ms}}, {{{R}, 200ms}, {{A}, 100ms}}};
}

TEST(FeedbackPattern, GivesTheLevelsAtAnyTime)
{
    const auto pattern = sample();
    EXPECT_EQ(pattern.levels_at(0ms), Levels{G});
    EXPECT_EQ(pattern.levels_at(99ms), Levels{G});
    EXPECT_EQ(pattern.levels_at(100ms), Levels{});
    EXPECT_EQ(pattern.levels_at(150ms), Levels{R});
    EXPECT_EQ(pattern.levels_at(349ms), Levels{R});
    EXPECT_EQ(pattern.levels_at(350ms), Levels{A});
    EXPECT_EQ(pattern.levels_at(450ms), Levels{R});  // the loop came round
    EXPECT_EQ(pattern.levels_at(3150ms + 250ms), Levels{A});
}

TEST(FeedbackPattern, GivesTheNextChange)
{
    const auto pattern = sample();
    EXPECT_EQ(pattern.next_change_after(0ms), 100ms);
    EXPECT_EQ(pattern.next_change_after(100ms), 150ms);
    EXPECT_EQ(pattern.next_change_after(150ms), 350ms);
    EXPECT_EQ(pattern.next_change_after(400ms), 450ms);
    EXPECT_EQ(pattern.next_change_after(460ms), 650ms);
    EXPECT_EQ(pattern.next_change_after(3150ms), 3350ms);
}

TEST(FeedbackPattern, AOneShotEndsDark)
{
    const FeedbackPattern beep{{{{B, G}, 80ms}, {{}, 20ms}}, {}};
    EXPECT_EQ(beep.levels_at(79ms), (Levels{B, G}));
    EXPECT_EQ(beep.next_change_after(80ms), 100ms);
    EXPECT_FALSE(beep.next_change_after(100ms).has_value());
    EXPECT_EQ(beep.levels_at(100ms), Levels{});
    EXPECT_EQ(beep.levels_at(10s), Levels{});
}

}  // namespace
}  // namespace digikit::hardware
