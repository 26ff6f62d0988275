#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>

namespace digikit::capture {

// Runs jobs one after another on a thread of its own, so that every libgphoto2 call of
// one camera happens on one thread. SIGPIPE is blocked there: a camera that drops its
// network connection makes a write fail instead of killing the process.
// Contract (docs/threads.md): jobs are queued by the owner's thread only; a job that does
// not finish within its timeout marks the thread hung, and the thread is then detached at
// destruction, not joined: a job must own (share) everything it uses.
class CameraThread {
public:
    CameraThread();
    CameraThread(const CameraThread&) = delete;
    CameraThread& operator=(const CameraThread&) = delete;
    ~CameraThread();

    [[nodiscard]] bool hung() const { return hung_; }

    // Runs `job` on the thread and waits for it at most `timeout`; returns false if it did
    // not finish in time (the thread is then hung). Rethrows what the job threw.
    template <typename T>
    bool run(std::function<T()> job, std::chrono::milliseconds timeout, T& result)
    {
        auto task = std::make_shared<std::packaged_task<T()>>(std::move(job));
        std::future<T> done = task->get_future();
        post([task] { (*task)(); });
        if (done.wait_for(timeout) != std::future_status::ready) {
            hung_ = true;
            return false;
        }
        result = done.get();
        return true;
    }

private:
    struct Shared {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::function<void()>> jobs;
        bool stop = false;
    };

    void post(std::function<void()> job);
    static void loop(Shared& shared);

    std::shared_ptr<Shared> shared_;
    std::thread thread_;
    bool hung_ = false;
};

}  // namespace digikit::capture
