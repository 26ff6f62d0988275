#pragma once

// Small UTF-8 text checks shared by the metadata sources (not part of the public API).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace digikit::metadata::detail {

// Length in bytes of the well-formed UTF-8 sequence starting at text[pos], or 0 when the
// bytes there are not well-formed UTF-8 (overlong, surrogate, truncated, > U+10FFFF).
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view text, std::size_t pos);

[[nodiscard]] bool is_valid_utf8(std::string_view text);

// Decodes the code point at text[pos] (which must start a valid sequence of `length` bytes).
[[nodiscard]] char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t length);

// C0/C1 control characters and the Unicode line/paragraph separators: they never belong
// in a one-line metadata value.
[[nodiscard]] bool is_control(char32_t code_point);

// Removes leading and trailing ASCII whitespace.
[[nodiscard]] std::string_view trim(std::string_view text);

// One space between words, none at either end (as MediaWiki trims titles); other
// whitespace is kept.
[[nodiscard]] std::string collapse_spaces(std::string_view text);

// Splits on `separator`, trimming each piece (empty pieces are kept, so callers can reject them).
[[nodiscard]] std::vector<std::string> split_trimmed(std::string_view text, char separator);

}  // namespace digikit::metadata::detail
