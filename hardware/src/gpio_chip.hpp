#pragma once

#include <gpiod.h>

#include <memory>
#include <string>

namespace digikit::hardware {

struct GpioChipCloser {
    void operator()(gpiod_chip* chip) const { gpiod_chip_close(chip); }
};

// An open GPIO chip; closing it releases every line requested from it.
using GpioChip = std::unique_ptr<gpiod_chip, GpioChipCloser>;

// `name` as gpiod_chip_open_lookup takes it: "gpiochip0", "/dev/gpiochip0", "0" or a label.
// Throws std::runtime_error naming the chip.
GpioChip open_gpio_chip(const std::string& name);

// A line by name ("GPIO17") or, when all digits, by offset. Throws std::runtime_error.
gpiod_line* find_gpio_line(gpiod_chip* chip, const std::string& chip_name, const std::string& line);

// "the line's request failed" messages with errno's reason and who holds it.
std::string gpio_line_problem(const std::string& chip_name, const std::string& line, int error);

}  // namespace digikit::hardware
