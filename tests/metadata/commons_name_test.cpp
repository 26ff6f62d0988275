#include "digikit/metadata/commons_name.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace digikit::metadata::commons_name_test {
namespace {

using ::testing::HasSubstr;

[[nodiscard]] BookMetadata book_titled(std::string title)
{
    BookMetadata book;
    book.title = std::move(title);
    book.date = "1761";
    book.authors = {"Georg Christian Oeder"};
    return book;
}

[[nodiscard]] PageInfo page_number(int number)
{
    PageInfo page;
    page.page_number = number;
    page.book_id = "b1";
    return page;
}

// What MediaWiki refuses in a file name (Title::getTitleInvalidRegex, $wgIllegalFileChars).
void expect_valid_commons_name(const std::string& name)
{
    EXPECT_LE(name.size(), max_file_name_bytes) << name;
    EXPECT_EQ(name.find_first_of("#<>[]|{}:/\\"), std::string::npos) << name;
    EXPECT_EQ(name.find("~~~"), std::string::npos) << name;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        EXPECT_GE(c, 0x20) << name;
        EXPECT_NE(c, 0x7F) << name;
    }
    EXPECT_NE(name.front(), ' ');
    EXPECT_NE(name.front(), '.');
    EXPECT_EQ(name.find("  "), std::string::npos) << name;
}

TEST(CommonsFileNamer, DefaultPattern)
{
    CommonsFileNamer namer;
    EXPECT_EQ(namer.name_for(book_titled("Flora Danica"), page_number(12)), "Flora Danica (1761) - page 0012.jpg");
    EXPECT_EQ(namer.name_for(book_titled("Flora Danica"), page_number(12345)), "Flora Danica (1761) - page 12345.jpg");
}

TEST(CommonsFileNamer, CustomPatternWithEveryPlaceholder)
{
    BookMetadata book = book_titled("Opera");
    book.institution = "BnF";
    book.shelfmark = "Rés. 123";
    book.wikidata = "Q42";
    book.date = "1761-05-02";
    CommonsFileNamer namer("{institution} {shelfmark} - {author} - {title} {date} {wikidata} {book_id} p{page}.TIF");
    EXPECT_EQ(namer.name_for(book, page_number(7)),
              "BnF Rés. 123 - Georg Christian Oeder - Opera 1761-05-02 Q42 b1 p7.tif");
}

TEST(CommonsFileNamer, RejectsBadPatterns)
{
    const auto error_of = [](const std::string& pattern) -> std::string {
        try {
            CommonsFileNamer namer(pattern);
        } catch (const MetadataError& error) {
            return error.what();
        }
        return "(no error)";
    };
    EXPECT_THAT(error_of("{titel} {page}.jpg"), HasSubstr("unknown placeholder '{titel}'"));
    EXPECT_THAT(error_of("{title {page}.jpg"), HasSubstr("file name pattern"));
    EXPECT_THAT(error_of("{title} page}.jpg"), HasSubstr("unmatched '}'"));
    EXPECT_THAT(error_of("{title} {page:4}.jpg"), HasSubstr("bad format '{page:4}'"));
    EXPECT_THAT(error_of("{title:04} {page}.jpg"), HasSubstr("bad format"));
    EXPECT_THAT(error_of("{title} {page}"), HasSubstr("has no file extension"));
}

TEST(CommonsFileNamer, ForbiddenCharactersAndWikiSyntaxAreReplaced)
{
    CommonsFileNamer namer;
    const std::string name = namer.name_for(
        book_titled("[[Link]] {{Template}} a|b #5 <i>x</i> C:\\dir/sub ~~~~ 100%41 &amp; R&D"), page_number(1));
    expect_valid_commons_name(name);
    EXPECT_EQ(name, "((Link)) ((Template)) a-b -5 (i)x(-i) C - -dir-sub ~~ 100% 41 & amp; R&D (1761) - page 0001.jpg");
}

TEST(CommonsFileNamer, ControlAndInvisibleCharactersAreRemovedAndSpacesUnified)
{
    CommonsFileNamer namer;
    // The direction override (U+202E) is deliberate: the namer must remove it.
    const std::string title = std::string("a\tb\nc\x7f") + "d\u200Ee\u202Ef\u00A0g\u3000h__i\u00ADj   k";  // NOLINT
    const std::string name = namer.name_for(book_titled(title), page_number(1));
    expect_valid_commons_name(name);
    EXPECT_EQ(name, "A b cdef g h ij k (1761) - page 0001.jpg");
}

