#pragma once

#include <chrono>
#include <optional>

#include "file_descriptor.hpp"

namespace digikit::hardware {

// An eventfd that a reader thread polls next to its device, so that stop() can wake it.
class WakeEvent {
public:
    WakeEvent();  // throws std::system_error
    void signal();
    void clear();  // so that the source can be started again
    [[nodiscard]] int fd() const { return fd_.get(); }

private:
    FileDescriptor fd_;
};

// poll()'s timeout until `deadline`: -1 for none, rounded up so the deadline has passed on waking.
[[nodiscard]] int poll_timeout(std::optional<std::chrono::steady_clock::time_point> deadline);

// A kernel event time (CLOCK_MONOTONIC expected) as a steady_clock time point; when it
// is not plausibly monotonic (older kernels stamp GPIO events with CLOCK_REALTIME), now.
[[nodiscard]] std::chrono::steady_clock::time_point plausible_event_time(std::chrono::nanoseconds since_boot);

}  // namespace digikit::hardware
