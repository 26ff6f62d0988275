#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "book_store.hpp"
#include "digikit/imaging/page_pipeline.hpp"

namespace digikit::firmware {

// Turns raw shots into pages in the background, one at a time, oldest first. What is
// pending lives in the database (shots.processed = 0), so a restart picks it up again.
// A shot whose processing fails is recorded as failed with the reason, never as done.
class ProcessingWorker {
public:
    // `after_shot` (optional) runs on the worker's thread once a shot's outcome, pages or
    // failure, is recorded: the daemon queues the pages of a closing book there.
    using AfterShot = std::function<void(const Shot&)>;
    ProcessingWorker(BookStore& store, imaging::PipelineOptions options, AfterShot after_shot = {});
    ProcessingWorker(const ProcessingWorker&) = delete;
    ProcessingWorker& operator=(const ProcessingWorker&) = delete;
    // Finishes the shot in progress; the rest stays pending for the next start.
    ~ProcessingWorker();

    // Looks in the database for shots without pages and processes them.
    void wake();
    [[nodiscard]] std::size_t backlog() const;
    // Blocks until nothing is pending (for the CLI and tests).
    void wait_idle();

private:
    void run();
    void process(const Shot& shot);

    BookStore& store_;
    imaging::PipelineOptions options_;
    AfterShot after_shot_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    bool woken_ = true;  // recovery: look once at start-up
    std::size_t backlog_ = 0;
    std::thread thread_;
};

}  // namespace digikit::firmware
