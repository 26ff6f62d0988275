#include "digikit/metadata/book_file_wikitext.hpp"

#include "digikit/metadata/commons_name.hpp"
#include "digikit/metadata/wikitext.hpp"

namespace digikit::metadata {
namespace {

std::string title_and_year(const BookMetadata& book)
{
    std::string text = book.title.empty() ? "Untitled" : book.title;
    if (book.date.size() >= 4) text += " (" + book.date.substr(0, 4) + ")";
    return text;
}

// A Wikisource author link, or the plain conventions for works without a named author.
std::string author_link(const std::string& author)
{
    if (is_unnamed_author(author)) return author.front() == 'a' || author.front() == 'A' ? "Anonymous" : "Unknown";
    return "[[Author:" + escape_wikitext(author) + "|" + escape_wikitext(author) + "]]";
}

}  // namespace

std::string book_file_name(const BookMetadata& book, std::string_view extension)
{
    return sanitize_file_name(title_and_year(book) + std::string(extension));
}

std::string page_category(const BookMetadata& book)
{
    // The file-name rules make it a valid title too (no brackets, pipes, colons).
    const std::string name = sanitize_file_name(title_and_year(book) + " - pages.x");
    return normalize_category(name.substr(0, name.size() - 2));
}

std::string book_file_description(const BookMetadata& book, int pages)
{
    DescriptionOptions options;
    options.description =
        "The whole book as one file (" + std::to_string(pages) + " pages), with a text layer from OCR, for Wikisource";
    options.other_versions = "[[:Category:" + escape_wikitext(page_category(book)) + "|each page as a file]]";
    return page_description(book, PageInfo{}, options);
}

std::string book_file_link(std::string_view book_file_name)
{
    return "[[:File:" + escape_wikitext(book_file_name) + "|the whole book as one file]]";
}

std::string wikisource_index(const BookMetadata& book, std::string_view book_file_name)
{
    validate(book);
    std::string authors;
    for (const auto& author : book.authors) authors += (authors.empty() ? "" : ", ") + author_link(author);
    const std::string extension(book_file_name.substr(book_file_name.rfind('.') + 1));
    const std::pair<const char*, std::string> fields[] = {
        {"Type", "book"},
        {"Title", book.title.empty() ? "" : "[[" + escape_wikitext(book.title) + "]]"},
        {"Language", book.language},
        {"Author", authors},
        {"Publisher", escape_wikitext(book.publisher)},
        {"Address", escape_wikitext(book.place)},
        {"Year", escape_wikitext(book.date.substr(0, 4))},
        {"Source", extension},  // the file type Wikisource shows: djvu or pdf
        {"Image", "1"},
        {"Progress", "T"},  // to be proofread: the file already carries OCR text
        {"Pages", "<pagelist />"},
        {"Remarks", (book.institution.empty() ? "" : "Scanned at " + escape_wikitext(book.institution) + "; ") +
                        "file: [[commons:File:" + escape_wikitext(book_file_name) + "]]"},
    };
    std::string text = "{{:MediaWiki:Proofreadpage_index_template\n";
    for (const auto& [key, value] : fields) text += "|" + std::string(key) + "=" + value + "\n";
    return text + "}}\n";
}

}  // namespace digikit::metadata
