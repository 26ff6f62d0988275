#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace digikit::metadata {

// A book's descriptive metadata, stored as books/<id>/book.toml.
//
// Every text value is one line of valid UTF-8 without control characters, trimmed, at most
// max_value_bytes. Works without a named author use the author "anonymous" (published
// without a name) or "unknown" (author not known); an empty author name is an error.
// Categories are stored without the "Category:" prefix.
struct BookMetadata {
    std::string title;
    std::vector<std::string> authors;
    std::string date;      // a year ("1887") or an ISO date
    std::string language;  // ISO 639 code
    std::string publisher;
    std::string place;
    std::string institution;
    std::string shelfmark;
    std::string source_url;
    std::string wikidata;  // Q-id
    std::string license;   // a key of the licence catalogue, e.g. "PD-old-70"
    std::vector<std::string> categories;
};

// A bad value: names the field and the reason, e.g. "license: unknown licence 'CC-XX'".
class MetadataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t max_value_bytes = 4096;
// MediaWiki refuses page titles (and so category names) longer than this.
inline constexpr std::size_t max_category_bytes = 255;

// book.toml text <-> BookMetadata. Both apply the same rules: to_toml writes the book as
// normalized() and throws MetadataError for an invalid value (so nothing is ever written
// that the reader refuses), leaving empty fields out; parse throws MetadataError naming
// `source`, the line and the field.
[[nodiscard]] std::string to_toml(const BookMetadata& book);
[[nodiscard]] BookMetadata parse_book_toml(std::string_view text, const std::string& source);

// What is wrong in a book.toml: `field` is the book field whose value is invalid (empty
// for an unknown key or a file that is not TOML), `message` reads "file:line: key: reason".
struct BookProblem {
    std::string field;
    std::string message;
};

// A book.toml as read by a tolerant reader (a book edited by hand must still be shown and
// repaired): every valid field, and one problem for each field (or the file) that is not.
struct BookFile {
    BookMetadata book;
    std::vector<BookProblem> problems;
};
[[nodiscard]] BookFile read_book_toml(std::string_view text, const std::string& source);

// Sets one field from KEY=VALUE text (`digikit book set`); list fields take
// comma-separated values (semicolon-separated when a value itself contains a comma,
// e.g. "Doe, John; Roe, Jane"); an empty value clears the field. Keys are those of
// book.toml; "author", "year", "licence", "category", "url" are accepted as aliases.
// Throws MetadataError for an unknown key or a bad value; the book is then unchanged.
// Returns the book.toml key that was set.
std::string_view set_field(BookMetadata& book, std::string_view key, std::string_view value);

// Every field as (book.toml key, values) in display order, lists as several values and
// single fields as one (possibly empty) value: for `digikit book show`.
[[nodiscard]] std::vector<std::pair<std::string, std::vector<std::string>>> field_values(const BookMetadata& book);

// The book with every field normalized as the reader does (trimmed, canonical licence key,
// categories without "Category:"); throws MetadataError for the first invalid field (e.g. a
// struct filled in by code or from the configuration).
[[nodiscard]] BookMetadata normalized(const BookMetadata& book);
void validate(const BookMetadata& book);

// Validates one Commons category name and returns it without a "Category:" prefix and
// with "_" as spaces; throws MetadataError ("categories: ...") for a name MediaWiki refuses.
[[nodiscard]] std::string normalize_category(std::string_view name);

// True for the conventions "anonymous" / "unknown" (any case) used instead of a name.
[[nodiscard]] bool is_unnamed_author(std::string_view author);

// Fields Commons needs that are still empty or invalid, as readable names; empty when
// the book may be queued for upload. Required: title, at least one author (or
// "anonymous"/"unknown"), date, license, and a source (institution or source_url);
// PD-US-expired also needs a publication year more than 95 years ago.
[[nodiscard]] std::vector<std::string> missing_for_upload(const BookMetadata& book);

}  // namespace digikit::metadata
