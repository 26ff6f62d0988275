#include "processing_worker.hpp"

#include <spdlog/spdlog.h>

namespace digikit::firmware {

ProcessingWorker::ProcessingWorker(BookStore& store, imaging::PipelineOptions options, AfterShot after_shot)
    : store_(store), options_(options), after_shot_(std::move(after_shot)), thread_([this] { run(); })
{
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

std::size_t ProcessingWorker::backlog() const
{
    const std::lock_guard lock(mutex_);
    return backlog_;
}

void ProcessingWorker::wait_idle()
{
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stopping_ || (!woken_ && backlog_ == 0); });
}

void ProcessingWorker::run()
{
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stopping_ || woken_; });
            if (stopping_) return;
            woken_ = false;
        }
        auto pending = store_.unprocessed_shots();
        for (std::size_t i = 0; i < pending.size(); ++i) {
            {
                const std::lock_guard lock(mutex_);
                if (stopping_) return;
                backlog_ = pending.size() - i;
            }
            process(pending[i]);
        }
        {
            const std::lock_guard lock(mutex_);
            backlog_ = 0;
        }
        changed_.notify_all();
    }
}

void ProcessingWorker::process(const Shot& shot)
{
    try {
        const auto result =
            imaging::process_photo(shot.raw, store_.pages_dir(shot.book_id), shot.raw.stem().string(), options_);
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
