#include "digikit/hardware/button.hpp"

#include <array>
#include <utility>

namespace digikit::hardware {
namespace {

constexpr std::array<std::pair<Button, std::string_view>, 5> names{{
    {Button::capture, "capture"},
    {Button::retake, "retake"},
    {Button::new_book, "new-book"},
    {Button::end_book, "end-book"},
    {Button::sync, "sync"},
}};

}  // namespace

std::string_view to_string(Button button)
{
    for (const auto& [value, name] : names) {
        if (value == button) return name;
    }
    return "unknown";
}

std::optional<Button> parse_button(std::string_view name)
{
    for (const auto& [value, text] : names) {
        if (text == name) return value;
    }
    return std::nullopt;
}

}  // namespace digikit::hardware
