#include "digikit/metadata/wikitext.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "digikit/metadata/book_file_wikitext.hpp"
#include "temp_dir.hpp"

namespace digikit::metadata::wikitext_test {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Parses wikitext with mwparserfromhell (tests/metadata/parse_wikitext.py, system python).
[[nodiscard]] json parse_with_mwparserfromhell(const std::string& wikitext)
{
    const testing::TempDir dir;
    const auto file = dir / "page.wiki";
    std::ofstream(file, std::ios::binary) << wikitext;
    const std::string command = std::string("/usr/bin/python3 '") + DIGIKIT_SOURCE_DIR +
                                "/tests/metadata/parse_wikitext.py' '" + file.string() + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    std::string output;
    std::array<char, 4096> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
        output.append(buffer.data(), n);
    }
    EXPECT_EQ(::pclose(pipe.release()), 0) << command;
    return json::parse(output);
}

[[nodiscard]] std::vector<std::string> template_names(const json& page)
{
    std::vector<std::string> names;
    for (const auto& t : page.at("templates")) {
        names.push_back(t.at("name"));
    }
    return names;
}

[[nodiscard]] const json& param(const json& page, std::size_t template_index, const std::string& name)
{
    return page.at("templates").at(template_index).at("params").at(name);
}

[[nodiscard]] BookMetadata sample_book()
{
    BookMetadata book;
    book.title = "Kalevala";
    book.authors = {"Elias Lönnrot", "Ἀνώνυμος Ποιητής"};
    book.date = "1849";
    book.language = "fi";
    book.publisher = "Suomalaisen Kirjallisuuden Seura";
    book.place = "Helsinki";
    book.institution = "Kansalliskirjasto";
    book.shelfmark = "Fenn. 1849:3";
    book.source_url = "https://example.org/record?id=12&lang=fi";
    book.wikidata = "Q152306";
    book.license = "PD-old-70";
    book.categories = {"Kalevala", "Books in Finnish"};
    return book;
}

[[nodiscard]] PageInfo page_12()
{
    PageInfo page;
    page.page_number = 12;
    page.book_id = "kalevala";
    return page;
}

TEST(Wikitext, BookTemplateHasEveryFieldLicenceAndCategories)
{
    const std::string wikitext =
        page_description(sample_book(), page_12(),
                         {.extra_categories = {"Scanned with digikit"}, .description = {}, .other_versions = {}});
    const json page = parse_with_mwparserfromhell(wikitext);
    EXPECT_THAT(template_names(page), ElementsAre("Book", "PD-scan")) << wikitext;
    EXPECT_THAT(page.at("headings"), ElementsAre("{{int:filedesc}}", "{{int:license-header}}"));
    EXPECT_EQ(param(page, 0, "Author").at("text"), "Elias Lönnrot; Ἀνώνυμος Ποιητής");
    EXPECT_EQ(param(page, 0, "Title").at("text"), "Kalevala");
    EXPECT_EQ(param(page, 0, "Publisher").at("text"), "Suomalaisen Kirjallisuuden Seura");
    EXPECT_EQ(param(page, 0, "Publication date").at("text"), "1849");
    EXPECT_EQ(param(page, 0, "City").at("text"), "Helsinki");
    EXPECT_THAT(param(page, 0, "Language").at("templates"), ElementsAre("language"));
    EXPECT_THAT(param(page, 0, "Description").at("templates"), ElementsAre("en"));
    EXPECT_EQ(param(page, 0, "Image page").at("text"), "12");
    EXPECT_EQ(param(page, 0, "Source").at("text"),
              "Kansalliskirjasto, Fenn. 1849:3 [https://example.org/record?id=12&lang=fi]");
    EXPECT_EQ(param(page, 0, "Wikidata").at("text"), "Q152306");
    // published 1849: the licence covering the US as well, wrapped as a faithful scan
    EXPECT_EQ(param(page, 1, "1").at("text"), "PD-old-70-expired");
    EXPECT_THAT(page.at("categories"), ElementsAre("Kalevala", "Books in Finnish", "Scanned with digikit"));
    EXPECT_THAT(page.at("links"),
                ElementsAre("Category:Kalevala", "Category:Books in Finnish", "Category:Scanned with digikit"));
    EXPECT_EQ(page.at("tags"), 0);
    EXPECT_EQ(page.at("text"), "");
}

