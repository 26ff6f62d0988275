#include "camera_thread.hpp"

#include <pthread.h>

#include <csignal>

namespace digikit::capture {

CameraThread::CameraThread() : shared_(std::make_shared<Shared>())
{
    thread_ = std::thread([shared = shared_] { loop(*shared); });
}

CameraThread::~CameraThread()
{
    {
        const std::lock_guard lock(shared_->mutex);
        shared_->stop = true;
    }
    shared_->wake.notify_all();
    // A thread stuck inside libgphoto2 cannot be joined; it owns its state and finishes
    // (or not) on its own.
    if (hung_) {
        thread_.detach();
    } else {
        thread_.join();
    }
}

void CameraThread::post(std::function<void()> job)
{
    {
        const std::lock_guard lock(shared_->mutex);
        shared_->jobs.push_back(std::move(job));
    }
    shared_->wake.notify_all();
}

void CameraThread::loop(Shared& shared)
{
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(shared.mutex);
            shared.wake.wait(lock, [&] { return shared.stop || !shared.jobs.empty(); });
            if (shared.jobs.empty()) return;
            job = std::move(shared.jobs.front());
            shared.jobs.pop_front();
        }
        job();
    }
}

}  // namespace digikit::capture
