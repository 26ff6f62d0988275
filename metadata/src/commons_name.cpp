#include "digikit/metadata/commons_name.hpp"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <vector>

#include "digikit/base/text.hpp"
#include "text.hpp"

namespace digikit::metadata {

namespace {

[[nodiscard]] std::string to_utf8(const icu::UnicodeString& text)
{
    std::string out;
    text.toUTF8String(out);
    return out;
}

// MediaWiki stores titles in Unicode normal form C.
[[nodiscard]] icu::UnicodeString nfc(std::string_view text)
{
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
    const icu::UnicodeString source =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::UnicodeString result = U_SUCCESS(status) ? normalizer->normalize(source, status) : source;
    return U_SUCCESS(status) ? result : source;
}

// Invisible characters that only confuse a title: direction marks, embeddings, overrides
// and isolates (MediaWiki strips some of them itself), the BOM and the soft hyphen.
[[nodiscard]] bool is_invisible_format(UChar32 c)
{
    return c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF ||
           c == 0x00AD;
}

[[nodiscard]] std::u16string_view replacement_for(UChar32 c)
{
    switch (c) {
        case '[':
        case '{':
        case '<': return u"(";
        case ']':
        case '}':
        case '>': return u")";
        case ':': return u" - ";
        case '|':
        case '#':
        case '/':
        case '\\': return u"-";
        default: return {};
    }
}

// Per code point: forbidden characters replaced, spaces unified, invisible ones dropped.
[[nodiscard]] icu::UnicodeString replace_forbidden(const icu::UnicodeString& text)
{
    icu::UnicodeString out;
    for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
        const UChar32 c = text.char32At(i);
        if (const auto replacement = replacement_for(c); !replacement.empty()) {
            out.append(icu::UnicodeString(replacement.data(), static_cast<int32_t>(replacement.size())));
        } else if (c == '_' || u_hasBinaryProperty(c, UCHAR_WHITE_SPACE)) {
            out.append(UChar32{' '});
        } else if (u_charType(c) == U_CONTROL_CHAR || is_invisible_format(c) || c == 0xFFFD) {
            continue;
        } else {
            out.append(c);
        }
    }
    return out;
}

// Sequences MediaWiki rejects in titles or expands when saving: "~~~" signatures,
// percent escapes ("%41") and character references ("&amp;", "&#91;").
[[nodiscard]] std::string defuse_sequences(std::string text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (text.compare(i, 3, "~~~") == 0) {
            out += "~~";
            while (i + 1 < text.size() && text[i + 1] == '~') {
                ++i;
            }
            continue;
        }
        const auto is_hex = [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; };
        if (c == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
            out += "% ";
            continue;
        }
        if (c == '&') {
            std::size_t j = i + 1;
            while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) != 0 || text[j] == '#' ||
                                       static_cast<unsigned char>(text[j]) >= 0x80)) {
                ++j;
            }
            if (j > i + 1 && j < text.size() && text[j] == ';') {
                out += "& ";
                continue;
            }
        }
        out += c;
    }
    return out;
}

