#include "text.hpp"

namespace digikit::metadata::detail {

namespace {

[[nodiscard]] bool is_continuation(unsigned char byte)
{
    return (byte & 0xC0U) == 0x80U;
}

}  // namespace

std::size_t utf8_sequence_length(std::string_view text, std::size_t pos)
{
    const auto lead = static_cast<unsigned char>(text[pos]);
    std::size_t length = 0;
    if (lead < 0x80U) {
        return 1;
    }
    if (lead >= 0xC2U && lead <= 0xDFU) {
        length = 2;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
        length = 3;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
        length = 4;
    } else {
        return 0;
    }
    if (pos + length > text.size()) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (!is_continuation(static_cast<unsigned char>(text[pos + i]))) {
            return 0;
        }
    }
    const char32_t code_point = decode_utf8(text, pos, length);
    const bool overlong = (length == 3 && code_point < 0x800U) || (length == 4 && code_point < 0x10000U);
    const bool surrogate = code_point >= 0xD800U && code_point <= 0xDFFFU;
    if (overlong || surrogate || code_point > 0x10FFFFU) {
        return 0;
    }
    return length;
}

bool is_valid_utf8(std::string_view text)
{
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t length = utf8_sequence_length(text, pos);
        if (length == 0) {
            return false;
        }
        pos += length;
    }
    return true;
}

char32_t decode_utf8(std::string_view text, std::size_t pos, std::size_t length)
{
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (length == 1) {
        return lead;
    }
    const unsigned lead_mask = length == 2 ? 0x1FU : (length == 3 ? 0x0FU : 0x07U);
    char32_t code_point = lead & lead_mask;
    for (std::size_t i = 1; i < length; ++i) {
        code_point = (code_point << 6U) | (static_cast<unsigned char>(text[pos + i]) & 0x3FU);
    }
    return code_point;
}

bool is_control(char32_t code_point)
{
    return code_point < 0x20U || (code_point >= 0x7FU && code_point <= 0x9FU) || code_point == 0x2028U ||
           code_point == 0x2029U;
}

std::string_view trim(std::string_view text)
{
    constexpr std::string_view whitespace = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(whitespace);
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(whitespace);
    return text.substr(first, last - first + 1);
}

std::vector<std::string> split_trimmed(std::string_view text, char separator)
{
    std::vector<std::string> pieces;
    std::size_t start = 0;
    while (true) {
        const auto end = text.find(separator, start);
        pieces.emplace_back(
            trim(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
        if (end == std::string_view::npos) {
            return pieces;
        }
        start = end + 1;
    }
}

std::string collapse_spaces(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace digikit::metadata::detail
