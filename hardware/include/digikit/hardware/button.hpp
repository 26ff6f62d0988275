#pragma once

#include <optional>
#include <string_view>

namespace digikit::hardware {

// The operator's buttons, whatever they are wired to (GPIO, foot pedal, control socket).
enum class Button { capture, retake, new_book, end_book, sync };

[[nodiscard]] std::string_view to_string(Button button);  // "capture", "new-book", ...
[[nodiscard]] std::optional<Button> parse_button(std::string_view name);

}  // namespace digikit::hardware
