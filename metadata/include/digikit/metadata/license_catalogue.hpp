#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace digikit::metadata {

// Everything one licence puts into files and description pages. Keys are the names used
// in book.toml ("PD-old-70", "CC-BY-4.0", ...); Q-ids are Wikidata items.
struct License {
    std::string_view key;
    std::string_view name;              // readable, e.g. "Creative Commons Attribution 4.0"
    bool public_domain = false;         // true: no copyright holder, no attribution required
    bool requires_attribution = false;  // CC BY / BY-SA: the author must be credited
    // Commons licence section: for public-domain works the faithful-reproduction wrapper
    // ({{PD-scan|...}}) around the licence template, otherwise the licence template itself.
    std::string_view commons_wikitext;
    std::string_view commons_template;  // the bare licence template name, e.g. "PD-old-70"
    // For PD-old-N: the combined template also stating US public domain (published more
    // than 95 years ago), used when the book's date shows it; empty otherwise.
    std::string_view commons_template_us_expired;
    // XMP / IPTC / EXIF.
    bool xmp_marked = false;         // xmpRights:Marked: True = rights-managed
    std::string_view usage_terms;    // xmpRights:UsageTerms
    std::string_view web_statement;  // xmpRights:WebStatement (a page explaining the status)
    std::string_view license_url;    // cc:license
    std::string_view rights;         // dc:rights / EXIF Copyright / IPTC CopyrightNotice text
    // Structured data on Commons.
    std::string_view copyright_status_qid;      // P6216
    std::string_view license_qid;               // P275 (empty for public domain)
    std::string_view jurisdiction_qid;          // P1001 qualifier of P6216 (empty = worldwide)
    std::string_view determination_method_qid;  // P459 qualifier of P6216
};

// The catalogue, in a stable order.
[[nodiscard]] std::span<const License> licenses();

// The licence with this key (case-insensitive), or nullptr.
[[nodiscard]] const License* find_license(std::string_view key);

// Comma-separated list of the known keys, for error messages.
[[nodiscard]] std::string license_keys_text();

// True when a work published in `year` is in the public domain in the United States
// this year (published more than 95 years ago, counted from 1 January).
[[nodiscard]] bool published_before_us_cutoff(int year);

// The copyright line for EXIF Copyright, IPTC CopyrightNotice and dc:rights: the licence's
// rights text, for licences requiring attribution prefixed with the authors.
[[nodiscard]] std::string copyright_notice(const License& license, const std::vector<std::string>& authors);

}  // namespace digikit::metadata
