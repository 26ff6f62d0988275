#include "digikit/metadata/book_metadata.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <sstream>
#include <string_view>
#include <variant>

#include <toml++/toml.h>

#include "digikit/metadata/license_catalogue.hpp"
#include "text.hpp"

namespace digikit::metadata {

namespace {

using detail::trim;

[[noreturn]] void fail(std::string_view field, const std::string& reason)
{
    throw MetadataError(std::string(field) + ": " + reason);
}

// A value shown on one line of a description page or an image header: well-formed UTF-8
// without control characters (a newline would break the file's headers and wikitext).
void check_one_line(std::string_view field, std::string_view value)
{
    for (std::size_t pos = 0; pos < value.size();) {
        const std::size_t length = detail::utf8_sequence_length(value, pos);
        if (length == 0) {
            fail(field, "not valid UTF-8 text");
        }
        const char32_t code_point = detail::decode_utf8(value, pos, length);
        if (code_point == U'\n' || code_point == U'\r' || code_point == 0x2028U || code_point == 0x2029U) {
            fail(field, "must be a single line (contains a line break)");
        }
        if (detail::is_control(code_point)) {
            fail(field, "contains a control character");
        }
        pos += length;
    }
    if (value.size() > max_value_bytes) {
        fail(field,
             "too long (" + std::to_string(value.size()) + " bytes, at most " + std::to_string(max_value_bytes) + ")");
    }
}

[[nodiscard]] std::string normalize_text(std::string_view field, std::string_view value)
{
    const std::string_view trimmed = trim(value);
    check_one_line(field, trimmed);
    return std::string(trimmed);
}

[[nodiscard]] bool is_digits(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

[[nodiscard]] int to_int(std::string_view digits)
{
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

// "1887", "1887-05" or "1887-05-14" (a real calendar date).
[[nodiscard]] std::string normalize_date(std::string_view value)
{
    std::string date = normalize_text("date", value);
    if (date.empty()) {
        return date;
    }
    const std::string reason = "'" + date + "' is not a year (YYYY) or an ISO date (YYYY-MM or YYYY-MM-DD)";
    const bool shape_ok = (date.size() == 4 || date.size() == 7 || date.size() == 10) && is_digits(date.substr(0, 4)) &&
                          (date.size() == 4 || (date[4] == '-' && is_digits(date.substr(5, 2)))) &&
                          (date.size() < 10 || (date[7] == '-' && is_digits(date.substr(8, 2))));
    if (!shape_ok) {
        fail("date", reason);
    }
    const std::chrono::year year{to_int(date.substr(0, 4))};
    if (date.size() >= 7) {
        const std::chrono::month month{static_cast<unsigned>(to_int(date.substr(5, 2)))};
        if (!month.ok()) {
            fail("date", "'" + date + "' has no month " + date.substr(5, 2));
        }
        if (date.size() == 10) {
            const std::chrono::day day{static_cast<unsigned>(to_int(date.substr(8, 2)))};
            if (!std::chrono::year_month_day{year, month, day}.ok()) {
                fail("date", "'" + date + "' is not a calendar date");
            }
        }
    }
    const auto today =
        std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    if (year > today.year()) {
        fail("date", "'" + date + "' is in the future");
    }
    return date;
}

// ISO 639-1/639-3 code, optionally with BCP 47 subtags: "de", "grc", "zh-Hant", "pt-BR".
[[nodiscard]] std::string normalize_language(std::string_view value)
{
    std::string language = normalize_text("language", value);
    if (language.empty()) {
        return language;
    }
    const auto pieces = detail::split_trimmed(language, '-');
    const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    const auto is_alnum = [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); };
    bool ok =
        pieces[0].size() >= 2 && pieces[0].size() <= 3 && std::all_of(pieces[0].begin(), pieces[0].end(), is_alpha);
    for (std::size_t i = 1; ok && i < pieces.size(); ++i) {
        ok =
            pieces[i].size() >= 2 && pieces[i].size() <= 8 && std::all_of(pieces[i].begin(), pieces[i].end(), is_alnum);
    }
    if (!ok) {
        fail("language", "'" + language + "' is not an ISO 639 language code (e.g. en, de, grc, pt-BR)");
    }
    std::transform(pieces[0].begin(), pieces[0].end(), language.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return language;
}

// http(s) URL with a host and no spaces (Commons links it as the source).
[[nodiscard]] std::string normalize_url(std::string_view value)
{
    std::string url = normalize_text("source_url", value);
    if (url.empty()) {
        return url;
    }
    const std::string_view view = url;
    const std::size_t scheme_end = view.find("://");
    const std::string_view scheme = view.substr(0, scheme_end);
    const bool scheme_ok = scheme_end != std::string_view::npos && (scheme == "http" || scheme == "https");
    const std::string_view rest = scheme_ok ? view.substr(scheme_end + 3) : std::string_view{};
    const std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
    if (!scheme_ok || host.empty()) {
        fail("source_url", "'" + url + "' is not an http:// or https:// URL");
    }
    if (url.find_first_of(" \t\"<>[]{}|\\^`") != std::string::npos) {
        fail("source_url", "'" + url + "' contains a space or a character not allowed in a URL (percent-encode it)");
    }
    return url;
}

// "Q42"; also accepts "q42" and a Wikidata URL ending in the Q-id.
[[nodiscard]] std::string normalize_wikidata(std::string_view value)
{
    std::string_view id = trim(value);
    if (id.empty()) {
        return {};
    }
    const std::string original(id);
    for (const std::string_view prefix :
         {"https://www.wikidata.org/wiki/", "http://www.wikidata.org/wiki/", "https://www.wikidata.org/entity/",
          "http://www.wikidata.org/entity/", "https://m.wikidata.org/wiki/"}) {
        if (id.starts_with(prefix)) {
            id.remove_prefix(prefix.size());
            break;
        }
    }
    const std::string_view number = id.size() > 1 ? id.substr(1) : std::string_view{};
    if (id.empty() || (id.front() != 'Q' && id.front() != 'q') || !is_digits(number) || number.front() == '0' ||
        number.size() > 12) {
        fail("wikidata", "'" + original + "' is not a Wikidata item id (Q followed by digits, e.g. Q42)");
    }
    std::string qid = "Q";
    qid += number;
    return qid;
}

[[nodiscard]] std::string normalize_license(std::string_view value)
{
    std::string key = normalize_text("license", value);
    if (key.empty()) {
        return key;
    }
    const License* license = find_license(key);
    if (license == nullptr) {
        fail("license", "unknown licence '" + key + "' (known: " + license_keys_text() + ")");
    }
    return std::string(license->key);
}

// An author name, or one of the conventions for works without a named author.
[[nodiscard]] std::string normalize_author(std::string_view value)
{
    std::string author = normalize_text("authors", value);
    if (author.empty()) {
        fail("authors", R"(empty author name (write "anonymous" or "unknown" when there is no named author))");
    }
    return author;
}

// A Commons category name, with or without the "Category:" prefix (stored without it).
[[nodiscard]] std::string category_name(std::string_view value)
{
    std::string_view name = trim(value);
    for (const std::string_view prefix : {"Category:", "category:", "[[Category:", "[[category:"}) {
        if (name.starts_with(prefix)) {
            name.remove_prefix(prefix.size());
            break;
        }
    }
    if (name.ends_with("]]") && trim(value).starts_with("[[")) {
        name.remove_suffix(2);
    }
    // MediaWiki's title rules: an underscore is a space, and runs of spaces are one. Done
    // before trimming, so that what is stored reads back the same ("Flora_" is "Flora").
    std::string spaced(name);
    std::replace(spaced.begin(), spaced.end(), '_', ' ');
    std::string category = normalize_text("categories", detail::collapse_spaces(spaced));
    if (category.empty()) {
        fail("categories", "empty category name");
    }
    // Stored without its prefix, a name that still starts with one would lose it when read
    // again (a fuzzer found "category:category:" becoming "category:", then empty).
    if (category.starts_with("Category:") || category.starts_with("category:")) {
        fail("categories", "'" + category + "' names the Category: prefix twice");
    }
    // Characters MediaWiki forbids in page titles (and so in category names).
    if (const auto bad = category.find_first_of("#<>[]|{}"); bad != std::string::npos) {
        fail("categories", "'" + category + "' contains '" + category[bad] + "', which a category name cannot contain");
    }
    if (category.size() > max_category_bytes) {
        fail("categories", "too long (" + std::to_string(category.size()) + " bytes, a category name has at most " +
                               std::to_string(max_category_bytes) + ")");
    }
    return category;
}

template <typename Normalize>
[[nodiscard]] std::vector<std::string> normalize_list(const std::vector<std::string>& values, Normalize normalize)
{
    std::vector<std::string> result;
    for (const auto& value : values) {
        std::string item = normalize(value);
        if (std::find(result.begin(), result.end(), item) == result.end()) {
            result.push_back(std::move(item));
        }
    }
    return result;
}

// "a, b" or, when a name itself contains commas ("Doe, John"), "Doe, John; Roe, Jane".
[[nodiscard]] std::vector<std::string> split_list(std::string_view value)
{
    if (trim(value).empty()) {
        return {};
    }
    return detail::split_trimmed(value, value.find(';') != std::string_view::npos ? ';' : ',');
}

using TextMember = std::string BookMetadata::*;
using ListMember = std::vector<std::string> BookMetadata::*;

// One row per field, and the only place the fields are listed: the book.toml key, the
// member, how one value is validated and normalized, and what Commons needs (`required`:
// the wording when the field is empty; empty for an optional field). Reading, writing,
// `book set`, `book show` and missing_for_upload all go through this table.
struct FieldSpec {
    std::string_view key;
    std::variant<TextMember, ListMember> member;
    std::string (*normalize)(std::string_view value);  // throws MetadataError
    std::string_view required;

    [[nodiscard]] bool is_list() const { return std::holds_alternative<ListMember>(member); }

    [[nodiscard]] bool is_empty(const BookMetadata& book) const
    {
        if (const auto* list = std::get_if<ListMember>(&member)) {
            return (book.**list).empty();
        }
        return (book.*std::get<TextMember>(member)).empty();
    }

    [[nodiscard]] std::vector<std::string> values(const BookMetadata& book) const
    {
        if (const auto* list = std::get_if<ListMember>(&member)) {
            return book.**list;
        }
        return {book.*std::get<TextMember>(member)};
    }

    // Validated assignment: a list is normalized item by item, without repeats.
    void assign(BookMetadata& book, const std::vector<std::string>& values) const
    {
        if (const auto* list = std::get_if<ListMember>(&member)) {
            book.** list = normalize_list(values, normalize);
        } else {
            book.*std::get<TextMember>(member) = normalize(values.front());
        }
    }
};

[[nodiscard]] const std::vector<FieldSpec>& field_specs()
{
    static const std::vector<FieldSpec> specs = {
        {"title", &BookMetadata::title, [](std::string_view v) { return normalize_text("title", v); }, "title"},
        {"authors", &BookMetadata::authors, normalize_author,
         R"(authors (at least one; "anonymous" or "unknown" when there is no named author))"},
        {"date", &BookMetadata::date, normalize_date, "date"},
        {"language", &BookMetadata::language, normalize_language, ""},
        {"publisher", &BookMetadata::publisher, [](std::string_view v) { return normalize_text("publisher", v); }, ""},
        {"place", &BookMetadata::place, [](std::string_view v) { return normalize_text("place", v); }, ""},
        {"institution", &BookMetadata::institution, [](std::string_view v) { return normalize_text("institution", v); },
         ""},
        {"shelfmark", &BookMetadata::shelfmark, [](std::string_view v) { return normalize_text("shelfmark", v); }, ""},
        {"source_url", &BookMetadata::source_url, normalize_url, ""},
        {"wikidata", &BookMetadata::wikidata, normalize_wikidata, ""},
        {"license", &BookMetadata::license, normalize_license, "license"},
        {"categories", &BookMetadata::categories, category_name, ""},
    };
    return specs;
}

[[nodiscard]] const FieldSpec* find_field(std::string_view key)
{
    const auto& specs = field_specs();
    const auto it = std::find_if(specs.begin(), specs.end(), [&](const FieldSpec& spec) { return spec.key == key; });
    return it == specs.end() ? nullptr : &*it;
}

// set_field accepts a few spellings people naturally type.
[[nodiscard]] std::string_view canonical_key(std::string_view key)
{
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> aliases = {{
        {"author", "authors"},
        {"year", "date"},
        {"licence", "license"},
        {"category", "categories"},
        {"source-url", "source_url"},
        {"url", "source_url"},
        {"lang", "language"},
        {"wikidata_item", "wikidata"},
    }};
    for (const auto& [alias, key_name] : aliases) {
        if (alias == key) {
            return key_name;
        }
    }
    return key;
}

[[nodiscard]] std::string known_keys_text()
{
    std::string text;
    for (const auto& spec : field_specs()) {
        text += (text.empty() ? "" : ", ") + std::string(spec.key);
    }
    return text;
}

[[nodiscard]] std::string where(const std::string& source, const toml::source_region& region)
{
    return source + ":" + std::to_string(region.begin.line);
}

// The TOML value of one field as text values, or a MetadataError naming its type problem.
[[nodiscard]] std::vector<std::string> values_of(const toml::node& node, const FieldSpec& spec)
{
    const auto string_of = [&](const toml::node& item) -> std::string {
        if (const auto text = item.value_exact<std::string>()) {
            return *text;
        }
        if (spec.key == "date" && item.is_integer()) {  // date = 1887 is a natural thing to write
            return std::to_string(*item.value_exact<std::int64_t>());
        }
        fail(spec.key, spec.is_list() ? "every entry must be a string" : "must be a string");
    };
    if (!spec.is_list()) {
        return {string_of(node)};
    }
    if (const auto* array = node.as_array()) {
        std::vector<std::string> values;
        for (const auto& item : *array) {
            values.push_back(string_of(item));
        }
        return values;
    }
    if (node.is_string()) {  // a single author written without brackets
        return {string_of(node)};
    }
    fail(spec.key, "must be an array of strings");
}

}  // namespace

std::string to_toml(const BookMetadata& book)
{
    const BookMetadata checked = normalized(book);
    std::ostringstream out;
    for (const auto& spec : field_specs()) {
        if (spec.is_empty(checked)) {
            continue;  // an empty field is simply absent
        }
        const auto values = spec.values(checked);
        toml::table line;
        if (spec.is_list()) {
            toml::array array;
            for (const auto& value : values) {
                array.push_back(value);
            }
            line.insert(spec.key, std::move(array));
        } else {
            line.insert(spec.key, values.front());
        }
        out << line << '\n';
    }
    return out.str();
}

BookFile read_book_toml(std::string_view text, const std::string& source)
{
    BookFile file;
    toml::table table;
    try {
        table = toml::parse(text, source);
    } catch (const toml::parse_error& error) {
        file.problems.push_back(
            {"", where(source, error.source()) + ": not valid TOML: " + std::string(error.description())});
        return file;
    }
    for (const auto& [key, node] : table) {
        const FieldSpec* spec = find_field(key.str());
        try {
            if (spec == nullptr) {
                fail(key.str(), "unknown field (known: " + known_keys_text() + ")");
            }
            spec->assign(file.book, values_of(node, *spec));
        } catch (const MetadataError& error) {
            file.problems.push_back({spec == nullptr ? std::string() : std::string(spec->key),
                                     where(source, key.source()) + ": " + error.what()});
        }
    }
    return file;
}

BookMetadata parse_book_toml(std::string_view text, const std::string& source)
{
    BookFile file = read_book_toml(text, source);
    if (!file.problems.empty()) {
        throw MetadataError(file.problems.front().message);
    }
    return std::move(file.book);
}

std::string_view set_field(BookMetadata& book, std::string_view key, std::string_view value)
{
    const FieldSpec* spec = find_field(canonical_key(trim(key)));
    if (spec == nullptr) {
        throw MetadataError(std::string(trim(key)) + ": unknown field (known: " + known_keys_text() +
                            "; also author, year, licence)");
    }
    if (spec->is_list()) {
        spec->assign(book, split_list(value));
    } else {
        spec->assign(book, {std::string(value)});
    }
    return spec->key;
}

std::vector<std::pair<std::string, std::vector<std::string>>> field_values(const BookMetadata& book)
{
    std::vector<std::pair<std::string, std::vector<std::string>>> fields;
    for (const auto& spec : field_specs()) {
        fields.emplace_back(spec.key, spec.values(book));
    }
    return fields;
}

BookMetadata normalized(const BookMetadata& book)
{
    BookMetadata result;
    for (const auto& spec : field_specs()) {
        if (!spec.is_empty(book)) {
            spec.assign(result, spec.values(book));
        }
    }
    return result;
}

void validate(const BookMetadata& book)
{
    (void)normalized(book);
}

std::string normalize_category(std::string_view name)
{
    return category_name(name);
}

bool is_unnamed_author(std::string_view author)
{
    std::string lower(trim(author));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    return lower == "anonymous" || lower == "unknown";
}

std::vector<std::string> missing_for_upload(const BookMetadata& book)
{
    std::vector<std::string> missing;
    const auto check_values = [&](const FieldSpec& spec) {
        for (const auto& value : spec.values(book)) {
            try {
                (void)spec.normalize(value);
            } catch (const MetadataError& error) {
                missing.emplace_back(error.what());
            }
        }
    };
    // What Commons needs first, in the table's order, then every other value checked.
    for (const auto& spec : field_specs()) {
        if (spec.required.empty()) {
            continue;
        }
        if (spec.is_empty(book)) {
            missing.emplace_back(spec.required);
        } else {
            check_values(spec);
        }
    }
    if (book.institution.empty() && book.source_url.empty()) {
        missing.emplace_back("institution or source_url (where the book is held, the file's source)");
    }
    for (const auto& spec : field_specs()) {
        if (spec.required.empty() && !spec.is_empty(book)) {
            check_values(spec);
        }
    }
    // PD-US-expired: published more than 95 years ago.
    if (const License* license = find_license(book.license);
        license != nullptr && license->key == "PD-US-expired" && book.date.size() >= 4 &&
        is_digits(book.date.substr(0, 4)) && !published_before_us_cutoff(to_int(book.date.substr(0, 4)))) {
        missing.push_back("date: " + book.date + " is too recent for PD-US-expired (published more than 95 years ago)");
    }
    return missing;
}

}  // namespace digikit::metadata
