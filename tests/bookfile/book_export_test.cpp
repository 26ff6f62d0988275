// The book file as Wikisource gets it: 20 pages with known words, exported to DjVu and
// PDF, read back with djvulibre and poppler.
#include "digikit/base/read_file.hpp"
#include "digikit/bookfile/book_file.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "book_pages.hpp"
#include "command.hpp"
#include "temp_dir.hpp"

namespace digikit::bookfile {
namespace {

constexpr int book_pages = 20;

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

std::string read_with(const std::vector<std::string>& args)
{
    const auto result = digikit::testing::run_command(args);
    EXPECT_EQ(result.exit_code, 0) << args[0] << ": " << result.err;
    return result.out;
}

// Every check on one export: OCR is the slow part, and ctest runs each test in a process
// of its own. Page 2 is blank (the back of a title page): it stays the book's page 2.
TEST(BookExport, TwentyPagesAsDjvuAndPdf)
{
    const digikit::testing::TempDir dir;
    std::vector<testing::KnownWordPage> pages;
    std::vector<std::filesystem::path> jpegs;
    for (int n = 1; n <= book_pages; ++n) {
        const auto jpeg = dir / "pages" / (std::to_string(100 + n) + ".jpg");
        std::filesystem::create_directories(jpeg.parent_path());
        pages.push_back(testing::write_known_word_page(jpeg, n, 1000, 1450, n == 2 ? 0 : 6));
        jpegs.push_back(jpeg);
    }
    ExportOptions options;
    options.ocr_languages = "eng";
    const auto djvu = export_book(jpegs, sample_info(), dir / "Known Words (1901).djvu", options);
    options.format = Format::pdf;
    const auto pdf = export_book(jpegs, sample_info(), dir / "Known Words (1901).pdf", options);

    // DjVu: bundled, every page, the metadata, the size.
    EXPECT_EQ(djvu.pages, book_pages);
    EXPECT_EQ(djvu.pages_recognized, book_pages);
    EXPECT_EQ(std::stoi(read_with({"djvused", djvu.file.string(), "-e", "n"})), book_pages);
    const std::string dump = read_with({"djvudump", djvu.file.string()});
    EXPECT_NE(dump.find("bundled"), std::string::npos) << dump.substr(0, 300);
    const std::string meta = read_with({"djvused", "-u", djvu.file.string(), "-e", "print-meta"});
    EXPECT_NE(meta.find("Title\t\"Known Words\""), std::string::npos) << meta;
    EXPECT_NE(meta.find("Rights\t\"Public domain (PD-old-70)\""), std::string::npos) << meta;
    // IA Upload's 1500-px pages come out near 250 kB; a 300-ppi colour page must stay under ~400 kB.
    EXPECT_LT(djvu.bytes / book_pages, 400'000U);

    // Page N of the file has page N's words, the blank page none.
    for (int n = 1; n <= book_pages; ++n) {
        const auto& page = pages[static_cast<std::size_t>(n - 1)];
        const std::string text = read_with({"djvutxt", "--page=" + std::to_string(n), djvu.file.string()});
        if (page.words.empty()) {
            EXPECT_EQ(text.find_first_not_of(" \n\f"), std::string::npos) << "blank page " << n << ": " << text;
        } else {
            EXPECT_GE(testing::share_found(page.words, text), 0.9) << "page " << n << ": " << text;
        }
    }
    // Each page's image is its access copy.
    for (const int n : {1, 2, 20}) {
        const auto ppm = dir / ("page" + std::to_string(n) + ".ppm");
        read_with({"ddjvu", "-format=ppm", "-page=" + std::to_string(n), djvu.file.string(), ppm.string()});
        const cv::Mat decoded = cv::imread(ppm.string());
        const cv::Mat access = cv::imread(jpegs[static_cast<std::size_t>(n - 1)].string());
        ASSERT_EQ(decoded.size(), access.size()) << "page " << n;
        EXPECT_GT(cv::PSNR(decoded, access), 28.0) << "page " << n;
    }

    // PDF: the DjVu export's OCR reused, every page, its text, its metadata, the JPEGs as they are.
    EXPECT_EQ(pdf.pages_recognized, 0) << "a page was recognised twice";
    const std::string info = "\n" + read_with({"pdfinfo", pdf.file.string()});
    EXPECT_EQ(testing::pdfinfo_field(info, "Pages"), std::to_string(book_pages)) << info;
    EXPECT_EQ(testing::pdfinfo_field(info, "Title"), "Known Words") << info;
    EXPECT_EQ(testing::pdfinfo_field(info, "Author"), "Jane Example") << info;
    EXPECT_EQ(testing::pdfinfo_field(info, "Keywords"), "Public domain (PD-old-70)") << info;
    for (int n = 1; n <= book_pages; ++n) {
        const auto& page = pages[static_cast<std::size_t>(n - 1)];
        if (page.words.empty()) continue;
        const std::string number = std::to_string(n);
        const std::string text = read_with({"pdftotext", "-f", number, "-l", number, pdf.file.string(), "-"});
        EXPECT_GE(testing::share_found(page.words, text), 0.9) << "page " << n << ": " << text;
    }
    // pdfimages -j writes DCT images as they are stored: byte for byte the access JPEG.
    read_with({"pdfimages", "-j", "-f", "7", "-l", "7", pdf.file.string(), (dir / "image").string()});
    EXPECT_EQ(base::read_file(dir / "image-000.jpg"), base::read_file(jpegs[6]));

    // The same book gives the same bytes.
    const auto again = export_book(jpegs, sample_info(), dir / "again.pdf", options);
    EXPECT_EQ(again.pages_recognized, 0);
    EXPECT_EQ(base::read_file(again.file), base::read_file(pdf.file));
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
