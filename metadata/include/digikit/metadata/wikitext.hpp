#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "digikit/metadata/book_metadata.hpp"
#include "digikit/metadata/page_info.hpp"

namespace digikit::metadata {

// Makes free text safe as a template parameter value or page text: every character with
// a wiki meaning ([ ] { } | = < > & ' ~ _ and ":" of free links) becomes an HTML
// character reference, which MediaWiki displays as the character itself; line breaks and
// control characters become spaces. No title can open a template, link, tag, signature
// or magic word, or end the surrounding template.
[[nodiscard]] std::string escape_wikitext(std::string_view text);

enum class DescriptionTemplate { book, information };

struct DescriptionOptions {
    DescriptionTemplate template_kind = DescriptionTemplate::book;
    std::vector<std::string> extra_categories;  // e.g. a tracking category for the kit
    std::string description;                    // plain text for {{Book}} Description; empty: "Page N"
    std::string other_versions;                 // wikitext for {{Book}} Other versions (links to files)
};

// Links to other files of the same page on the wiki (e.g. the TIFF master of a JPEG) for
// DescriptionOptions::other_versions: "[[:File:A (master).tif]]". Throws MetadataError
// for a name that is not a valid file name (see sanitize_file_name).
[[nodiscard]] std::string file_links(const std::vector<std::string>& names);

// The licence section for the book's licence, e.g.
//   == {{int:license-header}} ==
//   {{PD-scan|PD-old-70-expired}}
// Public-domain works are wrapped in {{PD-scan|...}}: the scan is a faithful
// reproduction and adds no copyright. PD-old-70/100 books published more than 95 years
// ago get the "-expired" template that also covers the United States.
// Throws MetadataError when the licence is empty or unknown.
[[nodiscard]] std::string license_section(const BookMetadata& book);

// The whole description page of one scanned page: the {{Book}} (or {{Information}})
// template with every known field, the licence section and the book's categories.
// Authors "anonymous"/"unknown" become {{Anonymous}} / {{Unknown|author}}.
// Throws MetadataError for invalid metadata (see validate) or a missing licence.
[[nodiscard]] std::string page_description(const BookMetadata& book, const PageInfo& page,
                                           const DescriptionOptions& options = {});

}  // namespace digikit::metadata
