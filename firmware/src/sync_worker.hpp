#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace digikit::firmware {

// The daemon's upload thread: runs one sync at a time when asked, so that no thread of
// the event loop ever waits for an upload (docs/threads.md).
class SyncWorker {
public:
    // `sync` uploads the queue, polling `should_stop` between steps, and returns "" or
    // why it could not finish; `on_finished` gets that (on this worker's thread).
    using Sync = std::function<std::string(const std::function<bool()>& should_stop)>;
    SyncWorker(Sync sync, std::function<void(const std::string& failure)> on_finished);
    SyncWorker(const SyncWorker&) = delete;
    SyncWorker& operator=(const SyncWorker&) = delete;
    // Stops a run in progress at its next step (the queue resumes it next time).
    ~SyncWorker();

    // Starts a run; false, at once, when one is in progress.
    bool start();
    [[nodiscard]] bool running() const;

private:
    void run();

    Sync sync_;
    std::function<void(const std::string&)> on_finished_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool requested_ = false;  // guarded by mutex_
    bool running_ = false;    // guarded by mutex_
    bool stopping_ = false;   // guarded by mutex_
    std::thread thread_;
};

}  // namespace digikit::firmware
