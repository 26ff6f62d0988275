#include "gpio_chip.hpp"
#include "digikit/base/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <stdexcept>

namespace digikit::hardware {

GpioChip open_gpio_chip(const std::string& name)
{
    GpioChip chip(gpiod_chip_open_lookup(name.c_str()));
    if (!chip) {
        const int error = errno;
        throw std::runtime_error("cannot open GPIO chip '" + name + "': " + base::error_text(error));
    }
    return chip;
}

gpiod_line* find_gpio_line(gpiod_chip* chip, const std::string& chip_name, const std::string& line)
{
    const bool is_offset =
        !line.empty() && std::ranges::all_of(line, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    gpiod_line* found = nullptr;
    if (is_offset) {
        unsigned int offset = 0;
        std::from_chars(line.data(), line.data() + line.size(), offset);
        found = gpiod_chip_get_line(chip, offset);
    } else {
        found = gpiod_chip_find_line(chip, line.c_str());
    }
    if (found == nullptr) {
        throw std::runtime_error("GPIO chip '" + chip_name + "' has no line " + (is_offset ? "at offset " : "named ") +
                                 line + " (it has " + std::to_string(gpiod_chip_num_lines(chip)) + " lines)");
    }
    return found;
}

std::string gpio_line_problem(const std::string& chip_name, const std::string& line, int error)
{
    std::string message =
        "cannot request GPIO line " + line + " of chip '" + chip_name + "': " + base::error_text(error);
    if (error == EBUSY) message += " (another program or driver holds it)";
    return message;
}

}  // namespace digikit::hardware
