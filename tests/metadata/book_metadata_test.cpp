#include "digikit/metadata/book_metadata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace digikit::metadata::book_metadata_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

[[nodiscard]] BookMetadata complete_book()
{
    BookMetadata book;
    book.title = "Flora Danica";
    book.authors = {"Georg Christian Oeder", "Otto Friedrich Müller"};
    book.date = "1761";
    book.language = "la";
    book.publisher = "Claudius Philibert";
    book.place = "København";
    book.institution = "Det Kongelige Bibliotek";
    book.shelfmark = "Fol. 123";
    book.source_url = "https://example.org/books/flora-danica";
    book.wikidata = "Q1418519";
    book.license = "PD-old-100";
    book.categories = {"Flora Danica", "Botanical illustrations"};
    return book;
}

[[nodiscard]] std::string error_of(const auto& action)
{
    try {
        action();
    } catch (const MetadataError& error) {
        return error.what();
    }
    return "(no error)";
}

void expect_same(const BookMetadata& a, const BookMetadata& b)
{
    EXPECT_EQ(field_values(a), field_values(b));
}

TEST(BookMetadata, RoundTripsThroughToml)
{
    const BookMetadata book = complete_book();
    const std::string toml = to_toml(book);
    EXPECT_THAT(toml, HasSubstr("title = 'Flora Danica'"));
    expect_same(parse_book_toml(toml, "book.toml"), book);
}

TEST(BookMetadata, RoundTripsUnicodeQuotesAndBackslashes)
{
    BookMetadata book;
    book.title = "كتاب الأغاني \"Kitāb\" 'al-Aghānī' C:\\path e\u0301 \u05E9\u05DC\u05D5\u05DD 🦉";
    book.authors = {"Abū al-Faraj al-Iṣfahānī", "O'Brien, Flann"};
    book.categories = {"Books in Arabic"};
    expect_same(parse_book_toml(to_toml(book), "book.toml"), book);
}

TEST(BookMetadata, EmptyBookGivesEmptyTomlAndBack)
{
    EXPECT_EQ(to_toml(BookMetadata{}), "");
    expect_same(parse_book_toml("", "book.toml"), BookMetadata{});
}

TEST(BookMetadata, ParsesHandWrittenToml)
{
    const BookMetadata book = parse_book_toml(R"(
# a comment
title = "  Der Struwwelpeter  "
authors = "Heinrich Hoffmann"
date = 1845
wikidata = "https://www.wikidata.org/wiki/Q161442"
license = "pd-old-100"
categories = ["Category:Der Struwwelpeter", "Children's books"]
)",
                                              "books/7/book.toml");
    EXPECT_EQ(book.title, "Der Struwwelpeter");
    EXPECT_THAT(book.authors, ElementsAre("Heinrich Hoffmann"));
    EXPECT_EQ(book.date, "1845");
    EXPECT_EQ(book.wikidata, "Q161442");
    EXPECT_EQ(book.license, "PD-old-100");
    EXPECT_THAT(book.categories, ElementsAre("Der Struwwelpeter", "Children's books"));
}

