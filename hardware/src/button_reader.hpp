#pragma once

#include <functional>
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

}  // namespace digikit::hardware
