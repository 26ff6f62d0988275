// The book file as Wikisource gets it: 20 pages with known words, exported to DjVu and
// PDF, read back with djvulibre and poppler.
#include "digikit/bookfile/book_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "book_pages.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "temp_dir.hpp"

namespace digikit::bookfile {
namespace {

using testing::read_with;
using testing::share_found;

constexpr int book_pages = 20;

std::string file_bytes(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// One field of pdfinfo's "Key:   value" lines.
std::string pdfinfo_field(const std::string& info, const std::string& key)
{
    const auto at = info.find("\n" + key + ":");
    if (at == std::string::npos) return {};
    const auto value = info.find_first_not_of(' ', at + key.size() + 2);
    return info.substr(value, info.find('\n', value) - value);
}

DocumentInfo sample_info()
{
    DocumentInfo info;
    info.title = "Known Words";
    info.author = "Jane Example";
    info.date = "1901";
    info.language = "en";
    info.rights = "Public domain (PD-old-70)";
    info.subject = "Scan of the book";
    return info;
}

// One export shared by the tests of this file: OCR is the slow part.
class BookExport : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        dir_ = new digikit::testing::TempDir;
        pages_ = testing::write_known_word_pages(*dir_ / "pages", book_pages);
        ExportOptions options;
        options.ocr_languages = "eng";
        djvu_ = export_book(pages_, sample_info(), *dir_ / "Known Words (1901).djvu", options);
        options.format = Format::pdf;
        pdf_ = export_book(pages_, sample_info(), *dir_ / "Known Words (1901).pdf", options);
    }
    static void TearDownTestSuite() { delete dir_; }

    static inline digikit::testing::TempDir* dir_ = nullptr;
    static inline std::vector<std::filesystem::path> pages_;
    static inline ExportResult djvu_;
    static inline ExportResult pdf_;
};

TEST_F(BookExport, DjvuIsBundledWithEveryPage)
{
    EXPECT_EQ(djvu_.pages, book_pages);
    EXPECT_EQ(djvu_.pages_recognized, book_pages);
    EXPECT_EQ(std::stoi(read_with({"djvused", djvu_.file.string(), "-e", "n"})), book_pages);
    const std::string dump = read_with({"djvudump", djvu_.file.string()});
    EXPECT_NE(dump.find("bundled"), std::string::npos) << dump.substr(0, 300);
    const std::string meta = read_with({"djvused", "-u", djvu_.file.string(), "-e", "print-meta"});
    EXPECT_NE(meta.find("Title\t\"Known Words\""), std::string::npos) << meta;
    EXPECT_NE(meta.find("Rights\t\"Public domain (PD-old-70)\""), std::string::npos) << meta;
    // IA Upload's 1500-px pages come out near 250 kB; a 300-ppi colour page must stay under ~400 kB.
    EXPECT_LT(djvu_.bytes / book_pages, 400'000U);
}

TEST_F(BookExport, DjvuPageNHasPageNsWords)
{
    for (int n = 1; n <= book_pages; ++n) {
        const std::string text = read_with({"djvutxt", "--page=" + std::to_string(n), djvu_.file.string()});
        EXPECT_GE(share_found(capture::page_words(n), text), 0.9) << "page " << n << ": " << text;
    }
}

TEST_F(BookExport, DjvuPageImageMatchesItsAccessCopy)
{
    for (const int n : {1, 10, 20}) {
        const auto ppm = *dir_ / ("page" + std::to_string(n) + ".ppm");
        read_with({"ddjvu", "-format=ppm", "-page=" + std::to_string(n), djvu_.file.string(), ppm.string()});
        const cv::Mat decoded = cv::imread(ppm.string());
        const cv::Mat access = cv::imread(pages_[static_cast<std::size_t>(n - 1)].string());
        ASSERT_EQ(decoded.size(), access.size()) << "page " << n;
        const double psnr = cv::PSNR(decoded, access);
        EXPECT_GT(psnr, 28.0) << "page " << n;
    }
}

TEST_F(BookExport, PdfHasEveryPageItsTextAndTheJpegsAsTheyAre)
{
    EXPECT_EQ(pdf_.pages_recognized, 0) << "the DjVu export's OCR is reused, no page is recognised twice";
    const std::string info = "\n" + read_with({"pdfinfo", pdf_.file.string()});
    EXPECT_EQ(pdfinfo_field(info, "Pages"), "20") << info;
    EXPECT_EQ(pdfinfo_field(info, "Title"), "Known Words") << info;
    EXPECT_EQ(pdfinfo_field(info, "Author"), "Jane Example") << info;
    EXPECT_EQ(pdfinfo_field(info, "Keywords"), "Public domain (PD-old-70)") << info;
    for (int n = 1; n <= book_pages; ++n) {
        const std::string page = std::to_string(n);
        const std::string text = read_with({"pdftotext", "-f", page, "-l", page, pdf_.file.string(), "-"});
        EXPECT_GE(share_found(capture::page_words(n), text), 0.9) << "page " << n << ": " << text;
    }
    // pdfimages -j writes DCT images as they are stored: byte for byte the access JPEG.
    read_with({"pdfimages", "-j", "-f", "7", "-l", "7", pdf_.file.string(), (*dir_ / "image").string()});
    EXPECT_EQ(file_bytes(*dir_ / "image-000.jpg"), file_bytes(pages_[6]));
}

TEST_F(BookExport, SameBookGivesTheSameBytes)
{
    ExportOptions options;
    options.format = Format::pdf;
    options.ocr_languages = "eng";
    const auto again = export_book(pages_, sample_info(), *dir_ / "again.pdf", options);
    EXPECT_EQ(again.pages_recognized, 0);
    EXPECT_EQ(file_bytes(again.file), file_bytes(pdf_.file));
}

TEST(BookFileLanguages, BookLanguageChoosesTesseractData)
{
    EXPECT_EQ(tesseract_languages("en"), "eng");
    EXPECT_EQ(tesseract_languages("fr+en"), "fra+eng");
    EXPECT_EQ(tesseract_languages("en-GB"), "eng");
    EXPECT_EQ(tesseract_languages("chi_sim"), "chi_sim");
    EXPECT_THROW((void)tesseract_languages("x!"), BookFileError);
    EXPECT_NO_THROW(check_languages("eng"));
    try {
        check_languages("eng+zul");
        FAIL() << "no error for a missing language pack";
    } catch (const BookFileError& error) {
        EXPECT_NE(std::string(error.what()).find("install tesseract-ocr-zul"), std::string::npos) << error.what();
    }
}

TEST(BookFileErrors, MissingPageIsOneClearLineAndNoFile)
{
    const digikit::testing::TempDir dir;
    ExportOptions options;
    try {
        (void)export_book({dir / "missing.jpg"}, {}, dir / "book.djvu", options);
        FAIL() << "no error";
    } catch (const BookFileError& error) {
        EXPECT_NE(std::string(error.what()).find("missing.jpg: page image missing"), std::string::npos);
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "book.djvu"));
}

}  // namespace
}  // namespace digikit::bookfile
