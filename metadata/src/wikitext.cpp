#include "digikit/metadata/wikitext.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "digikit/metadata/commons_name.hpp"
#include "digikit/metadata/license_catalogue.hpp"
#include "text.hpp"

namespace digikit::metadata {

namespace {

// Characters with a wiki meaning somewhere in a line: links, templates, tags, entities,
// bold/italics, signatures, magic words, table cells, free links and list markers.
[[nodiscard]] std::string_view reference_for(char c)
{
    switch (c) {
        case '&': return "&amp;";
        case '<': return "&lt;";
        case '>': return "&gt;";
        case '[': return "&#91;";
        case ']': return "&#93;";
        case '{': return "&#123;";
        case '}': return "&#125;";
        case '|': return "&#124;";
        case '=': return "&#61;";
        case '\'': return "&#39;";
        case '~': return "&#126;";
        case '_': return "&#95;";
        case ':': return "&#58;";
        case '*': return "&#42;";
        case '#': return "&#35;";
        case ';': return "&#59;";
        case '!': return "&#33;";
        default: return {};
    }
}

// A URL as an external link target: validated on input (no spaces, brackets, pipes or
// quotes); "'" and "~" would still start bold text or a signature, so percent-encode them.
[[nodiscard]] std::string safe_url(std::string_view url)
{
    std::string out;
    for (const char c : url) {
        if (c == '\'') {
            out += "%27";
        } else if (c == '~') {
            out += "%7E";
        } else {
            out += c;
        }
    }
    return out;
}

[[nodiscard]] std::string author_wikitext(const std::vector<std::string>& authors)
{
    std::string text;
    for (const auto& author : authors) {
        if (!text.empty()) {
            text += "; ";
        }
        if (!is_unnamed_author(author)) {
            text += escape_wikitext(author);
        } else if (detail::trim(author).front() == 'a' || detail::trim(author).front() == 'A') {
            text += "{{Anonymous}}";
        } else {
            text += "{{Unknown|author}}";
        }
    }
    return text;
}

[[nodiscard]] std::string source_wikitext(const BookMetadata& book)
{
    std::string text = escape_wikitext(book.institution);
    if (!book.shelfmark.empty()) {
        text += (text.empty() ? "" : ", ") + escape_wikitext(book.shelfmark);
    }
    if (!book.source_url.empty()) {
        text += text.empty() ? "[" : " [";
        text += safe_url(book.source_url);
        text += " catalogue record]";
    }
    return text;
}

[[nodiscard]] std::string english(const std::string& escaped)
{
    return escaped.empty() ? escaped : "{{en|1=" + escaped + "}}";
}

[[nodiscard]] std::string page_text(const PageInfo& page)
{
    return page.page_number > 0 ? "Page " + std::to_string(page.page_number) : std::string();
}

// "{{Name\n |key = value\n ...}}" with the empty values left out.
[[nodiscard]] std::string template_call(std::string_view name,
                                        const std::vector<std::pair<std::string_view, std::string>>& params)
{
    std::string text = "{{" + std::string(name) + "\n";
    for (const auto& [key, value] : params) {
        if (!value.empty()) {
            text += " |" + std::string(key) + " = " + value + "\n";
        }
    }
    return text + "}}\n";
}

[[nodiscard]] std::string book_template(const BookMetadata& book, const PageInfo& page,
                                        const DescriptionOptions& options)
{
    const std::string description = options.description.empty() ? page_text(page) : options.description;
    return template_call("Book", {
                                     {"Author", author_wikitext(book.authors)},
                                     {"Title", escape_wikitext(book.title)},
                                     {"Publisher", escape_wikitext(book.publisher)},
                                     {"Publication date", escape_wikitext(book.date)},
                                     {"City", escape_wikitext(book.place)},
                                     {"Language", book.language.empty() ? "" : "{{language|" + book.language + "}}"},
                                     {"Description", english(escape_wikitext(description))},
                                     {"Image page", page.page_number > 0 ? std::to_string(page.page_number) : ""},
                                     {"Source", source_wikitext(book)},
                                     {"Other versions", options.other_versions},
                                     {"Wikidata", book.wikidata},
                                 });
}

[[nodiscard]] std::string information_template(const BookMetadata& book, const PageInfo& page,
                                               const DescriptionOptions& options)
{
    std::string description = book.title.empty() ? std::string() : "''" + escape_wikitext(book.title) + "''";
    if (const std::string where = options.description.empty() ? page_text(page) : options.description; !where.empty()) {
        description += (description.empty() ? "" : ", ") + escape_wikitext(where);
    }
    return template_call("Information", {
                                            {"description", english(description)},
                                            {"date", escape_wikitext(book.date)},
                                            {"source", source_wikitext(book)},
                                            {"author", author_wikitext(book.authors)},
                                            {"other versions", options.other_versions},
                                        });
}

}  // namespace

std::string escape_wikitext(std::string_view text)
{
    std::string out;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t length = detail::utf8_sequence_length(text, pos);
        if (length == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
            ++pos;
            continue;
        }
        const char32_t code_point = detail::decode_utf8(text, pos, length);
        if (detail::is_control(code_point)) {
            out += ' ';
        } else if (const auto reference = length == 1 ? reference_for(text[pos]) : std::string_view{};
                   !reference.empty()) {
            out += reference;
        } else if (out.empty() && (text[pos] == '-' || text[pos] == ' ')) {
            out += text[pos] == '-' ? "&#45;" : "&#32;";  // "----" rule / preformatted line at a line start
        } else {
            out.append(text.substr(pos, length));
        }
        pos += length;
    }
    return out;
}

