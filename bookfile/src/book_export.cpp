#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/bookfile/book_file.hpp"
#include "djvu_writer.hpp"
#include "hocr.hpp"
#include "page_ocr.hpp"
#include "pdf_writer.hpp"
#include "shared.hpp"

namespace digikit::bookfile {
namespace {

// A page whose kept hOCR was made with these languages needs no OCR.
bool recognized_before(const std::filesystem::path& page, const std::string& languages)
{
    const auto hocr = base::read_file_if_exists(hocr_path(page));
    return hocr && hocr->find("name=\"ocr-langs\" content=\"" + languages + "\"") != std::string::npos &&
           std::filesystem::exists(ocr_pdf_path(page));
}

// One export per work folder at a time (the daemon and a person's `book export`).
class WorkLock {
public:
    explicit WorkLock(const std::filesystem::path& dir)
        : fd_(::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644))
    {
        if (fd_ < 0) throw BookFileError("cannot open " + (dir / ".lock").string());
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd_);
            throw BookFileError("another export of this book is running (" + dir.string() + " is locked)");
        }
    }
    WorkLock(const WorkLock&) = delete;
    WorkLock& operator=(const WorkLock&) = delete;
    ~WorkLock() { ::close(fd_); }

private:
    int fd_;
};

class Export {
public:
    Export(const std::vector<std::filesystem::path>& pages, const ExportOptions& options)
        : pages_(pages), options_(options)
    {
    }

    // OCR of every page that has none yet, by options.workers idle threads.
    int recognize_pages(const std::filesystem::path& scratch)
    {
        std::vector<std::size_t> todo;
        for (std::size_t i = 0; i < pages_.size(); ++i) {
            if (!recognized_before(pages_[i], options_.ocr_languages)) todo.push_back(i);
        }
        std::atomic<std::size_t> next{0};
        std::atomic<int> done{0};
        const auto work = [&] {
            try {
                if (options_.idle_priority) make_thread_idle();
                PageRecognizer recognizer(options_.ocr_languages, scratch, [this] { return interrupted(); });
                for (std::size_t k = next++; k < todo.size() && !interrupted(); k = next++) {
                    const auto& page = pages_[todo[k]];
                    if (!recognizer.recognize(page)) break;
                    ++done;
                    say("ocr: page " + std::to_string(todo[k] + 1) + " of " + std::to_string(pages_.size()) + " (" +
                        page.filename().string() + ")");
                }
            } catch (...) {
                const std::lock_guard lock(mutex_);
                if (!error_) error_ = std::current_exception();
                failed_ = true;
            }
        };
        std::vector<std::thread> workers;
        const auto count = std::clamp<std::size_t>(static_cast<std::size_t>(options_.workers), 1,
                                                   std::max<std::size_t>(1, todo.size()));
        for (std::size_t i = 1; i < count; ++i) workers.emplace_back(work);
        work();
        for (auto& worker : workers) worker.join();
        if (error_) std::rethrow_exception(error_);
        check_stop();
        return done;
    }

    void check_stop()
    {
        if (options_.stop_requested && options_.stop_requested())
            throw ExportStopped("export stopped; it resumes where it stopped");
    }

    void pause_point()
    {
        if (options_.pause) options_.pause();
        check_stop();
    }

    void say(const std::string& line)
    {
        const std::lock_guard lock(mutex_);
        if (options_.log) options_.log(line);
    }

private:
    bool interrupted()
    {
        if (options_.pause) options_.pause();
        return failed_ || (options_.stop_requested && options_.stop_requested());
    }

    const std::vector<std::filesystem::path>& pages_;
    const ExportOptions& options_;
    std::mutex mutex_;
    std::exception_ptr error_;
    std::atomic<bool> failed_{false};
};

