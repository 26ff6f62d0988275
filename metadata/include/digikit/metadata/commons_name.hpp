#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "digikit/metadata/book_metadata.hpp"
#include "digikit/metadata/page_info.hpp"

namespace digikit::metadata {

inline constexpr std::string_view default_file_name_pattern = "{title} ({year}) - page {page:04}.jpg";
inline constexpr std::size_t max_file_name_bytes = 240;  // Commons' limit for a file name, in UTF-8 bytes

// Makes `name` a valid, readable Commons file name, the way MediaWiki would store it:
//  - NFC-normalised; the first letter upper-cased (MediaWiki does both on upload);
//  - characters MediaWiki forbids in titles ([ ] { } < > | #) and in file names (: / \)
//    replaced by readable look-alikes ("(", ")", "-"); control, direction-override and
//    invisible formatting characters removed; every kind of space and "_" made one space;
//  - sequences MediaWiki rejects or expands defused: "~~~" (signatures), "%41" (percent
//    escapes), "&amp;" (character references), a leading "." or a lone "." / "..";
//  - at most max_file_name_bytes bytes, cut on a character boundary (never between a
//    letter and its combining accents) before the extension, which is kept.
// An empty or all-forbidden stem becomes "Untitled". Throws MetadataError when `name`
// has no extension.
[[nodiscard]] std::string sanitize_file_name(std::string_view name);

// Commons file names for a book's pages from a pattern with the placeholders
//   {title} {author} {year} {date} {language} {publisher} {place} {institution}
//   {shelfmark} {wikidata} {book_id} {page} {page:0N} (page zero-padded to N digits)
// e.g. the default "{title} ({year}) - page {page:04}.jpg" gives
// "Flora Danica (1761) - page 0012.jpg". Names are sanitised (see sanitize_file_name)
// and unique among all names this namer has given or reserved, compared as MediaWiki
// compares them: ignoring the case of the first letter, "_" versus " ", and the
// extension, because MediaWiki refuses a file whose name differs from an existing one
// only after the last dot (UploadBase::getExistsWarning finds any file named "<stem>.*"
// and answers the warning exists-normalized). A clash gets " (2)", " (3)"...
class CommonsFileNamer {
public:
    // Throws MetadataError for an unknown placeholder, an unmatched brace, or a pattern
    // without an extension.
    explicit CommonsFileNamer(std::string pattern = std::string(default_file_name_pattern));

    [[nodiscard]] std::string name_for(const BookMetadata& book, const PageInfo& page);

    // The name of another file of the same page, e.g. the TIFF master beside the JPEG
    // access copy: `name`'s stem with " (<label>)" and `extension` (".tif"), e.g.
    // "Flora Danica (1761) - page 0012 (master).tif"; unique like name_for's.
    [[nodiscard]] std::string sibling_name(std::string_view name, std::string_view label, std::string_view extension);

    // Marks a name as taken (e.g. pages uploaded before a restart) so no page gets it again.
    void reserve(std::string_view name);

    [[nodiscard]] const std::string& pattern() const { return pattern_; }

private:
    // `name` sanitised, with " (<label>)" when given, made unique with a counter.
    [[nodiscard]] std::string unique_name(std::string_view name, std::string_view label);

    std::string pattern_;
    std::set<std::string> taken_;  // comparison keys of the names given so far
};

}  // namespace digikit::metadata