TEST(BookMetadata, ParseErrorsNameFileLineAndField)
{
    const auto parse = [](const std::string& text) {
        return error_of([&] { (void)parse_book_toml(text, "books/3/book.toml"); });
    };
    EXPECT_EQ(parse("title = \"A\"\nlicense = \"CC-XX\"\n").substr(0, 30), "books/3/book.toml:2: license: ");
    EXPECT_THAT(parse("title = \"A\"\nlicense = \"CC-XX\"\n"), HasSubstr("unknown licence 'CC-XX'"));
    EXPECT_THAT(parse("\n\nwikidata = \"X12\""),
                HasSubstr("books/3/book.toml:3: wikidata: 'X12' is not a Wikidata item id"));
    EXPECT_THAT(parse("date = \"1887-13-01\""), HasSubstr("book.toml:1: date: '1887-13-01' has no month 13"));
    EXPECT_THAT(parse("date = \"1900-02-29\""), HasSubstr("date: '1900-02-29' is not a calendar date"));
    EXPECT_THAT(parse("date = \"around 1900\""), HasSubstr("date: 'around 1900' is not a year"));
    EXPECT_THAT(parse("date = \"9999\""), HasSubstr("is in the future"));
    EXPECT_THAT(parse("title = \"\"\"two\nlines\"\"\""), HasSubstr("book.toml:1: title: must be a single line"));
    EXPECT_THAT(parse("title = \"tab\\there\""), HasSubstr("title: contains a control character"));
    EXPECT_THAT(parse("title = 12"), HasSubstr("title: must be a string"));
    EXPECT_THAT(parse("authors = [\"A\", \"  \"]"), HasSubstr("authors: empty author name"));
    EXPECT_THAT(parse("authors = [\"A\", 3]"), HasSubstr("authors: every entry must be a string"));
    EXPECT_THAT(parse("colour = \"red\""), HasSubstr("book.toml:1: colour: unknown field"));
    EXPECT_THAT(parse("language = \"english\""), HasSubstr("language: 'english' is not an ISO 639"));
    EXPECT_THAT(parse("source_url = \"ftp://x.org/a\""), HasSubstr("source_url: 'ftp://x.org/a' is not an http"));
    EXPECT_THAT(parse("categories = [\"Books [old]\"]"), HasSubstr("categories: 'Books [old]' contains '['"));
    EXPECT_THAT(parse("title = \"A\"\ntitle = \"B\""), HasSubstr("books/3/book.toml:2: not valid TOML"));
    EXPECT_THAT(parse("title = \"unterminated"), HasSubstr("books/3/book.toml:1: not valid TOML"));
}

TEST(BookMetadata, RejectsInvalidUtf8)
{
    const std::string text = "title = \"bad \xC3\x28 byte\"";
    EXPECT_THAT(error_of([&] { (void)parse_book_toml(text, "b.toml"); }), HasSubstr("b.toml:1"));
    BookMetadata book;
    EXPECT_THAT(error_of([&] { set_field(book, "title", "bad \xED\xA0\x80 surrogate"); }),
                HasSubstr("title: not valid UTF-8"));
}

TEST(BookMetadata, SetFieldAcceptsAliasesAndLists)
{
    BookMetadata book;
    set_field(book, "author", "Jacob Grimm, Wilhelm Grimm");
    EXPECT_THAT(book.authors, ElementsAre("Jacob Grimm", "Wilhelm Grimm"));
    set_field(book, "authors", "Grimm, Jacob; Grimm, Wilhelm");
    EXPECT_THAT(book.authors, ElementsAre("Grimm, Jacob", "Grimm, Wilhelm"));
    set_field(book, "year", "1812");
    EXPECT_EQ(book.date, "1812");
    set_field(book, "date", "1812-12-20");
    EXPECT_EQ(book.date, "1812-12-20");
    set_field(book, "licence", "cc-by-sa-4.0");
    EXPECT_EQ(book.license, "CC-BY-SA-4.0");
    set_field(book, "category", "Category:Grimms' Fairy Tales, Fairy tales");
    EXPECT_THAT(book.categories, ElementsAre("Grimms' Fairy Tales", "Fairy tales"));
    set_field(book, "wikidata", "q170583");
    EXPECT_EQ(book.wikidata, "Q170583");
    set_field(book, "language", "DE");
    EXPECT_EQ(book.language, "de");
    set_field(book, "publisher", "  Realschulbuchhandlung ");
    EXPECT_EQ(book.publisher, "Realschulbuchhandlung");
    set_field(book, "publisher", "");
    EXPECT_EQ(book.publisher, "");
    set_field(book, "authors", "");
    EXPECT_THAT(book.authors, IsEmpty());
}

