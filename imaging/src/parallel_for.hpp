#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace digikit::imaging {

// Runs task(index, worker) for every index in [0, count) on up to `threads` threads; the
// caller is worker 0 and each worker takes the next index when it finishes one, so uneven
// items still keep every thread busy. The first exception stops the hand-out of further
// indices and is rethrown here once every thread has stopped.
inline void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t, std::size_t)>& task)
{
    const std::size_t workers = std::min(count, static_cast<std::size_t>(std::max(1, threads)));
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_lock;
    auto work = [&](std::size_t worker) {
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                task(i, worker);
            } catch (...) {
                const std::lock_guard lock(failure_lock);
                if (!failure) failure = std::current_exception();
                next = count;
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
        work(0);
    }
    if (failure) std::rethrow_exception(failure);
}

}  // namespace digikit::imaging
