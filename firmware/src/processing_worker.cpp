#include "processing_worker.hpp"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "digikit/base/exception_barrier.hpp"

namespace digikit::firmware {

namespace {

constexpr int page_thumbnail_size = 320;  // the console's previews, made once per page

imaging::PipelineOptions with_thumbnails(imaging::PipelineOptions options)
{
    options.thumbnail_size = page_thumbnail_size;
    return options;
}

std::map<std::string, imaging::PipelineOptions> with_thumbnails(std::map<std::string, imaging::PipelineOptions> by_role)
{
    for (auto& [role, options] : by_role) options = with_thumbnails(options);
    return by_role;
}

}  // namespace

ProcessingWorker::ProcessingWorker(BookStore& store, imaging::PipelineOptions options,
                                   std::map<std::string, imaging::PipelineOptions> by_role,
                                   std::uintmax_t capture_floor_bytes, AfterShot after_shot)
    : store_(store),
      options_(with_thumbnails(std::move(options))),
      by_role_(with_thumbnails(std::move(by_role))),
      capture_floor_bytes_(capture_floor_bytes),
      after_shot_(std::move(after_shot))
{
    // OpenCV builds its Lab tables on first use without a lock: built here, before this
    // thread converts photos while the press thread takes its first looks (two builds at
    // once leaked one set of tables, 4.7 MB).
    imaging::prepare_tables();
    thread_ = std::thread([this] { run(); });
}

ProcessingWorker::~ProcessingWorker()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void ProcessingWorker::wake()
{
    {
        const std::lock_guard lock(mutex_);
        woken_ = true;
    }
    changed_.notify_all();
}

// From the database, not from the worker's pass: a shot recorded a moment ago, before
// the worker woke to it, is already waiting (a count kept by the pass read 0 then).
std::size_t ProcessingWorker::backlog() const
{
    return store_.unprocessed_count();
}

void ProcessingWorker::wait_idle()
{
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stopping_ || (!woken_ && !working_); });
}

void ProcessingWorker::run()
{
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stopping_ || woken_; });
            if (stopping_) return;
            woken_ = false;
            working_ = true;  // in the same critical section: wait_idle never sees a gap
        }
        // Behind the barrier: a shot that throws is logged and stays pending (tried again
        // at the next wake or start-up); the worker goes on with the others.
        base::run_behind_barrier([this] { process_pending(); },
                                 [](const std::string& failure) { spdlog::error("processing: {}", failure); });
        {
            const std::lock_guard lock(mutex_);
            working_ = false;
        }
        changed_.notify_all();
    }
}

void ProcessingWorker::process_pending()
{
    auto pending = store_.unprocessed_shots();
    for (const auto& shot : pending) {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) return;
        }
        base::run_behind_barrier(
            [&] { process(shot); },
            [&](const std::string& failure) { spdlog::error("processing {} failed: {}", shot.raw.string(), failure); });
    }
}

void ProcessingWorker::process(const Shot& shot)
{
    const auto camera = by_role_.find(shot.role);
    imaging::PipelineOptions options = camera != by_role_.end() ? camera->second : options_;
    if (!shot.taken.view.empty()) {
        options.view = imaging::parse_page_view(shot.taken.view);
        options.rotate = shot.taken.rotate;
    }
    std::error_code unknown;  // a raw that cannot be measured fails below, in process_photo
    const auto raw_bytes = std::filesystem::file_size(shot.raw, unknown);
    options.keep_free_bytes = std::max(capture_floor_bytes_, unknown ? 0 : 3 * raw_bytes);
    try {
        const auto result =
            imaging::process_photo(shot.raw, store_.pages_dir(shot.book_id), shot.raw.stem().string(), options);
        if (result.error) throw std::runtime_error(*result.error);
        std::vector<Page> pages;
        int index = 0;
        for (const auto& page : result.pages) {
            pages.push_back(Page{shot.id, ++index, page.master, page.access, page.width, page.height, page.warnings,
                                 shot.captured_at});
        }
        if (!store_.record_pages(shot.id, pages)) {
            // Retaken while being processed: its pages belong to no book.
            for (const auto& page : pages) {
                std::filesystem::remove(page.master);
                std::filesystem::remove(page.access);
                std::filesystem::remove(imaging::thumbnail_path(page.access));
            }
        }
    } catch (const std::exception& error) {
        // The raw file stays; the shot waits for a person (`book reprocess`, `book
        // drop-shot`) or the next start-up, and keeps its book from closing meanwhile.
        spdlog::error("processing shot {} of book {} failed: {}", shot.name(), shot.book_id, error.what());
        try {
            store_.record_failure(shot.id, error.what());
        } catch (const std::exception& also) {  // e.g. the disk is full: it stays pending for the next start
            spdlog::error("cannot record the failure of shot {}: {}", shot.name(), also.what());
            return;
        }
    }
    if (!after_shot_) return;
    try {
        after_shot_(shot);
    } catch (const std::exception& error) {
        spdlog::error("after processing shot {} of book {}: {}", shot.name(), shot.book_id, error.what());
    }
}

}  // namespace digikit::firmware
