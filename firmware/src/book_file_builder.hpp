#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "book_store.hpp"
#include "config.hpp"
#include "digikit/bookfile/book_file.hpp"

namespace digikit::firmware {

// What `digikit book export` asks for; the daemon's background build uses the defaults
// with the configured format.
struct BookExportRequest {
    std::string format = "djvu";  // djvu | pdf
    std::filesystem::path out;    // empty: the book folder, named as on Commons
    std::string ocr;              // language(s); empty: the book's language
    bool no_ocr = false;
    int ppi = 300;
};

// Builds a book's file from its processed pages (reading order), OCR kept beside the
// pages and encoded pages in books/<id>/bookfile/, so every build resumes the last one.
bookfile::ExportResult export_book_file(BookStore& store, const Config& config, const std::string& id,
                                        const BookExportRequest& request, bookfile::ExportOptions options = {});

// "wrote F: 20 pages, 5.1 MB (262 kB per page), 20 pages recognised"
[[nodiscard]] std::string describe(const bookfile::ExportResult& result);

// The daemon's background builder ([commons] book_file): once a closed book has all its
// pages processed and its metadata complete, builds the book file at idle priority (OCR
// paused while the kit captures) and queues it for upload with its description. What is
// done is recorded in digikit.sqlite (table book_files), so a restart resumes.
class BookFileWorker {
public:
    BookFileWorker(BookStore& store, const Config& config);
    BookFileWorker(const BookFileWorker&) = delete;
    BookFileWorker& operator=(const BookFileWorker&) = delete;
    // Stops a build between two steps; the next start resumes it.
    ~BookFileWorker();

    void wake();
    // The kit is capturing: OCR waits until it has been quiet for a while.
    void capture_activity();
    // {"building": "what" or null, "failed": [{"book": ID, "reason": "one line"}]}: the
    // builds that failed since the daemon started (a restart tries them again).
    [[nodiscard]] nlohmann::json status() const;

private:
    void run();
    void build_ready_books();
    void pause_while_capturing();
    void record_failure(const std::string& id, const std::string& reason);

    BookStore& store_;
    const Config& config_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    // Read without the mutex by the build, which runs at idle priority: a starved idle
    // thread holding the mutex would stall `status` and the daemon's shutdown.
    std::atomic<bool> stopping_{false};
    bool woken_ = true;  // look once at start-up
    std::string building_;
    nlohmann::json failed_ = nlohmann::json::array();
    std::atomic<std::chrono::steady_clock::rep> last_capture_{0};
    std::thread thread_;
};

}  // namespace digikit::firmware