// The longest prefix of `text` of at most `max_bytes` UTF-8 bytes that ends on a grapheme
// cluster boundary, so a letter is never separated from its accents.
[[nodiscard]] std::string cut_on_grapheme(const std::string& text, std::size_t max_bytes)
{
    if (text.size() <= max_bytes) {
        return text;
    }
    const icu::UnicodeString unicode = icu::UnicodeString::fromUTF8(text);
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> graphemes(
        icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
    std::string best;
    if (U_FAILURE(status)) {
        return best;
    }
    graphemes->setText(unicode);
    for (int32_t end = graphemes->next(); end != icu::BreakIterator::DONE; end = graphemes->next()) {
        std::string prefix = to_utf8(unicode.tempSubString(0, end));
        if (prefix.size() > max_bytes) {
            break;
        }
        best = std::move(prefix);
    }
    return best;
}

// MediaWiki upper-cases the first letter of every title.
[[nodiscard]] std::string capitalise_first(const std::string& text)
{
    icu::UnicodeString unicode = icu::UnicodeString::fromUTF8(text);
    if (unicode.isEmpty()) {
        return text;
    }
    const UChar32 first = unicode.char32At(0);
    const UChar32 upper = u_toupper(first);
    if (upper == first) {
        return text;
    }
    unicode.replace(0, U16_LENGTH(first), upper);
    return to_utf8(unicode);
}

[[nodiscard]] std::string clean_stem(std::string_view stem)
{
    std::string text = detail::collapse_spaces(defuse_sequences(to_utf8(replace_forbidden(nfc(stem)))));
    // No title may start with "." ("./", "../", "." and ".." are invalid); a leading "-" is
    // left over from an empty placeholder.
    text.erase(0, std::min(text.size(), text.find_first_not_of(". -")));
    return text;
}

[[nodiscard]] std::string finish_stem(std::string stem, std::size_t max_bytes)
{
    stem = detail::collapse_spaces(cut_on_grapheme(stem, max_bytes));
    while (!stem.empty() && (stem.back() == '-' || stem.back() == ' ' || stem.back() == '.' || stem.back() == '(')) {
        stem.pop_back();
    }
    return stem.empty() ? std::string("Untitled") : capitalise_first(stem);
}

struct SplitName {
    std::string stem;
    std::string extension;  // with the dot, lower-case ASCII, e.g. ".jpg"
};

[[nodiscard]] SplitName split_extension(std::string_view name)
{
    const auto dot = name.rfind('.');
    const std::string_view extension = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    const bool extension_ok = !extension.empty() && extension.size() <= 10 &&
                              std::all_of(extension.begin(), extension.end(),
                                          [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
    if (!extension_ok) {
        throw MetadataError("file name: '" + std::string(name) + "' has no file extension such as .jpg");
    }
    return {std::string(name.substr(0, dot)), "." + base::ascii_lower(extension)};
}

// Key under which MediaWiki would take two file names for the same file: the same page
// title, or the same stem with another extension (the warning exists-normalized).
[[nodiscard]] std::string comparison_key(std::string_view name)
{
    std::string key(name.substr(0, name.rfind('.')));
    std::replace(key.begin(), key.end(), '_', ' ');
    return capitalise_first(key);
}

}  // namespace

std::string sanitize_file_name(std::string_view name)
{
    const SplitName split = split_extension(name);
    return finish_stem(clean_stem(split.stem), max_file_name_bytes - split.extension.size()) + split.extension;
}

namespace {

struct Placeholder {
    std::string name;
    int width = 0;  // {page:04} → 4
};

// Splits the pattern into literal text and placeholders; throws for an unknown one.
[[nodiscard]] std::vector<std::pair<std::string, std::optional<Placeholder>>> parse_pattern(std::string_view pattern)
{
    static const std::vector<std::string_view> known = {"title",     "author",    "year",    "date",
                                                        "language",  "publisher", "place",   "institution",
                                                        "shelfmark", "wikidata",  "book_id", "page"};
    std::vector<std::pair<std::string, std::optional<Placeholder>>> parts;
    std::size_t pos = 0;
    while (pos < pattern.size()) {
        const auto open = pattern.find_first_of("{}", pos);
        if (open == std::string_view::npos) {
            parts.emplace_back(std::string(pattern.substr(pos)), std::nullopt);
            break;
        }
        if (pattern[open] == '}') {
            throw MetadataError("file name pattern: unmatched '}' in '" + std::string(pattern) + "'");
        }
        const auto close = pattern.find('}', open);
        if (close == std::string_view::npos) {
            throw MetadataError("file name pattern: unclosed '{' in '" + std::string(pattern) + "'");
        }
        parts.emplace_back(std::string(pattern.substr(pos, open - pos)), std::nullopt);
        const std::string_view inside = pattern.substr(open + 1, close - open - 1);
        Placeholder placeholder{std::string(inside.substr(0, inside.find(':'))), 0};
        if (const auto colon = inside.find(':'); colon != std::string_view::npos) {
            const std::string_view format = inside.substr(colon + 1);
            const bool format_ok = placeholder.name == "page" && format.size() == 2 && format[0] == '0' &&
                                   format[1] >= '1' && format[1] <= '9';
            if (!format_ok) {
                throw MetadataError("file name pattern: bad format '{" + std::string(inside) +
                                    "}' (only {page:0N} with N from 1 to 9)");
            }
            placeholder.width = format[1] - '0';
        }
        if (std::find(known.begin(), known.end(), placeholder.name) == known.end()) {
            throw MetadataError("file name pattern: unknown placeholder '{" + std::string(inside) + "}'");
        }
        parts.emplace_back(std::string(), placeholder);
        pos = close + 1;
    }
    return parts;
}

[[nodiscard]] std::string value_of(const Placeholder& placeholder, const BookMetadata& book, const PageInfo& page)
{
    const std::string& name = placeholder.name;
    if (name == "page") {
        std::string number = std::to_string(page.page_number);
        const auto width = static_cast<std::size_t>(placeholder.width);
        return number.size() < width ? std::string(width - number.size(), '0') + number : number;
    }
    if (name == "author") {
        return book.authors.empty() ? std::string() : book.authors.front();
    }
    if (name == "year") {
        return book.date.substr(0, std::min<std::size_t>(4, book.date.size()));
    }
    const std::vector<std::pair<std::string_view, const std::string*>> fields = {
        {"title", &book.title},         {"date", &book.date},         {"language", &book.language},
        {"publisher", &book.publisher}, {"place", &book.place},       {"institution", &book.institution},
        {"shelfmark", &book.shelfmark}, {"wikidata", &book.wikidata}, {"book_id", &page.book_id}};
    const auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
    return it == fields.end() ? std::string() : *it->second;
}

}  // namespace

CommonsFileNamer::CommonsFileNamer(std::string pattern) : pattern_(std::move(pattern))
{
    (void)parse_pattern(pattern_);
    (void)split_extension(pattern_);
}

std::string CommonsFileNamer::name_for(const BookMetadata& book, const PageInfo& page)
{
    std::string expanded;
    for (const auto& [literal, placeholder] : parse_pattern(pattern_)) {
        expanded += placeholder ? value_of(*placeholder, book, page) : literal;
    }
    // A title's own brackets would otherwise survive an empty {year} as "()".
    for (std::size_t at = expanded.find("()"); at != std::string::npos; at = expanded.find("()")) {
        expanded.erase(at, 2);
    }
    return unique_name(expanded, {});
}

std::string CommonsFileNamer::sibling_name(std::string_view name, std::string_view label, std::string_view extension)
{
    return unique_name(std::string(name.substr(0, name.rfind('.'))) + std::string(extension), label);
}

std::string CommonsFileNamer::unique_name(std::string_view name, std::string_view label)
{
    const SplitName split = split_extension(name);
    const std::string stem = clean_stem(split.stem);
    const std::string tail = label.empty() ? std::string() : " (" + clean_stem(label) + ")";
    for (int counter = 1;; ++counter) {
        const std::string suffix = tail + (counter == 1 ? std::string() : " (" + std::to_string(counter) + ")");
        const std::size_t room = max_file_name_bytes - split.extension.size() - suffix.size();
        std::string unique = finish_stem(stem, room) + suffix + split.extension;
        if (taken_.insert(comparison_key(unique)).second) {
            return unique;
        }
    }
}

void CommonsFileNamer::reserve(std::string_view name)
{
    taken_.insert(comparison_key(name));
}

}  // namespace digikit::metadata