TEST(BookMetadata, SetFieldRejectsBadValuesAndLeavesBookUnchanged)
{
    BookMetadata book = complete_book();
    const BookMetadata before = book;
    EXPECT_EQ(error_of([&] { set_field(book, "license", "CC-XX"); }).substr(0, 34),
              "license: unknown licence 'CC-XX' (");
    EXPECT_THAT(error_of([&] { set_field(book, "wikidata", "Q0"); }),
                HasSubstr("wikidata: 'Q0' is not a Wikidata item id"));
    EXPECT_THAT(error_of([&] { set_field(book, "wikidata", "Q12x"); }), HasSubstr("wikidata: 'Q12x'"));
    EXPECT_THAT(error_of([&] { set_field(book, "wikidata", "https://www.wikidata.org/wiki/"); }),
                HasSubstr("is not a Wikidata item id"));
    EXPECT_THAT(error_of([&] { set_field(book, "title", "Line one\nLine two"); }),
                HasSubstr("title: must be a single line"));
    EXPECT_THAT(error_of([&] { set_field(book, "title", "para\u2029graph"); }),
                HasSubstr("title: must be a single line"));
    EXPECT_THAT(error_of([&] { set_field(book, "author", "A,,B"); }), HasSubstr("authors: empty author name"));
    EXPECT_THAT(error_of([&] { set_field(book, "date", "1887-02-30"); }), HasSubstr("date: '1887-02-30'"));
    EXPECT_THAT(error_of([&] { set_field(book, "colour", "red"); }), HasSubstr("colour: unknown field"));
    EXPECT_THAT(error_of([&] { set_field(book, "title", std::string(max_value_bytes + 1, 'x')); }),
                HasSubstr("title: too long"));
    expect_same(book, before);
}

TEST(BookMetadata, AcceptsLongRtlAndCombiningTitles)
{
    BookMetadata book;
    const std::string long_title(500, 'a');
    set_field(book, "title", long_title);
    EXPECT_EQ(book.title, long_title);
    const std::string rtl = "\u05E1\u05E4\u05E8 \u05D4\u05D6\u05D5\u05D4\u05E8 \u202Bembedded\u202C";
    set_field(book, "title", rtl);
    EXPECT_EQ(parse_book_toml(to_toml(book), "b.toml").title, rtl);
    const std::string combining = "Ame\u0301lie Z\u0336a\u0336l\u0336g\u0336o";
    set_field(book, "title", combining);
    EXPECT_EQ(parse_book_toml(to_toml(book), "b.toml").title, combining);
}

TEST(BookMetadata, MissingForUploadListsWhatCommonsNeeds)
{
    EXPECT_THAT(missing_for_upload(complete_book()), IsEmpty());
    const auto missing = missing_for_upload(BookMetadata{});
    ASSERT_EQ(missing.size(), 5U);
    EXPECT_EQ(missing[0], "title");
    EXPECT_THAT(missing[1], HasSubstr("authors"));
    EXPECT_EQ(missing[2], "date");
    EXPECT_EQ(missing[3], "license");
    EXPECT_THAT(missing[4], HasSubstr("institution or source_url"));
}

TEST(BookMetadata, AnonymousAuthorSatisfiesUpload)
{
    BookMetadata book = complete_book();
    book.authors = {"Anonymous"};
    EXPECT_THAT(missing_for_upload(book), IsEmpty());
    EXPECT_TRUE(is_unnamed_author("anonymous"));
    EXPECT_TRUE(is_unnamed_author(" Unknown "));
    EXPECT_FALSE(is_unnamed_author("Anonymous Society"));
}

TEST(BookMetadata, MissingForUploadReportsInvalidValuesInCodeBuiltBooks)
{
    BookMetadata book = complete_book();
    book.license = "CC-XX";
    book.authors = {""};
    book.title = "bad\nline";
    const auto missing = missing_for_upload(book);
    ASSERT_EQ(missing.size(), 3U);
    EXPECT_THAT(missing[0], HasSubstr("title: must be a single line"));
    EXPECT_THAT(missing[1], HasSubstr("authors: empty author name"));
    EXPECT_THAT(missing[2], HasSubstr("license: unknown licence"));
    EXPECT_THAT(error_of([&] { validate(book); }), HasSubstr("title: must be a single line"));
}

