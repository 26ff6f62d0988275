// The book file's figures for docs/benchmarks.md: OCR seconds per page on one worker,
// DjVu and PDF bytes per page, and the same pages through ocrmypdf (Debian package), side
// by side in one run: time and share of the drawn words each text layer holds.
//
//   digikit_book_file_benchmark [PAGES [WIDTH HEIGHT]]     default 20 pages, 1800 x 2600 px
//
// The pages are book pages at 300 ppi (about 15 x 22 cm) set full like a printed book
// (tests/bookfile/book_pages.hpp: 10-point type, known words, paper with grain, JPEG
// quality 92). Both tools get one OpenMP thread (OMP_THREAD_LIMIT=1: this program starts
// itself again with it, as digikit does) and one page at a time (ocrmypdf --jobs 1).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "book_pages.hpp"
#include "command.hpp"
#include "digikit/bookfile/book_file.hpp"
#include "temp_dir.hpp"

namespace {

using digikit::bookfile::testing::KnownWordPage;
using digikit::bookfile::testing::share_found;
using digikit::testing::run_command;

std::string checked(const std::vector<std::string>& args)
{
    const auto result = run_command(args);
    if (result.exit_code != 0) {
        std::fprintf(stderr, "%s failed: %s\n", args[0].c_str(), result.err.c_str());
        std::exit(1);
    }
    return result.out;
}

// Text found per page, averaged over the book; `reader` gives page n's text.
template <typename Reader>
double mean_found(const std::vector<KnownWordPage>& pages, Reader reader)
{
    double sum = 0;
    for (std::size_t i = 0; i < pages.size(); ++i) sum += share_found(pages[i].words, reader(static_cast<int>(i + 1)));
    return sum / static_cast<double>(pages.size());
}

struct Clock {
    double wall = 0;
    double cpu_self = 0;
    double cpu_children = 0;

    static Clock now()
    {
        timespec cpu{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
        rusage children{};
        ::getrusage(RUSAGE_CHILDREN, &children);
        const auto seconds = [](const timeval& t) {
            return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
        };
        return {std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(),
                static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9,
                seconds(children.ru_utime) + seconds(children.ru_stime)};
    }
    // CPU seconds of this process and of its finished children since `start`.
    [[nodiscard]] double cpu_since(const Clock& start) const
    {
        return cpu_self - start.cpu_self + cpu_children - start.cpu_children;
    }
};

}  // namespace

int main(int argc, char** argv)
{
    namespace bookfile = digikit::bookfile;
    const int count = argc > 1 ? std::atoi(argv[1]) : 20;
    const int width = argc > 3 ? std::atoi(argv[2]) : 1800;
    const int height = argc > 3 ? std::atoi(argv[3]) : 2600;
    const digikit::testing::TempDir dir;
    const auto pages = bookfile::testing::write_known_word_pages(dir / "pages", count, width, height, 1000);
    std::vector<std::filesystem::path> jpegs;
    std::size_t words = 0;
    for (const auto& page : pages) {
        jpegs.push_back(page.jpeg);
        words += page.words.size();
    }
    std::printf("%d pages of %dx%d px (300 ppi), %zu words per page on average\n", count, width, height,
                words / pages.size());
    bookfile::DocumentInfo info;
    info.title = "Benchmark";
    const auto per_page = [&](double value) { return value / count; };

    // digikit: OCR (one worker) and the PDF joined, then the DjVu from the kept OCR.
    bookfile::ExportOptions options;
    options.format = bookfile::Format::pdf;
    options.ocr_languages = "eng";
    auto start = Clock::now();
    const auto pdf = bookfile::export_book(jpegs, info, dir / "digikit.pdf", options);
    auto end = Clock::now();
    const double ocr_wall = end.wall - start.wall;
    const double ocr_cpu = end.cpu_since(start);
    options.format = bookfile::Format::djvu;
    start = Clock::now();
    const auto djvu = bookfile::export_book(jpegs, info, dir / "digikit.djvu", options);
    end = Clock::now();
    const double djvu_wall = end.wall - start.wall;
    const double djvu_cpu = end.cpu_since(start);

    // ocrmypdf on the same pages: the input is the same JPEGs in a PDF without text.
    options.format = bookfile::Format::pdf;
    options.ocr_languages.clear();
    const auto plain = bookfile::export_book(jpegs, info, dir / "plain.pdf", options);
    start = Clock::now();
    checked({"ocrmypdf", "--quiet", "--jobs", "1", "-l", "eng", "--output-type", "pdf", "--optimize", "0",
             plain.file.string(), (dir / "ocrmypdf.pdf").string()});
    end = Clock::now();
    const double theirs_wall = end.wall - start.wall;
    const double theirs_cpu = end.cpu_since(start);
    const auto theirs_bytes = std::filesystem::file_size(dir / "ocrmypdf.pdf");

    const auto pdf_text = [](const std::filesystem::path& file) {
        return [file](int n) {
            const std::string page = std::to_string(n);
            return checked({"pdftotext", "-f", page, "-l", page, file.string(), "-"});
        };
    };
    const double ours_pdf_found = mean_found(pages, pdf_text(pdf.file));
    const double ours_djvu_found = mean_found(pages, [&](int n) {
        return checked({"djvutxt", "--page=" + std::to_string(n), djvu.file.string()});
    });
    const double theirs_found = mean_found(pages, pdf_text(dir / "ocrmypdf.pdf"));

    std::printf("\n%-34s %10s %10s %10s %12s\n", "", "s/page", "CPU s/page", "kB/page", "words found");
    std::printf("%-34s %10.2f %10.2f %10.0f %11.1f%%\n", "digikit OCR + PDF", per_page(ocr_wall), per_page(ocr_cpu),
                per_page(static_cast<double>(pdf.bytes) / 1e3), 100 * ours_pdf_found);
    std::printf("%-34s %10.2f %10.2f %10.0f %11.1f%%\n", "digikit DjVu (kept OCR)", per_page(djvu_wall),
                per_page(djvu_cpu), per_page(static_cast<double>(djvu.bytes) / 1e3), 100 * ours_djvu_found);
    std::printf("%-34s %10.2f %10.2f %10.0f %11.1f%%\n", "ocrmypdf --jobs 1 --optimize 0", per_page(theirs_wall),
                per_page(theirs_cpu), per_page(static_cast<double>(theirs_bytes) / 1e3), 100 * theirs_found);
    std::printf("\nratio digikit OCR + PDF / ocrmypdf: wall %.2f, CPU %.2f\n", ocr_wall / theirs_wall,
                ocr_cpu / theirs_cpu);
    std::printf("JPEG access copies: %.0f kB/page\n", per_page(static_cast<double>(plain.bytes) / 1e3));
    return 0;
}
