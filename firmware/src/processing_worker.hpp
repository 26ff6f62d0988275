#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
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
    // `by_role`: the options for the shots of each camera role (its view and mounting);
    // shots of a role not there get `options`. Captures come first on a filling card:
    // no page is written that could leave less free than `capture_floor_bytes` (where
    // captures stop) or three times the shot's raw (room for the next spread's raws);
    // such a shot fails with the reason and is processed again once there is space.
    // `after_shot` (optional) runs on the worker's thread once a shot's outcome, pages or
    // failure, is recorded: the daemon queues the pages of a closing book there.
    using AfterShot = std::function<void(const Shot&)>;
    ProcessingWorker(BookStore& store, imaging::PipelineOptions options,
                     std::map<std::string, imaging::PipelineOptions> by_role, std::uintmax_t capture_floor_bytes,
                     AfterShot after_shot = {});
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
    void process_pending();
    void process(const Shot& shot);

    BookStore& store_;
    imaging::PipelineOptions options_;
    std::map<std::string, imaging::PipelineOptions> by_role_;
    std::uintmax_t capture_floor_bytes_;
    AfterShot after_shot_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool stopping_ = false;
    bool woken_ = true;     // guarded by mutex_; recovery: look once at start-up
    bool working_ = false;  // guarded by mutex_; from taking a wake to the end of that pass
    std::thread thread_;
};

}  // namespace digikit::firmware
