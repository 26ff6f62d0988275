#include "digikit/metadata/embedding.hpp"
#include "digikit/base/read_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "temp_dir.hpp"

namespace digikit::metadata::embedding_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Runs a command and returns its standard output (the test fails on a non-zero exit).
[[nodiscard]] std::string run(const std::string& command)
{
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) {
        ADD_FAILURE() << "cannot run " << command;
        return {};
    }
    std::string output;
    std::array<char, 4096> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
        output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe.release());
    EXPECT_EQ(status, 0) << command;
    return output;
}

// Every tag exiftool (an independent reader) finds, keyed "Group:Tag" (-G1).
[[nodiscard]] nlohmann::json read_with_exiftool(const std::filesystem::path& file)
{
    const auto json = nlohmann::json::parse(run("exiftool -j -G1 -a '" + file.string() + "' 2>&1"));
    return json.at(0);
}

// exiftool prints numbers and booleans as JSON numbers/booleans; compare as text.
[[nodiscard]] std::string text_of(const nlohmann::json& tags, const std::string& key)
{
    if (!tags.contains(key)) {
        return "(missing " + key + ")";
    }
    const auto& value = tags.at(key);
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_boolean()) {
        return value.get<bool>() ? "True" : "False";
    }
    return value.dump();
}

[[nodiscard]] std::vector<std::string> list_of(const nlohmann::json& tags, const std::string& key)
{
    if (!tags.contains(key)) {
        return {"(missing " + key + ")"};
    }
    if (tags.at(key).is_array()) {
        std::vector<std::string> items;
        for (const auto& item : tags.at(key)) {
            items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
        }
        return items;
    }
    return {text_of(tags, key)};
}

// A hash of the decoded pixels: embedding must not touch the image data.
[[nodiscard]] std::size_t pixel_hash(const std::filesystem::path& path)
{
    const cv::Mat pixels = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
    EXPECT_FALSE(pixels.empty()) << path;
    const cv::Mat continuous = pixels.clone();
    return std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(continuous.data), continuous.total() * continuous.elemSize()));
}

[[nodiscard]] std::filesystem::path write_test_image(const testing::TempDir& dir, const std::string& name)
{
    cv::Mat image(48, 64, CV_8UC3);
    for (int y = 0; y < image.rows; ++y) {
        for (int x = 0; x < image.cols; ++x) {
            image.at<cv::Vec3b>(y, x) =
                cv::Vec3b(static_cast<uchar>(x * 4), static_cast<uchar>(y * 5), static_cast<uchar>((x * y) % 256));
        }
    }
    auto path = dir / name;
    EXPECT_TRUE(cv::imwrite(path.string(), image));
    return path;
}

[[nodiscard]] BookMetadata sample_book()
{
    BookMetadata book;
    book.title = "Kalevala — Ääniä ja «лирика» 📖";
    book.authors = {"Elias Lönnrot", "Ἀνώνυμος Ποιητής"};
    book.date = "1849";
    book.language = "fi";
    book.institution = "Kansalliskirjasto Helsinki";
    book.shelfmark = "Fenn. 1849:3";
    book.source_url = "https://example.org/kalevala";
    book.wikidata = "Q152306";
    book.license = "CC-BY-SA-4.0";
    return book;
}

[[nodiscard]] PageInfo sample_page()
{
    PageInfo page;
    page.book_id = "kalevala-1849";
    page.page_number = 12;
    page.camera_make = "Canon";
    page.camera_model = "Canon EOS 2000D";
    page.camera_serial = "0123456789";
    page.capture_time = "2026-11-21T04:31:05+01:00";
    return page;
}

class Embedding : public ::testing::TestWithParam<std::string> {};

