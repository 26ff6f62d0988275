#pragma once

#include <functional>
#include <memory>
#include <string>

#include "digikit/hardware/clock.hpp"
#include "digikit/hardware/feedback.hpp"
#include "digikit/hardware/indicator.hpp"

namespace digikit::hardware {

// Plays feedback patterns on an Indicator from its own thread. A repeating pattern
// (ready, busy, ...) becomes the background; a one-shot (capture_good, capture_warning)
// plays over it and then the background resumes. Destroying the player turns all off.
class FeedbackPlayer {
public:
    using ProblemHandler = std::function<void(const std::string& message)>;

    // `indicator` and `clock` must outlive the player. A failing output is reported once
    // to `on_problem` (if given) and the pattern goes on with the other outputs.
    FeedbackPlayer(Indicator& indicator, Clock& clock, ProblemHandler on_problem = {});
    FeedbackPlayer(const FeedbackPlayer&) = delete;
    FeedbackPlayer& operator=(const FeedbackPlayer&) = delete;
    ~FeedbackPlayer();

    // Starts `feedback`'s pattern now, interrupting whatever was playing. Showing the
    // lasting state that is already showing changes nothing (an error does not beep again).
    void show(Feedback feedback);

private:
    class Player;  // the thread and the state it shares with show()
    std::unique_ptr<Player> player_;
};

}  // namespace digikit::hardware