std::string file_links(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& name : names) {
        // A valid name holds no brackets, pipes or "#", and "~~~" is defused: safe as a link target.
        if (sanitize_file_name(name) != name) {
            throw MetadataError("other versions: '" + name + "' is not a valid Commons file name");
        }
        text += (text.empty() ? "" : " ") + std::string("[[:File:") + name + "]]";
    }
    return text;
}

std::string license_section(const BookMetadata& book)
{
    const License* license = book.license.empty() ? nullptr : find_license(book.license);
    if (license == nullptr) {
        throw MetadataError(book.license.empty() ? "license: missing (a Commons page needs a licence)"
                                                 : "license: unknown licence '" + book.license + "'");
    }
    std::string tag(license->commons_wikitext);
    if (!license->commons_template_us_expired.empty() && book.date.size() >= 4 &&
        published_before_us_cutoff(std::stoi(book.date.substr(0, 4)))) {
        tag = "{{PD-scan|" + std::string(license->commons_template_us_expired) + "}}";
    }
    return "== {{int:license-header}} ==\n" + tag + "\n";
}

std::string page_description(const BookMetadata& book, const PageInfo& page, const DescriptionOptions& options)
{
    validate(book);
    std::string text = "== {{int:filedesc}} ==\n";
    text += options.template_kind == DescriptionTemplate::book ? book_template(book, page, options)
                                                               : information_template(book, page, options);
    text += '\n';
    text += license_section(book);
    text += '\n';
    std::vector<std::string> categories = book.categories;
    for (const auto& extra : options.extra_categories) {
        if (std::string name = normalize_category(extra);
            std::find(categories.begin(), categories.end(), name) == categories.end()) {
            categories.push_back(std::move(name));
        }
    }
    for (const auto& category : categories) {
        // Validated names hold no brackets or pipes; "&" and "~" still need references.
        std::string safe;
        for (const char c : category) {
            safe += c == '&' ? std::string("&amp;") : c == '~' ? std::string("&#126;") : std::string(1, c);
        }
        text += "[[Category:" + safe + "]]\n";
    }
    return text;
}

}  // namespace digikit::metadata