// What a killed export left half written: the temporary files of its own targets (each
// page's hOCR and one-page PDF, the book file) and everything temporary in its work folder.
void remove_stale_temporaries(const std::vector<std::filesystem::path>& targets, const std::filesystem::path& work_dir)
{
    std::map<std::filesystem::path, std::set<std::string>> names_by_dir;
    for (const auto& target : targets) names_by_dir[target.parent_path()].insert(target.filename().string());
    for (const auto& [dir, names] : names_by_dir) {
        std::error_code missing;
        for (const auto& entry : std::filesystem::directory_iterator(dir, missing)) {
            const std::string name = entry.path().filename().string();
            if (!base::is_atomic_temporary(entry.path())) continue;
            const std::string target = name.substr(1, name.rfind(".tmp-") - 1);  // ".NAME.tmp-XXXXXX"
            if (names.count(target) > 0) std::filesystem::remove(entry.path());
        }
    }
    base::remove_atomic_temporaries(work_dir);
}

std::string work_subdir(const ExportOptions& options)
{
    const std::string text = options.ocr_languages.empty() ? "notext" : options.ocr_languages;
    return options.format == Format::djvu ? "djvu-" + std::to_string(options.ppi) + "ppi-" + text : "pdf-" + text;
}

}  // namespace

Format parse_format(std::string_view text)
{
    if (text == "djvu") return Format::djvu;
    if (text == "pdf") return Format::pdf;
    throw BookFileError("book file format '" + std::string(text) + "': expected djvu or pdf");
}

std::string_view extension(Format format)
{
    return format == Format::djvu ? ".djvu" : ".pdf";
}

std::filesystem::path hocr_path(const std::filesystem::path& page)
{
    return std::filesystem::path(page).replace_extension(".hocr");
}

std::filesystem::path ocr_pdf_path(const std::filesystem::path& page)
{
    return std::filesystem::path(page).replace_extension(".ocr.pdf");
}

ExportResult export_book(const std::vector<std::filesystem::path>& pages, const DocumentInfo& info,
                         const std::filesystem::path& out, const ExportOptions& options)
{
    if (pages.empty()) throw BookFileError("the book has no pages to export");
    if (options.ppi < 50 || options.ppi > 1200) throw BookFileError("ppi must be from 50 to 1200");
    for (const auto& page : pages) {
        if (!std::filesystem::is_regular_file(page)) throw BookFileError(page.string() + ": page image missing");
    }
    const bool ocr = !options.ocr_languages.empty();
    if (ocr) check_languages(options.ocr_languages);
    const auto out_dir = std::filesystem::absolute(out).parent_path();
    // Built by appending: GCC 12 at -O3 misreports a chained string + as overlapping (-Wrestrict).
    std::string hidden = ".";
    hidden.append(out.filename().string()).append(".pages");
    const auto work_root = options.work_dir.empty() ? out_dir / hidden : options.work_dir;
    const auto work_dir = work_root / work_subdir(options);
    std::filesystem::create_directories(work_dir);
    const WorkLock lock(work_root);
    const auto scratch = work_root / "scratch";
    std::filesystem::remove_all(scratch);  // what a killed run left half made
    std::filesystem::create_directories(scratch);
    std::vector<std::filesystem::path> targets{std::filesystem::absolute(out)};
    for (const auto& page : pages) {
        targets.push_back(hocr_path(page));
        targets.push_back(ocr_pdf_path(page));
    }
    remove_stale_temporaries(targets, work_dir);

    if (options.idle_priority) make_thread_idle();  // the encoding tools inherit it
    Export job(pages, options);
    ExportResult result;
    result.file = out;
    result.pages = static_cast<int>(pages.size());
    if (ocr) result.pages_recognized = job.recognize_pages(scratch);

    if (options.format == Format::djvu) {
        std::vector<std::filesystem::path> encoded;
        for (std::size_t i = 0; i < pages.size(); ++i) {
            job.pause_point();
            std::optional<OcrPage> text;
            if (ocr) text = parse_hocr(base::read_file(hocr_path(pages[i])));
            encoded.push_back(encode_djvu_page(pages[i], text, options.ppi, work_dir, scratch, options.stop_requested));
        }
        job.pause_point();
        bundle_djvu(encoded, info, out, scratch, options.stop_requested);
    } else {
        std::vector<PdfPageSource> sources;
        for (const auto& page : pages) sources.push_back({ocr ? ocr_pdf_path(page) : std::filesystem::path(), page});
        job.pause_point();
        bundle_pdf(sources, info, out);
    }
    std::filesystem::remove_all(scratch);
    result.bytes = std::filesystem::file_size(out);
    return result;
}

}  // namespace digikit::bookfile
