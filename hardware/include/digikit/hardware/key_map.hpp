#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "digikit/hardware/button.hpp"

namespace digikit::hardware {

// Which evdev key codes (KEY_*, BTN_* of <linux/input-event-codes.h>) press which button.
class KeyMap {
public:
    // Page-turner pedals and keypads out of the box: Page Down / Right / Space capture,
    // Page Up / Left / Backspace retake, N new book, E end book, S sync.
    [[nodiscard]] static KeyMap defaults();

    // From config: button name ("capture", "end-book", ...) -> key names ("KEY_PAGEDOWN")
    // or decimal codes. Throws std::invalid_argument naming the unknown button or key,
    // or a key given to two buttons.
    [[nodiscard]] static KeyMap parse(const std::map<std::string, std::vector<std::string>>& keys_by_button);

    void add(unsigned int code, Button button);  // throws std::invalid_argument if taken
    [[nodiscard]] std::optional<Button> button_for(unsigned int code) const;
    [[nodiscard]] const std::map<unsigned int, Button>& codes() const { return codes_; }

private:
    std::map<unsigned int, Button> codes_;
};

// "KEY_PAGEDOWN" for a code, or the number when libevdev has no name for it.
[[nodiscard]] std::string key_name(unsigned int code);

}  // namespace digikit::hardware
