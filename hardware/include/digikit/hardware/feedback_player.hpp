#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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
    void run();
    void apply(Levels levels, bool all);

    Indicator& indicator_;
    Clock& clock_;
    ProblemHandler on_problem_;

    std::mutex mutex_;
    std::condition_variable wakeup_;
    std::optional<Feedback> background_;
    std::optional<Feedback> playing_;
    bool restart_ = false;
    bool resume_ = false;  // back to the background after a notice: its loop, not its intro
    bool stopping_ = false;
    Levels shown_;
    std::array<bool, output_count> failed_{};
    std::thread thread_;
};

}  // namespace digikit::hardware
