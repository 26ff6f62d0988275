#pragma once

#include <string>
#include <string_view>

#include "digikit/metadata/book_metadata.hpp"

namespace digikit::metadata {

// The Commons name of the whole book as one file: "Title (year).djvu" (sanitised like
// every file name; "Title.djvu" without a date). `extension` includes the dot.
[[nodiscard]] std::string book_file_name(const BookMetadata& book, std::string_view extension);

// The category that gathers the book's page files on Commons: "Title (year) - pages".
// The book file links to it, and every page file is in it.
[[nodiscard]] std::string page_category(const BookMetadata& book);

// The description page of the book file: {{Book}} with every field, a description
// saying it is the whole book with a text layer, Other versions linking to the page
// category, the licence section, and the book's categories.
[[nodiscard]] std::string book_file_description(const BookMetadata& book, int pages);

// What a page file's description links to in Other versions: the book file.
[[nodiscard]] std::string book_file_link(std::string_view book_file_name);

// The wikitext of a Wikisource Index: page for the book file (Index:NAME on Wikisource):
// the index template with type, title, author, year, publisher, place, source file
// type, the file's first page as its image, the progress (to be proofread: the file has
// OCR text) and a <pagelist />.
[[nodiscard]] std::string wikisource_index(const BookMetadata& book, std::string_view book_file_name);

}  // namespace digikit::metadata