TEST(Wikitext, InformationTemplateAlternative)
{
    const std::string wikitext = page_description(sample_book(), page_12(),
                                                  {.template_kind = DescriptionTemplate::information,
                                                   .extra_categories = {},
                                                   .description = {},
                                                   .other_versions = {}});
    const json page = parse_with_mwparserfromhell(wikitext);
    EXPECT_THAT(template_names(page), ElementsAre("Information", "PD-scan"));
    EXPECT_THAT(param(page, 0, "description").at("templates"), ElementsAre("en"));
    EXPECT_EQ(param(page, 0, "date").at("text"), "1849");
    EXPECT_EQ(param(page, 0, "author").at("text"), "Elias Lönnrot; Ἀνώνυμος Ποιητής");
    EXPECT_THAT(wikitext, HasSubstr("{{en|1=''Kalevala'', Page 12}}"));
}

TEST(Wikitext, OtherVersionsLinkTheOtherFilesOfThePage)
{
    const std::string master = "Kalevala (1849) - page 0012 (master).tif";
    DescriptionOptions options;
    options.other_versions = file_links({master});
    const json book = parse_with_mwparserfromhell(page_description(sample_book(), page_12(), options));
    EXPECT_EQ(param(book, 0, "Other versions").at("other"), 1);  // one link, nothing else
    EXPECT_THAT(book.at("links"), ::testing::Contains(":File:" + master));
    options.template_kind = DescriptionTemplate::information;
    const json information = parse_with_mwparserfromhell(page_description(sample_book(), page_12(), options));
    EXPECT_EQ(param(information, 0, "other versions").at("other"), 1);
    EXPECT_THAT(information.at("links"), ::testing::Contains(":File:" + master));
    // Without other files the field is left out.
    EXPECT_THAT(page_description(sample_book(), page_12()), ::testing::Not(HasSubstr("Other versions")));
    // A name that is not a valid file name could break the page: refused.
    EXPECT_THROW((void)file_links({"X]] [[Category:Spam.tif"}), MetadataError);
    EXPECT_EQ(file_links({"A.jpg", "B (master).tif"}), "[[:File:A.jpg]] [[:File:B (master).tif]]");
}

TEST(Wikitext, HostileTitlesCannotBreakThePage)
{
    const std::vector<std::string> titles = {
        "[[Main Page]] {{delete}} a|b=c <script>alert(1)</script> ~~~~ __NOTOC__ '''bold''' ''it''",
        "}} {{Information|description=x}} [[Category:Spam]] {{!}} &amp; &#124; <!-- c --> <nowiki>",
        "#REDIRECT [[Elsewhere]]",
        "* list ; term : def ---- {| table |} !! ||",
        "----",
        "http://example.org/ [http://evil.example x] ISBN 0-306-40615-2 RFC 1234",
        std::string(500, 'x') + "|}}",
        // a deliberate right-to-left override, Hebrew, a combining accent and Arabic
        std::string("\u05E1\u05E4\u05E8 \u05D4\u05D6\u05D5\u05D4\u05E8 \u202E}}[[x]]") +  // NOLINT
            " Ame\u0301lie \u0627\u0644\u0643\u062A\u0627\u0628",
        "{{{1}}} {{{|safesubst:}}} {{subst:PAGENAME}} {{#if:a|b}} __ _ _",
    };
    for (const auto& title : titles) {
        BookMetadata book = sample_book();
        book.title = title;
        book.authors = {title};
        book.publisher = title;
        book.place = title;
        book.shelfmark = title;
        const std::string wikitext = page_description(book, page_12());
        const json page = parse_with_mwparserfromhell(wikitext);
        EXPECT_THAT(template_names(page), ElementsAre("Book", "PD-scan")) << wikitext;
        for (const std::string name : {"Title", "Author", "Publisher", "City"}) {
            EXPECT_EQ(param(page, 0, name).at("text"), title) << name << "\n" << wikitext;
            EXPECT_THAT(param(page, 0, name).at("templates"), IsEmpty()) << name;
            EXPECT_EQ(param(page, 0, name).at("other"), 0) << name;
        }
        EXPECT_THAT(page.at("categories"), ElementsAre("Kalevala", "Books in Finnish")) << wikitext;
        EXPECT_EQ(page.at("links").size(), 2U) << wikitext;
        EXPECT_EQ(page.at("tags"), 0) << wikitext;
        EXPECT_EQ(page.at("comments"), 0) << wikitext;
        EXPECT_EQ(page.at("external_links").size(), 1U) << wikitext;  // the catalogue record only
        EXPECT_EQ(page.at("text"), "") << wikitext;
        // MediaWiki's pre-save transform acts on raw text, before any parser: no signatures,
        // no substitutions, no magic words.
        EXPECT_EQ(wikitext.find("~~~"), std::string::npos);
        EXPECT_EQ(wikitext.find("subst:"), std::string::npos);
        EXPECT_EQ(wikitext.find("__"), std::string::npos);
    }
}

