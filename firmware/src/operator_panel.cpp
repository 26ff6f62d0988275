#include "operator_panel.hpp"

#include <spdlog/spdlog.h>

#include "digikit/hardware/evdev_button_source.hpp"
#include "digikit/hardware/gpio_button_source.hpp"

namespace digikit::firmware {
namespace {

hardware::DebounceSettings debounce_of(const Config::Buttons& buttons)
{
    hardware::DebounceSettings debounce;
    debounce.window = std::chrono::milliseconds(buttons.debounce_ms);
    debounce.long_press = std::chrono::milliseconds(buttons.long_press_ms);
    return debounce;
}

std::unique_ptr<hardware::Indicator> make_indicator(const Config::Feedback& feedback)
{
    if (feedback.leds == LedDriver::sysfs) {
        std::map<hardware::Output, std::filesystem::path> leds;
        for (const auto& [output, folder] : feedback.outputs) {
            if (output != hardware::Output::buzzer) leds[output] = folder;
        }
        return std::make_unique<hardware::SysfsLedIndicator>(leds);
    }
    std::map<hardware::Output, hardware::GpioOutputLine> lines;
    for (const auto& [output, line] : feedback.outputs) lines[output] = {line, feedback.active_low};
    return std::make_unique<hardware::GpioIndicator>(feedback.gpio_chip, lines);
}

}  // namespace

OperatorPanel::OperatorPanel(const Config& config)
{
    try {
        if (!config.buttons.gpio_lines.empty()) {
            hardware::GpioButtonSettings gpio;
            gpio.chip = config.buttons.gpio_chip;
            gpio.lines = config.buttons.gpio_lines;
            gpio.active_low = config.buttons.active_low;
            gpio.pull_up = config.buttons.pull_up;
            gpio.debounce = debounce_of(config.buttons);
            sources_.push_back(hardware::open_gpio_button_source(gpio));
        }
        if (!config.buttons.evdev_device.empty()) {
            hardware::EvdevButtonSettings evdev;
            evdev.device = config.buttons.evdev_device;
            evdev.debounce = debounce_of(config.buttons);
            sources_.push_back(hardware::open_evdev_button_source(evdev));
        }
        if (config.feedback.leds != LedDriver::none) {
            indicator_ = make_indicator(config.feedback);
            player_ = std::make_unique<hardware::FeedbackPlayer>(
                *indicator_, clock_, [](const std::string& problem) { spdlog::warn("feedback: {}", problem); });
        }
    } catch (const std::exception& error) {
        throw ConfigError(config.source.string() + ": " + error.what());
    }
}

OperatorPanel::~OperatorPanel()
{
    stop();
}

void OperatorPanel::stop()
{
    for (auto& source : sources_) source->stop();
}

void OperatorPanel::start(const std::function<void(hardware::Button)>& on_press)
{
    for (auto& source : sources_) {
        source->start(
            [this, on_press](const hardware::ButtonEvent& event) {
                if (event.kind == hardware::ButtonEventKind::pressed) {
                    on_press(event.button);
                } else if (player_) {
                    player_->show(hardware::Feedback::hold_longer);
                }
            },
            [](const std::string& problem) { spdlog::warn("buttons: {}", problem); });
    }
}

void OperatorPanel::show(Feedback signal)
{
    if (player_) player_->show(signal);
}

std::vector<std::string> OperatorPanel::describe() const
{
    std::vector<std::string> names;
    for (const auto& source : sources_) names.push_back(source->describe());
    return names;
}

}  // namespace digikit::firmware
