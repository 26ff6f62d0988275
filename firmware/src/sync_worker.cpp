#include "sync_worker.hpp"

#include "digikit/base/exception_barrier.hpp"

namespace digikit::firmware {

SyncWorker::SyncWorker(Sync sync, std::function<void(const std::string&)> on_finished)
    : sync_(std::move(sync)), on_finished_(std::move(on_finished)), thread_([this] { run(); })
{
}

SyncWorker::~SyncWorker()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

bool SyncWorker::start()
{
    {
        const std::lock_guard lock(mutex_);
        if (running_ || requested_ || stopping_) return false;
        requested_ = true;
    }
    changed_.notify_all();
    return true;
}

bool SyncWorker::running() const
{
    const std::lock_guard lock(mutex_);
    return running_ || requested_;
}

void SyncWorker::run()
{
    const auto should_stop = [this] {
        const std::lock_guard lock(mutex_);
        return stopping_;
    };
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [this] { return stopping_ || requested_; });
            if (stopping_) return;
            requested_ = false;
            running_ = true;
        }
        std::string failure;
        base::run_behind_barrier([&] { failure = sync_(should_stop); },
                                 [&](const std::string& what) { failure = "sync failed: " + what; });
        {
            const std::lock_guard lock(mutex_);
            running_ = false;
        }
        base::run_behind_barrier([&] { on_finished_(failure); }, {});
    }
}

}  // namespace digikit::firmware
