#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "config.hpp"
#include "digikit/hardware/button.hpp"
#include "digikit/hardware/button_source.hpp"
#include "digikit/hardware/clock.hpp"
#include "digikit/hardware/feedback_player.hpp"
#include "digikit/hardware/indicator.hpp"
#include "kit_state_machine.hpp"

namespace digikit::firmware {

// The kit's physical buttons, LEDs and buzzer, as the configuration wires them. Without
// any configured, it is empty and the control socket is the only way in.
class OperatorPanel {
public:
    // Throws ConfigError (one line, naming the chip, line or device) when wired hardware
    // cannot be opened.
    explicit OperatorPanel(const Config& config);
    OperatorPanel(const OperatorPanel&) = delete;
    OperatorPanel& operator=(const OperatorPanel&) = delete;
    ~OperatorPanel();

    // `on_press` runs on the buttons' reader threads: it must only hand the press on.
    void start(const std::function<void(hardware::Button)>& on_press);
    // Stops the buttons (before whatever `on_press` reaches goes away).
    void stop();
    void show(Feedback signal);
    [[nodiscard]] std::vector<std::string> describe() const;

private:
    std::vector<std::unique_ptr<hardware::ButtonSource>> sources_;
    hardware::SteadyClock clock_;
    std::unique_ptr<hardware::Indicator> indicator_;
    std::unique_ptr<hardware::FeedbackPlayer> player_;
};

}  // namespace digikit::firmware