TEST(Wikitext, EscapingAlwaysGivesOneLine)
{
    const std::string escaped = escape_wikitext(
        "a\nb\r\nc\x01"
        "d");
    EXPECT_EQ(escaped.find_first_of("\r\n\x01"), std::string::npos);
    EXPECT_EQ(escape_wikitext("Flora Danica"), "Flora Danica");
    EXPECT_EQ(escape_wikitext("a|b"), "a&#124;b");
    EXPECT_EQ(escape_wikitext("bad \xC3 byte"), "bad \xEF\xBF\xBD byte");
}

TEST(Wikitext, AnonymousAndUnknownAuthorsUseCommonsTemplates)
{
    BookMetadata book = sample_book();
    book.authors = {"anonymous", "Unknown", "Jane Doe"};
    const json page = parse_with_mwparserfromhell(page_description(book, page_12()));
    EXPECT_THAT(param(page, 0, "Author").at("templates"), ElementsAre("Anonymous", "Unknown"));
    EXPECT_EQ(param(page, 0, "Author").at("text"), "{{Anonymous}}; {{Unknown}}; Jane Doe");
}

TEST(Wikitext, LicenceSectionForEachLicence)
{
    BookMetadata book = sample_book();
    const auto licence_template = [&](const std::string& key, const std::string& date) {
        book.license = key;
        book.date = date;
        const json page = parse_with_mwparserfromhell(license_section(book));
        std::string text = page.at("templates").at(0).at("name");
        for (const auto& [name, value] : page.at("templates").at(0).at("params").items()) {
            text += "|" + value.at("text").get<std::string>();
        }
        return text;
    };
    EXPECT_EQ(licence_template("PD-old-70", "1849"), "PD-scan|PD-old-70-expired");
    EXPECT_EQ(licence_template("PD-old-70", "1950"), "PD-scan|PD-old-70");
    EXPECT_EQ(licence_template("PD-old-100", "1801"), "PD-scan|PD-old-100-expired");
    EXPECT_EQ(licence_template("PD-old-100", "1960-01-01"), "PD-scan|PD-old-100");
    EXPECT_EQ(licence_template("PD-US-expired", "1900"), "PD-scan|PD-US-expired");
    EXPECT_EQ(licence_template("CC0-1.0", "2020"), "cc-zero");
    EXPECT_EQ(licence_template("CC-BY-4.0", "2020"), "cc-by-4.0");
    EXPECT_EQ(licence_template("CC-BY-SA-4.0", ""), "cc-by-sa-4.0");
}

TEST(Wikitext, MissingOrBadMetadataIsAnError)
{
    BookMetadata book = sample_book();
    book.license.clear();
    EXPECT_THROW((void)page_description(book, page_12()), MetadataError);
    book.license = "CC-XX";
    EXPECT_THROW((void)page_description(book, page_12()), MetadataError);
    book = sample_book();
    book.authors = {""};
    EXPECT_THROW((void)page_description(book, page_12()), MetadataError);
    book = sample_book();
    book.title = "two\nlines";
    EXPECT_THROW((void)page_description(book, page_12()), MetadataError);
    EXPECT_THROW((void)page_description(sample_book(), page_12(),
                                        {.extra_categories = {"Bad [[x]]"}, .description = {}, .other_versions = {}}),
                 MetadataError);
}

TEST(Wikitext, WikisourceIndexNamesTheInstitutionOnlyWhenThereIsOne)
{
    BookMetadata book = sample_book();
    EXPECT_THAT(wikisource_index(book, "Kalevala (1849).djvu"),
                HasSubstr("|Remarks=Scanned at Kansalliskirjasto; file: [[commons:File:Kalevala (1849).djvu]]\n"));
    book.institution.clear();
    const std::string index = wikisource_index(book, "Kalevala (1849).djvu");
    EXPECT_THAT(index, HasSubstr("|Remarks=file: [[commons:File:Kalevala (1849).djvu]]\n"));
    EXPECT_THAT(index, Not(HasSubstr("Scanned at")));
}

}  // namespace
}  // namespace digikit::metadata::wikitext_test
