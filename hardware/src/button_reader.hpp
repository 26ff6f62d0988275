#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "digikit/hardware/button_source.hpp"
#include "wake_event.hpp"

namespace digikit::hardware {

// What every button source shares: the consumer's handlers, the reader thread, and the
// event that wakes that thread to stop. Each source gives the loop the thread runs; the
// loop polls wake_fd() beside its device and returns when it is readable.
// Declare it last in the source's state: it is destroyed first, so the thread has
// stopped before the state the loop reads goes away.
class ButtonReader {
public:
    explicit ButtonReader(std::string source_name);  // "GPIO button source", for errors
    ButtonReader(const ButtonReader&) = delete;
    ButtonReader& operator=(const ButtonReader&) = delete;
    ~ButtonReader();

    // Starts `loop` on the reader thread; a second start without stop() is a logic_error.
    void start(ButtonSource::EventHandler on_event, ButtonSource::ProblemHandler on_problem,
               std::function<void()> loop);
    // Wakes the loop and joins the thread; safe to call more than once.
    void stop();
    [[nodiscard]] int wake_fd() const { return wake_.fd(); }

    // Hands events to the consumer, each behind the barrier: a consumer that throws loses
    // that event (reported as a problem), not the reader thread.
    void deliver(const std::vector<ButtonEvent>& events) const;
    void problem(const std::string& message) const;

private:
    std::string source_name_;
    ButtonSource::EventHandler on_event_;
    ButtonSource::ProblemHandler on_problem_;
    WakeEvent wake_;
    std::thread thread_;
};

// A button source made of a State that owns its device (opened when the State is made
// from the settings, which may throw), a `ButtonReader reader` (declared last), the loop
// `run()` and `describe()`. The GPIO and evdev sources are each one State.
template <typename State>
class ReaderButtonSource final : public ButtonSource {
public:
    template <typename Settings>
    explicit ReaderButtonSource(Settings settings) : state_(std::make_unique<State>(std::move(settings)))
    {
    }
    ReaderButtonSource(const ReaderButtonSource&) = delete;
    ReaderButtonSource& operator=(const ReaderButtonSource&) = delete;
    ~ReaderButtonSource() override { stop(); }

    void start(EventHandler on_event, ProblemHandler on_problem) override
    {
        state_->reader.start(std::move(on_event), std::move(on_problem), [state = state_.get()] { state->run(); });
    }
    void stop() override { state_->reader.stop(); }
    [[nodiscard]] std::string describe() const override { return state_->describe(); }

private:
    std::unique_ptr<State> state_;
};

}  // namespace digikit::hardware
