#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "digikit/hardware/clock.hpp"

namespace digikit::hardware::testing {

// A clock whose time moves only when the code under test waits: a wait up to the
// horizon returns at once with the time set to its deadline; a wait beyond it moves time
// to the horizon and then blocks for real until notified ("parked"). Tests thus see
// exact virtual timestamps, however slow the machine (ASan) is.
class VirtualClock final : public Clock {
public:
    explicit VirtualClock(TimePoint start) : now_(start.time_since_epoch().count()), horizon_(now_.load()) {}

    TimePoint now() override { return TimePoint(TimePoint::duration(now_.load())); }

    void set_horizon(TimePoint horizon) { horizon_ = horizon.time_since_epoch().count(); }

    void wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& wakeup, TimePoint deadline) override
    {
        const TimePoint horizon(TimePoint::duration(horizon_.load()));
        if (deadline <= horizon) {
            move_to(deadline);
            return;
        }
        move_to(horizon);
        {
            const std::lock_guard parked_lock(parked_mutex_);
            ++parks_;
        }
        parked_.notify_all();
        wakeup.wait(lock);
    }

    [[nodiscard]] int parks()
    {
        const std::lock_guard lock(parked_mutex_);
        return parks_;
    }

    // Real-time wait until the code under test has parked more than `count` times.
    bool wait_parked_after(int count, std::chrono::milliseconds timeout = std::chrono::seconds(10))
    {
        std::unique_lock lock(parked_mutex_);
        return parked_.wait_for(lock, timeout, [&] { return parks_ > count; });
    }

private:
    void move_to(TimePoint at)
    {
        const auto ticks = at.time_since_epoch().count();
        if (ticks > now_.load()) now_ = ticks;
    }

    std::atomic<TimePoint::rep> now_;
    std::atomic<TimePoint::rep> horizon_;
    std::mutex parked_mutex_;
    std::condition_variable parked_;
    int parks_ = 0;
};

}  // namespace digikit::hardware::testing
