#include "book_file_builder.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "database.hpp"
#include "digikit/base/exception_barrier.hpp"
#include "digikit/metadata/book_file_wikitext.hpp"
#include "digikit/metadata/license_catalogue.hpp"
#include "digikit/metadata/structured_data.hpp"
#include "digikit/uploader/upload_queue.hpp"

namespace digikit::firmware {
namespace {

constexpr const char* book_files_schema = R"sql(
CREATE TABLE IF NOT EXISTS book_files (
    book_id TEXT PRIMARY KEY REFERENCES books(id),
    state TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
    path TEXT NOT NULL,
    note TEXT NOT NULL
);
)sql";

// OCR waits until the kit has not captured for this long (the operator is turning pages).
constexpr auto capture_quiet = std::chrono::seconds(10);
// Processing finished or metadata completed later (book set) is noticed this often.
constexpr auto recheck = std::chrono::seconds(5);

bookfile::DocumentInfo document_info(const metadata::BookMetadata& book)
{
    bookfile::DocumentInfo info;
    info.title = book.title;
    for (const auto& author : book.authors) info.author += (info.author.empty() ? "" : "; ") + author;
    info.date = book.date;
    info.language = book.language;
    info.publisher = book.publisher;
    if (const auto* license = metadata::find_license(book.license)) {
        info.rights = std::string(license->name) + " (" + std::string(license->key) + ")";
    }
    info.subject = "Scan of the book" + (book.institution.empty() ? std::string() : " held by " + book.institution) +
                   ", made with digikit";
    return info;
}

std::string ocr_languages(const metadata::BookMetadata& book, const BookExportRequest& request)
{
    if (request.no_ocr) return {};
    if (!request.ocr.empty()) return bookfile::tesseract_languages(request.ocr);
    if (book.language.empty()) {
        spdlog::warn("book has no language; OCR uses English (set it with: digikit book set ID language=...)");
        return "eng";
    }
    return bookfile::tesseract_languages(book.language);
}

}  // namespace

bookfile::ExportResult export_book_file(BookStore& store, const Config& config, const std::string& id,
                                        const BookExportRequest& request, bookfile::ExportOptions options)
{
    const auto book = store.read_metadata(id);
    std::vector<std::filesystem::path> pages;
    for (const auto& page : store.pages_of(id)) pages.push_back(page.access);
    options.format = bookfile::parse_format(request.format);
    options.ocr_languages = ocr_languages(book, request);
    options.ppi = request.ppi;
    options.workers = config.ocr.workers;
    options.work_dir = store.book_dir(id) / "bookfile";
    const auto out = request.out.empty()
                         ? store.book_dir(id) / metadata::book_file_name(book, bookfile::extension(options.format))
                         : request.out;
    return bookfile::export_book(pages, document_info(book), out, options);
}

std::string describe(const bookfile::ExportResult& result)
{
    char size[96];
    std::snprintf(size, sizeof size, "%.1f MB (%.0f kB per page)", static_cast<double>(result.bytes) / 1e6,
                  static_cast<double>(result.bytes) / 1e3 / std::max(1, result.pages));
    return "wrote " + result.file.string() + ": " + std::to_string(result.pages) + " pages, " + size + ", " +
           std::to_string(result.pages_recognized) + " pages recognised now";
}

BookFileWorker::BookFileWorker(BookStore& store, const Config& config) : store_(store), config_(config)
{
    Database db(store_.data_dir() / "digikit.sqlite");
    db.execute_script(book_files_schema);
    db.execute("DELETE FROM book_files WHERE state = 'failed'");  // a restart tries again
    if (config_.commons.book_file != BookFileFormat::none) thread_ = std::thread([this] { run(); });
}

BookFileWorker::~BookFileWorker()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void BookFileWorker::wake()
{
    {
        const std::lock_guard lock(mutex_);
        woken_ = true;
    }
    changed_.notify_all();
}

