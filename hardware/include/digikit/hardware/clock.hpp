#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace digikit::hardware {

// Time for the parts that play or decide things over time, so that tests can run them
// on a virtual clock. Time points are std::chrono::steady_clock's (CLOCK_MONOTONIC).
class Clock {
public:
    using TimePoint = std::chrono::steady_clock::time_point;

    Clock() = default;
    Clock(const Clock&) = delete;
    Clock& operator=(const Clock&) = delete;
    virtual ~Clock() = default;

    [[nodiscard]] virtual TimePoint now() = 0;

    // Blocks on `wakeup` (with `lock` held by the caller) until `deadline`, a notification
    // or a spurious wake-up; the caller re-checks its state. TimePoint::max() waits for a
    // notification only.
    virtual void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& wakeup,
                            TimePoint deadline) = 0;
};

// The real clock.
class SteadyClock final : public Clock {
public:
    [[nodiscard]] TimePoint now() override;
    void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& wakeup, TimePoint deadline) override;
};

}  // namespace digikit::hardware
