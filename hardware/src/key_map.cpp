#include "digikit/hardware/key_map.hpp"

#include <libevdev/libevdev.h>

#include <array>
#include <charconv>
#include <stdexcept>

namespace digikit::hardware {
namespace {

// A key name libevdev knows ("KEY_PAGEDOWN", "BTN_0") or a decimal code.
unsigned int parse_key(const std::string& text, const std::string& button)
{
    const int named = libevdev_event_code_from_name(EV_KEY, text.c_str());
    if (named >= 0) return static_cast<unsigned int>(named);
    unsigned int code = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
    if (error != std::errc{} || end != text.data() + text.size() || code > KEY_MAX) {
        throw std::invalid_argument("unknown key '" + text + "' for button " + button +
                                    " (expected a name like KEY_PAGEDOWN or a key code)");
    }
    return code;
}

}  // namespace

KeyMap KeyMap::defaults()
{
    KeyMap map;
    for (const unsigned int code : std::array<unsigned int, 3>{KEY_PAGEDOWN, KEY_RIGHT, KEY_SPACE}) {
        map.add(code, Button::capture);
    }
    for (const unsigned int code : std::array<unsigned int, 3>{KEY_PAGEUP, KEY_LEFT, KEY_BACKSPACE}) {
        map.add(code, Button::retake);
    }
    map.add(KEY_N, Button::new_book);
    map.add(KEY_E, Button::end_book);
    map.add(KEY_S, Button::sync);
    return map;
}

KeyMap KeyMap::parse(const std::map<std::string, std::vector<std::string>>& keys_by_button)
{
    KeyMap map;
    for (const auto& [name, keys] : keys_by_button) {
        const auto button = parse_button(name);
        if (!button) {
            throw std::invalid_argument("unknown button '" + name +
                                        "' in the key map (expected capture, retake, new-book, end-book or sync)");
        }
        for (const auto& key : keys) map.add(parse_key(key, name), *button);
    }
    return map;
}

void KeyMap::add(unsigned int code, Button button)
{
    const auto [it, inserted] = codes_.emplace(code, button);
    if (!inserted && it->second != button) {
        throw std::invalid_argument("key " + key_name(code) + " is given to both " +
                                    std::string(to_string(it->second)) + " and " + std::string(to_string(button)));
    }
}

std::optional<Button> KeyMap::button_for(unsigned int code) const
{
    const auto it = codes_.find(code);
    if (it == codes_.end()) return std::nullopt;
    return it->second;
}

std::string key_name(unsigned int code)
{
    const char* name = libevdev_event_code_get_name(EV_KEY, code);
    return name != nullptr ? std::string(name) : std::to_string(code);
}

}  // namespace digikit::hardware
