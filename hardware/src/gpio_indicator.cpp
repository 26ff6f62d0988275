#include "digikit/hardware/indicator.hpp"

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "gpio_chip.hpp"

namespace digikit::hardware {

struct GpioIndicator::State {
    std::string chip_name;
    GpioChip chip;
    std::map<Output, gpiod_line*> lines;  // owned by `chip`
};

GpioIndicator::GpioIndicator(const std::string& chip, const std::map<Output, GpioOutputLine>& lines)
    : state_(std::make_unique<State>())
{
    state_->chip_name = chip;
    state_->chip = open_gpio_chip(chip);
    for (const auto& [output, spec] : lines) {
        gpiod_line* line = find_gpio_line(state_->chip.get(), chip, spec.line);
        const int flags = spec.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
        if (gpiod_line_request_output_flags(line, "digikit", flags, 0) != 0) {
            throw std::runtime_error(gpio_line_problem(chip, spec.line, errno));
        }
        state_->lines[output] = line;
    }
}

GpioIndicator::~GpioIndicator() = default;

void GpioIndicator::set(Output output, bool on)
{
    const auto it = state_->lines.find(output);
    if (it == state_->lines.end()) return;
    if (gpiod_line_set_value(it->second, on ? 1 : 0) != 0) {
        throw std::system_error(
            errno, std::generic_category(),
            "cannot set GPIO line for " + std::string(to_string(output)) + " on chip '" + state_->chip_name + "'");
    }
}

}  // namespace digikit::hardware