void BookFileWorker::capture_activity()
{
    last_capture_ = std::chrono::steady_clock::now().time_since_epoch().count();
}

nlohmann::json BookFileWorker::status() const
{
    const std::lock_guard lock(mutex_);
    return {{"building", building_.empty() ? nlohmann::json(nullptr) : nlohmann::json(building_)}, {"failed", failed_}};
}

void BookFileWorker::record_failure(const std::string& id, const std::string& reason)
{
    Database db(store_.data_dir() / "digikit.sqlite");
    db.execute("INSERT OR REPLACE INTO book_files (book_id, state, path, note) VALUES (?, 'failed', '', ?)",
               {id, reason});
    spdlog::error("book file of book {} failed: {}", id, reason);
    const std::lock_guard lock(mutex_);
    failed_.push_back({{"book", id}, {"reason", reason}});
}

void BookFileWorker::pause_while_capturing()
{
    for (;;) {
        const auto last =
            std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_capture_.load()));
        const auto quiet_at = last + capture_quiet;
        if (stopping_ || std::chrono::steady_clock::now() >= quiet_at) return;  // polled often: no lock
        std::unique_lock lock(mutex_);
        if (!stopping_) changed_.wait_until(lock, quiet_at);
    }
}

void BookFileWorker::run()
{
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait_for(lock, recheck, [this] { return stopping_ || woken_; });
            if (stopping_) return;
            woken_ = false;
        }
        try {
            build_ready_books();
        } catch (const bookfile::ExportStopped&) {
            return;
        } catch (...) {  // the barrier (docs/threads.md): logged, and the worker goes on
            spdlog::error("book file: {}", base::describe_current_exception());
        }
    }
}

// Closed books with every shot processed, complete metadata and no book file yet.
void BookFileWorker::build_ready_books()
{
    Database db(store_.data_dir() / "digikit.sqlite");
    const auto rows = db.query(
        "SELECT id FROM books WHERE state = 'closed' AND id NOT IN (SELECT book_id FROM book_files) AND NOT EXISTS "
        "(SELECT 1 FROM shots WHERE shots.book_id = books.id AND shots.retaken = 0 AND shots.dropped = 0 "
        "AND shots.processed = 0) "
        "ORDER BY closed_at");
    for (const auto& row : rows) {
        const std::string id = as_text(row[0]);
        const auto book = store_.read_metadata(id);
        if (!metadata::missing_for_upload(book).empty() || store_.pages_of(id).empty()) continue;
        {
            const std::lock_guard lock(mutex_);
            building_ = "the " + book_file_format_name(config_.commons.book_file) + " file of book " + id;
        }
        spdlog::info("book file: building the {} file of book {}", book_file_format_name(config_.commons.book_file),
                     id);
        BookExportRequest request;
        request.format = book_file_format_name(config_.commons.book_file);
        bookfile::ExportOptions options;
        options.idle_priority = true;
        options.stop_requested = [this] { return stopping_.load(); };
        options.pause = [this] { pause_while_capturing(); };
        options.log = [](const std::string& line) { spdlog::info("book file: {}", line); };
        try {
            const auto result = export_book_file(store_, config_, id, request, options);
            uploader::UploadQueue queue(store_.data_dir() / "digikit.sqlite");
            queue.enqueue(result.file, metadata::book_file_name(book, bookfile::extension(options.format)),
                          metadata::book_file_description(book, result.pages), metadata::structured_data_json(book));
            db.execute("INSERT OR REPLACE INTO book_files (book_id, state, path, note) VALUES (?, 'queued', ?, ?)",
                       {id, result.file.string(), describe(result)});
            spdlog::info("book file: {}; queued for upload", describe(result));
        } catch (const bookfile::ExportStopped&) {
            throw;
        } catch (const std::exception& error) {  // a missing language pack, a full disk, a tool's error
            record_failure(id, error.what());
        }
        const std::lock_guard lock(mutex_);
        building_.clear();
    }
}

}  // namespace digikit::firmware