// The writer applies the reader's rules: what to_toml accepts, parse_book_toml reads back.
TEST(BookMetadata, WriterRefusesWhatTheReaderWouldRefuse)
{
    for (const std::string& category :
         {std::string("Maps|Atlases"), std::string("]]{{Delete}}[["), std::string(""), std::string("  "),
          std::string(5000, 'c'), std::string(max_category_bytes + 1, 'c'), std::string("category:category:"),
          std::string("Category:_Category:Maps")}) {
        BookMetadata book = complete_book();
        book.categories = {"Atlases", category};
        EXPECT_THAT(error_of([&] { (void)to_toml(book); }), HasSubstr("categories: ")) << category.substr(0, 20);
    }
    BookMetadata book = complete_book();
    book.license = "All-rights-reserved";
    EXPECT_THAT(error_of([&] { (void)to_toml(book); }), HasSubstr("license: unknown licence 'All-rights-reserved'"));
    book = complete_book();
    book.language = "english!";
    EXPECT_THAT(error_of([&] { (void)to_toml(book); }), HasSubstr("language: 'english!' is not an ISO 639"));
    book = complete_book();
    book.institution = std::string(5000, 'i');
    EXPECT_THAT(error_of([&] { (void)to_toml(book); }), HasSubstr("institution: too long (5000 bytes"));
    book = complete_book();
    book.categories = {std::string(max_category_bytes, 'c')};
    EXPECT_THAT(parse_book_toml(to_toml(book), "b.toml").categories, ElementsAre(std::string(max_category_bytes, 'c')));
}

TEST(BookMetadata, WriterStoresTheNormalizedBook)
{
    BookMetadata book;
    book.title = "  Flora  ";
    book.license = "pd-old-70";
    book.language = "DE";
    book.categories = {"Category:Flora_Danica", "Flora Danica", "Flora__Danica_", "_Flora _ Danica"};
    const BookMetadata stored = parse_book_toml(to_toml(book), "b.toml");
    EXPECT_EQ(stored.title, "Flora");
    EXPECT_EQ(stored.license, "PD-old-70");
    EXPECT_EQ(stored.language, "de");
    EXPECT_THAT(stored.categories, ElementsAre("Flora Danica"));
    expect_same(normalized(book), stored);
    // What is stored reads back the same (a fuzzer found "Flora Danic_" stored with a trailing space).
    EXPECT_EQ(to_toml(stored), to_toml(normalized(book)));
}

// A book.toml broken by hand: what is valid is kept, each bad field is named with its line.
TEST(BookMetadata, TolerantReaderKeepsValidFieldsAndNamesTheOthers)
{
    const BookFile file = read_book_toml(
        "title = \"Atlas\"\ncategories = [\"Maps|Atlases\"]\nlicense = \"PD-old-70\"\n"
        "colour = \"red\"\n",
        "books/1/book.toml");
    EXPECT_EQ(file.book.title, "Atlas");
    EXPECT_EQ(file.book.license, "PD-old-70");
    EXPECT_THAT(file.book.categories, IsEmpty());
    ASSERT_EQ(file.problems.size(), 2U);
    EXPECT_EQ(file.problems[0].field, "categories");
    EXPECT_THAT(file.problems[0].message, HasSubstr("books/1/book.toml:2: categories: 'Maps|Atlases' contains '|'"));
    EXPECT_EQ(file.problems[1].field, "");
    EXPECT_THAT(file.problems[1].message, HasSubstr("books/1/book.toml:4: colour: unknown field"));

    const BookFile broken = read_book_toml("title = \"unterminated\n", "b.toml");
    ASSERT_EQ(broken.problems.size(), 1U);
    EXPECT_EQ(broken.problems[0].field, "");
    EXPECT_THAT(broken.problems[0].message, HasSubstr("b.toml:1: not valid TOML"));
    EXPECT_THAT(read_book_toml(to_toml(complete_book()), "b.toml").problems, IsEmpty());
}

TEST(BookMetadata, SetFieldReturnsTheBookTomlKey)
{
    BookMetadata book;
    EXPECT_EQ(set_field(book, "category", "Maps"), "categories");
    EXPECT_EQ(set_field(book, "licence", "CC0-1.0"), "license");
    EXPECT_EQ(set_field(book, "title", "T"), "title");
}

TEST(BookMetadata, PdUsExpiredNeedsOldPublication)
{
    BookMetadata book = complete_book();
    book.license = "PD-US-expired";
    EXPECT_THAT(missing_for_upload(book), IsEmpty());
    book.date = "1990";
    const auto missing = missing_for_upload(book);
    ASSERT_EQ(missing.size(), 1U);
    EXPECT_THAT(missing[0], HasSubstr("too recent for PD-US-expired"));
}

}  // namespace
}  // namespace digikit::metadata::book_metadata_test