TEST_P(Embedding, EveryFieldReadsBackWithExiftoolAndPixelsAreUnchanged)
{
    const testing::TempDir dir;
    const auto image = write_test_image(dir, "page." + GetParam());
    const std::size_t hash_before = pixel_hash(image);
    const BookMetadata book = sample_book();
    embed_metadata(image, book, sample_page());
    EXPECT_EQ(pixel_hash(image), hash_before);

    const auto tags = read_with_exiftool(image);
    const std::string rights = "Elias Lönnrot, Ἀνώνυμος Ποιητής, CC BY-SA 4.0";
    const std::string description = "Kalevala — Ääniä ja «лирика» 📖 (1849), page 12";
    // XMP
    EXPECT_EQ(text_of(tags, "XMP-dc:Title"), book.title);
    EXPECT_THAT(list_of(tags, "XMP-dc:Creator"), ElementsAre("Elias Lönnrot", "Ἀνώνυμος Ποιητής"));
    EXPECT_EQ(text_of(tags, "XMP-dc:Rights"), rights);
    EXPECT_EQ(text_of(tags, "XMP-dc:Source"), "Kansalliskirjasto Helsinki");
    EXPECT_EQ(text_of(tags, "XMP-dc:Description"), description);
    EXPECT_EQ(text_of(tags, "XMP-dc:Language"), "fi");
    EXPECT_EQ(text_of(tags, "XMP-photoshop:Source"), "Kansalliskirjasto Helsinki");
    EXPECT_EQ(text_of(tags, "XMP-xmpRights:Marked"), "True");
    EXPECT_EQ(text_of(tags, "XMP-xmpRights:UsageTerms"),
              "This work is licensed under the Creative Commons Attribution-ShareAlike 4.0 International License.");
    EXPECT_EQ(text_of(tags, "XMP-xmpRights:WebStatement"), "https://creativecommons.org/licenses/by-sa/4.0/");
    EXPECT_EQ(text_of(tags, "XMP-cc:License"), "https://creativecommons.org/licenses/by-sa/4.0/");
    EXPECT_EQ(text_of(tags, "XMP-cc:AttributionName"), "Elias Lönnrot; Ἀνώνυμος Ποιητής");
    EXPECT_EQ(text_of(tags, "XMP-tiff:Make"), "Canon");
    EXPECT_EQ(text_of(tags, "XMP-tiff:Model"), "Canon EOS 2000D");
    EXPECT_EQ(text_of(tags, "XMP-exifEX:SerialNumber"), "0123456789");
    EXPECT_EQ(text_of(tags, "XMP-exif:DateTimeOriginal"), "2026:11:21 04:31:05+01:00");
    EXPECT_EQ(text_of(tags, "XMP-digikit:BookId"), "kalevala-1849");
    EXPECT_EQ(text_of(tags, "XMP-digikit:PageNumber"), "12");
    EXPECT_EQ(text_of(tags, "XMP-digikit:Shelfmark"), "Fenn. 1849:3");
    EXPECT_EQ(text_of(tags, "XMP-digikit:Wikidata"), "Q152306");
    EXPECT_EQ(text_of(tags, "XMP-digikit:SourceUrl"), "https://example.org/kalevala");
    EXPECT_EQ(text_of(tags, "XMP-digikit:License"), "CC-BY-SA-4.0");
    // EXIF carries the same values
    EXPECT_EQ(text_of(tags, "IFD0:Artist"), "Elias Lönnrot; Ἀνώνυμος Ποιητής");
    EXPECT_EQ(text_of(tags, "IFD0:Copyright"), rights);
    EXPECT_EQ(text_of(tags, "IFD0:ImageDescription"), description);
    EXPECT_EQ(text_of(tags, "IFD0:Make"), "Canon");
    EXPECT_EQ(text_of(tags, "IFD0:Model"), "Canon EOS 2000D");
    EXPECT_EQ(text_of(tags, "ExifIFD:SerialNumber"), "0123456789");
    EXPECT_EQ(text_of(tags, "ExifIFD:DateTimeOriginal"), "2026:11:21 04:31:05");
    EXPECT_EQ(text_of(tags, "ExifIFD:OffsetTimeOriginal"), "+01:00");
    // IPTC (UTF-8, cut to the IIM lengths)
    EXPECT_EQ(text_of(tags, "IPTC:CodedCharacterSet"), "UTF8");
    EXPECT_THAT(list_of(tags, "IPTC:By-line"), ElementsAre("Elias Lönnrot", "Ἀνώνυμος Ποιητής"));
    EXPECT_EQ(text_of(tags, "IPTC:ObjectName"), book.title);
    EXPECT_EQ(text_of(tags, "IPTC:CopyrightNotice"), rights);
    EXPECT_EQ(text_of(tags, "IPTC:Source"), "Kansalliskirjasto Helsinki");
    EXPECT_EQ(text_of(tags, "IPTC:Caption-Abstract"), description);
    EXPECT_FALSE(tags.contains("ExifTool:Warning")) << text_of(tags, "ExifTool:Warning");
    EXPECT_FALSE(tags.contains("ExifTool:Error")) << text_of(tags, "ExifTool:Error");
}

TEST_P(Embedding, PublicDomainBookAndTrickyTextRoundTrip)
{
    const testing::TempDir dir;
    const auto image = write_test_image(dir, "page." + GetParam());
    BookMetadata book;
    book.title = "type=Bag lang=de <b>[[Bold]]</b> {{!}} | & \"quoted\" \u05E9\u05DC\u05D5\u05DD Ame\u0301lie";
    book.authors = {"type=Seq anonymous", "lang=\"fr\" Jean"};
    book.license = "PD-old-70";
    embed_metadata(image, book, PageInfo{});
    const auto tags = read_with_exiftool(image);
    EXPECT_EQ(text_of(tags, "XMP-dc:Title"), book.title);
    EXPECT_EQ(text_of(tags, "IFD0:ImageDescription"), book.title);
    EXPECT_THAT(list_of(tags, "XMP-dc:Creator"), ElementsAre("type=Seq anonymous", "lang=\"fr\" Jean"));
    EXPECT_EQ(text_of(tags, "XMP-xmpRights:Marked"), "False");
    EXPECT_EQ(text_of(tags, "XMP-cc:License"), "https://creativecommons.org/publicdomain/mark/1.0/");
    EXPECT_EQ(text_of(tags, "IFD0:Copyright"), "Public domain (PD-old-70)");
    EXPECT_EQ(text_of(tags, "XMP-dc:Rights"), "Public domain (PD-old-70)");
    EXPECT_FALSE(tags.contains("XMP-digikit:PageNumber"));
    EXPECT_FALSE(tags.contains("ExifIFD:DateTimeOriginal"));
}

