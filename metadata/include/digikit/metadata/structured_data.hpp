#pragma once

#include <string>

#include "digikit/metadata/book_metadata.hpp"

namespace digikit::metadata {

// The structured data of a page's file on Commons, as the JSON `data` argument of the
// Wikibase API action wbeditentity ({"claims": [...]}):
//  - P6216 copyright status (public domain / copyrighted / dedicated to the public domain)
//    with, for public domain, the qualifiers P1001 applies to jurisdiction and
//    P459 determination method;
//  - P275 copyright licence for CC licences;
//  - P6243 digital representation of: the book's Wikidata item, when known.
// Throws MetadataError when the licence is empty or unknown.
[[nodiscard]] std::string structured_data_json(const BookMetadata& book);

}  // namespace digikit::metadata
