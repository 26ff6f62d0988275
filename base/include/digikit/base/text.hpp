#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace digikit::base {

// `text` with A-Z turned into a-z and every other byte kept: for protocol words, file
// extensions and codes, which are ASCII whatever the locale. (Titles are not: MediaWiki's
// case rules are metadata's, with ICU.)
[[nodiscard]] inline std::string ascii_lower(std::string_view text)
{
    std::string lower(text);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return lower;
}

// The items one after the other with `separator` between them: "a, b, c".
template <typename Strings>
[[nodiscard]] std::string joined(const Strings& items, std::string_view separator = ", ")
{
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += separator;
        text += item;
    }
    return text;
}

// The C library's words for an errno value ("No such file or directory"). std::strerror
// may share one buffer between threads; the error category's message does not.
[[nodiscard]] inline std::string error_text(int error)
{
    return std::generic_category().message(error);
}

}  // namespace digikit::base
