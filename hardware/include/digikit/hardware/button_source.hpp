#pragma once

#include <functional>
#include <string>

#include "digikit/hardware/button_debouncer.hpp"

namespace digikit::hardware {

// Something the operator presses: GPIO buttons, a USB foot pedal or keypad.
// Handlers run on the source's own reader thread: keep them short (post to the daemon's loop).
class ButtonSource {
public:
    using EventHandler = std::function<void(const ButtonEvent&)>;
    using ProblemHandler = std::function<void(const std::string& message)>;

    ButtonSource() = default;
    ButtonSource(const ButtonSource&) = delete;
    ButtonSource& operator=(const ButtonSource&) = delete;
    virtual ~ButtonSource() = default;

    // Starts reading (once). `on_problem` hears about trouble the source recovers from
    // by itself, e.g. a foot pedal unplugged and waited for.
    virtual void start(EventHandler on_event, ProblemHandler on_problem = {}) = 0;
    // Stops reading and joins the thread; safe to call more than once.
    virtual void stop() = 0;
    // What it reads, for logs and `digikit devices`.
    [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace digikit::hardware
