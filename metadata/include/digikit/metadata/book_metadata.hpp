#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace digikit::metadata {

// A book's descriptive metadata, stored as books/<id>/book.toml.
struct BookMetadata {
    std::string title;
    std::vector<std::string> authors;
    std::string date;  // a year ("1887") or an ISO date
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

// book.toml text <-> BookMetadata. parse throws MetadataError naming `source`, the
// line and the field.
[[nodiscard]] std::string to_toml(const BookMetadata& book);
[[nodiscard]] BookMetadata parse_book_toml(std::string_view text, const std::string& source);

// Sets one field from KEY=VALUE text (`digikit book set`); list fields take
// comma-separated values. Throws MetadataError for an unknown key or a bad value.
void set_field(BookMetadata& book, std::string_view key, std::string_view value);

// Fields Commons needs that are still empty or invalid, as readable names; empty when
// the book may be queued for upload.
[[nodiscard]] std::vector<std::string> missing_for_upload(const BookMetadata& book);

}  // namespace digikit::metadata
