#include "digikit/hardware/feedback_player.hpp"

#include <array>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace digikit::hardware {

class FeedbackPlayer::Player {
public:
    Player(Indicator& indicator, Clock& clock, ProblemHandler on_problem)
        : indicator_(indicator), clock_(clock), on_problem_(std::move(on_problem))
    {
        thread_ = std::thread([this] { run(); });
    }
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    ~Player()
    {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wakeup_.notify_all();
        thread_.join();
    }

    void show(Feedback feedback)
    {
        {
            const std::lock_guard lock(mutex_);
            const bool lasting = pattern_for(feedback).repeats();
            if (lasting && playing_ == feedback) return;
            if (lasting) background_ = feedback;
            playing_ = feedback;
            restart_ = true;
            resume_ = false;
        }
        wakeup_.notify_all();
    }

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

FeedbackPlayer::FeedbackPlayer(Indicator& indicator, Clock& clock, ProblemHandler on_problem)
    : player_(std::make_unique<Player>(indicator, clock, std::move(on_problem)))
{
}

FeedbackPlayer::~FeedbackPlayer() = default;

void FeedbackPlayer::show(Feedback feedback)
{
    player_->show(feedback);
}

void FeedbackPlayer::Player::run()
{
    std::unique_lock lock(mutex_);
    apply(Levels{}, true);  // the outputs' state before we started is unknown
    FeedbackPattern pattern;
    Clock::TimePoint start{};
    while (!stopping_) {
        if (restart_) {
            restart_ = false;
            pattern = playing_ ? pattern_for(*playing_) : FeedbackPattern{};
            start = clock_.now();
            if (resume_) start -= pattern.intro_length();
            resume_ = false;
        }
        const auto elapsed = clock_.now() - start;
        apply(pattern.levels_at(elapsed), false);
        const auto next_change = pattern.next_change_after(elapsed);
        if (!next_change && playing_ && playing_ != background_) {
            playing_ = background_;  // a one-shot notice ended: back to the lasting state
            restart_ = true;
            resume_ = true;
            continue;
        }
        clock_.wait_until(lock, wakeup_, next_change ? start + *next_change : Clock::TimePoint::max());
    }
    apply(Levels{}, true);
}

// Sets the outputs that differ from what is shown. A failing output is reported once
// and retried at the next change, so that a loose LED does not silence the others.
void FeedbackPlayer::Player::apply(Levels levels, bool all)
{
    for (const Output output : all_outputs) {
        const auto index = static_cast<std::size_t>(output);
        if (!all && levels.on(output) == shown_.on(output)) continue;
        try {
            indicator_.set(output, levels.on(output));
            shown_.set(output, levels.on(output));
        } catch (const std::exception& problem) {
            if (!failed_.at(index) && on_problem_) on_problem_(problem.what());
            failed_.at(index) = true;
        }
    }
}

}  // namespace digikit::hardware