TEST_P(Embedding, LongValuesAreCutOnCharacterBoundariesInIptcOnly)
{
    const testing::TempDir dir;
    const auto image = write_test_image(dir, "page." + GetParam());
    BookMetadata book;
    std::string title;
    for (int i = 0; i < 250; ++i) {
        title += "é\u0301";  // 3 bytes per visible character, with a combining accent
    }
    book.title = title;
    book.authors = {"Ααααααααααααααααααααα"};  // 21 two-byte letters: 42 bytes
    embed_metadata(image, book, PageInfo{});
    const auto tags = read_with_exiftool(image);
    EXPECT_EQ(text_of(tags, "XMP-dc:Title"), title);
    EXPECT_EQ(text_of(tags, "IFD0:ImageDescription"), title);
    const std::string object_name = text_of(tags, "IPTC:ObjectName");
    EXPECT_LE(object_name.size(), 64U);
    EXPECT_EQ(object_name, title.substr(0, object_name.size()));
    EXPECT_GE(object_name.size(), 62U);                                           // whole characters up to the limit
    EXPECT_THAT(list_of(tags, "IPTC:By-line"), ElementsAre("Αααααααααααααααα"));  // 16 letters = 32 bytes
}

TEST_P(Embedding, EmbeddingTwiceReplacesValues)
{
    const testing::TempDir dir;
    const auto image = write_test_image(dir, "page." + GetParam());
    BookMetadata book = sample_book();
    embed_metadata(image, book, sample_page());
    book.authors = {"Only One"};
    book.license = "CC0-1.0";
    embed_metadata(image, book, sample_page());
    const auto tags = read_with_exiftool(image);
    EXPECT_THAT(list_of(tags, "XMP-dc:Creator"), ElementsAre("Only One"));
    EXPECT_THAT(list_of(tags, "IPTC:By-line"), ElementsAre("Only One"));
    EXPECT_EQ(text_of(tags, "IFD0:Artist"), "Only One");
    EXPECT_EQ(text_of(tags, "XMP-cc:License"), "https://creativecommons.org/publicdomain/zero/1.0/");
    EXPECT_EQ(text_of(tags, "IFD0:Copyright"), "CC0 1.0 Universal (public domain dedication)");
}

TEST_P(Embedding, BadInputLeavesTheFileUntouched)
{
    const testing::TempDir dir;
    const auto image = write_test_image(dir, "page." + GetParam());
    const std::string before = base::read_file(image);
    BookMetadata book = sample_book();
    book.license = "CC-XX";
    try {
        embed_metadata(image, book, sample_page());
        ADD_FAILURE() << "unknown licence accepted";
    } catch (const MetadataError& error) {
        EXPECT_THAT(error.what(), HasSubstr("license: unknown licence 'CC-XX'"));
        EXPECT_THAT(error.what(), HasSubstr(image.string()));
    }
    book = sample_book();
    book.title = "two\nlines";
    EXPECT_THROW(embed_metadata(image, book, sample_page()), MetadataError);
    PageInfo page = sample_page();
    page.capture_time = "yesterday";
    try {
        embed_metadata(image, sample_book(), page);
        ADD_FAILURE() << "bad capture time accepted";
    } catch (const MetadataError& error) {
        EXPECT_THAT(error.what(), HasSubstr("capture_time: 'yesterday' is not an ISO 8601 time"));
    }
    EXPECT_EQ(base::read_file(image), before);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()), 1);
}

INSTANTIATE_TEST_SUITE_P(TiffAndJpeg, Embedding, ::testing::Values("tif", "jpg"));

TEST(EmbeddingErrors, CorruptImageIsReportedAndKept)
{
    const testing::TempDir dir;
    const auto jpeg = write_test_image(dir, "page.jpg");
    std::string bytes = base::read_file(jpeg);
    bytes.resize(20);  // a truncated JPEG
    const auto broken = dir / "broken.jpg";
    std::ofstream(broken, std::ios::binary) << bytes;
    EXPECT_THROW(embed_metadata(broken, sample_book(), sample_page()), MetadataError);
    EXPECT_EQ(base::read_file(broken), bytes);
    const auto text = dir / "notes.jpg";
    std::ofstream(text) << "not an image at all";
    try {
        embed_metadata(text, sample_book(), sample_page());
        ADD_FAILURE() << "a text file accepted as an image";
    } catch (const MetadataError& error) {
        EXPECT_THAT(error.what(), HasSubstr("notes.jpg: cannot write metadata"));
    }
    EXPECT_EQ(base::read_file(text), "not an image at all");
    EXPECT_THROW(embed_metadata(dir / "absent.jpg", sample_book(), sample_page()), MetadataError);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()), 3);
}

}  // namespace
}  // namespace digikit::metadata::embedding_test
