#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "digikit/hardware/feedback.hpp"

namespace digikit::hardware {

// Turns one LED or the buzzer on or off. Outputs an implementation was not given are
// ignored (a kit may have no amber LED). set() throws std::system_error on failure.
class Indicator {
public:
    Indicator() = default;
    Indicator(const Indicator&) = delete;
    Indicator& operator=(const Indicator&) = delete;
    virtual ~Indicator() = default;

    virtual void set(Output output, bool on) = 0;
};

// LEDs driven by the kernel's LED class: /sys/class/leds/<name>/brightness.
class SysfsLedIndicator final : public Indicator {
public:
    // Each output's LED folder, e.g. /sys/class/leds/ACT. Switches the LED's trigger to
    // "none" so the kernel stops driving it; throws std::runtime_error naming a folder
    // without a writable brightness file.
    explicit SysfsLedIndicator(const std::map<Output, std::filesystem::path>& leds);
    void set(Output output, bool on) override;

private:
    struct Led {
        std::filesystem::path brightness;
        std::string on_value;  // max_brightness
    };
    std::map<Output, Led> leds_;
};

// LEDs and an active buzzer on GPIO output lines (libgpiod).
struct GpioOutputLine {
    std::string line;  // line name ("GPIO22") or offset ("22")
    bool active_low = false;
};

class GpioIndicator final : public Indicator {
public:
    // Requests every line as an output, initially off. Throws std::runtime_error naming
    // the chip or line that could not be had.
    GpioIndicator(const std::string& chip, const std::map<Output, GpioOutputLine>& lines);
    ~GpioIndicator() override;
    void set(Output output, bool on) override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Several indicators as one (LEDs in sysfs, the buzzer on a GPIO line).
class IndicatorSet final : public Indicator {
public:
    explicit IndicatorSet(std::vector<std::unique_ptr<Indicator>> parts) : parts_(std::move(parts)) {}
    void set(Output output, bool on) override
    {
        for (const auto& part : parts_) part->set(output, on);
    }

private:
    std::vector<std::unique_ptr<Indicator>> parts_;
};

}  // namespace digikit::hardware
