#include "digikit/hardware/clock.hpp"

namespace digikit::hardware {

Clock::TimePoint SteadyClock::now()
{
    return std::chrono::steady_clock::now();
}

void SteadyClock::wait_until(std::unique_lock<std::mutex>& lock, std::condition_variable& wakeup, TimePoint deadline)
{
    if (deadline == TimePoint::max()) {
        wakeup.wait(lock);  // no deadline: avoid converting the largest time point
    } else {
        wakeup.wait_until(lock, deadline);
    }
}

}  // namespace digikit::hardware