TEST(CommonsFileNamer, LongTitleIsCutOnACharacterBoundaryKeepingTheExtension)
{
    CommonsFileNamer namer("{title}.jpg");
    std::string title;
    for (int i = 0; i < 500; ++i) {
        title += "e\u0301";  // 'e' + combining acute: NFC makes it one 2-byte 'é'
    }
    const std::string name = namer.name_for(book_titled(title), page_number(1));
    expect_valid_commons_name(name);
    EXPECT_TRUE(name.ends_with(".jpg"));
    EXPECT_EQ(name.size(), 240U);  // "É" + 117 × "é" + ".jpg": 236 bytes of whole letters
    EXPECT_TRUE(name.starts_with("\u00C9\u00E9\u00E9"));

    std::string letters_with_marks;  // Hebrew letter + two combining points, not composable
    for (int i = 0; i < 100; ++i) {
        letters_with_marks += "\u05D1\u05BC\u05B0";
    }
    const std::string hebrew = namer.name_for(book_titled(letters_with_marks), page_number(1));
    expect_valid_commons_name(hebrew);
    const std::string stem = hebrew.substr(0, hebrew.size() - 4);
    EXPECT_EQ(stem.size() % 6, 0U) << "a letter was separated from its points";
}

TEST(CommonsFileNamer, NamesAreUniqueWithinABook)
{
    CommonsFileNamer namer("{title}.jpg");
    const BookMetadata book = book_titled("Same");
    EXPECT_EQ(namer.name_for(book, page_number(1)), "Same.jpg");
    EXPECT_EQ(namer.name_for(book, page_number(2)), "Same (2).jpg");
    EXPECT_EQ(namer.name_for(book, page_number(3)), "Same (3).jpg");
    namer.reserve("Other_name.jpg");
    EXPECT_EQ(namer.name_for(book_titled("other name"), page_number(4)), "Other name (2).jpg");
    CommonsFileNamer long_names("{title}.jpg");
    const BookMetadata long_book = book_titled(std::string(300, 'x'));
    const std::string first = long_names.name_for(long_book, page_number(1));
    const std::string second = long_names.name_for(long_book, page_number(2));
    EXPECT_NE(first, second);
    EXPECT_LE(second.size(), max_file_name_bytes);
    EXPECT_TRUE(second.ends_with(" (2).jpg"));
}

// MediaWiki answers exists-normalized to "X.tif" when "X.jpg" exists (any "X.*"), so two
// files of a page never share a stem.
TEST(CommonsFileNamer, NamesDifferInTheStemNotOnlyInTheExtension)
{
    CommonsFileNamer namer;
    const std::string jpeg = namer.name_for(book_titled("Flora Danica"), page_number(12));
    EXPECT_EQ(jpeg, "Flora Danica (1761) - page 0012.jpg");
    EXPECT_EQ(namer.sibling_name(jpeg, "master", ".tif"), "Flora Danica (1761) - page 0012 (master).tif");
    // The same stem with another extension counts as taken.
    CommonsFileNamer tiff_names("{title}.tif");
    tiff_names.reserve("Flora.jpg");
    EXPECT_EQ(tiff_names.name_for(book_titled("Flora"), page_number(1)), "Flora (2).tif");
    // A long name keeps its label and extension within the limit.
    CommonsFileNamer long_names("{title}.jpg");
    const std::string long_jpeg = long_names.name_for(book_titled(std::string(300, 'x')), page_number(1));
    const std::string long_tiff = long_names.sibling_name(long_jpeg, "master", ".tif");
    expect_valid_commons_name(long_tiff);
    EXPECT_TRUE(long_tiff.ends_with(" (master).tif")) << long_tiff;
    const std::string again = long_names.sibling_name(long_jpeg, "master", ".tif");
    EXPECT_TRUE(again.ends_with(" (master) (2).tif")) << again;
    EXPECT_LE(again.size(), max_file_name_bytes);
}

TEST(CommonsFileNamer, RightToLeftAndUnicodeTitlesStayReadable)
{
    CommonsFileNamer namer;
    const std::string name =
        namer.name_for(book_titled("\u05E1\u05E4\u05E8 \u05D4\u05D6\u05D5\u05D4\u05E8"), page_number(3));
    expect_valid_commons_name(name);
    EXPECT_EQ(name, "\u05E1\u05E4\u05E8 \u05D4\u05D6\u05D5\u05D4\u05E8 (1761) - page 0003.jpg");
    EXPECT_EQ(namer.name_for(book_titled("élan vital"), page_number(1)), "Élan vital (1761) - page 0001.jpg");
}

TEST(CommonsFileNamer, EmptyValuesGiveAReadableName)
{
    CommonsFileNamer namer;
    BookMetadata book;
    EXPECT_EQ(namer.name_for(book, page_number(5)), "Page 0005.jpg");
    book.title = "[[]] ...";
    const std::string name = namer.name_for(book, page_number(6));
    expect_valid_commons_name(name);
    EXPECT_EQ(sanitize_file_name("....jpg"), "Untitled.jpg");
    EXPECT_EQ(sanitize_file_name("a:b.JPEG"), "A - b.jpeg");
    EXPECT_THROW((void)sanitize_file_name("no extension"), MetadataError);
}

}  // namespace
}  // namespace digikit::metadata::commons_name_test
