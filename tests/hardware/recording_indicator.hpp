#pragma once

#include <mutex>
#include <set>
#include <stdexcept>
#include <vector>

#include "digikit/hardware/clock.hpp"
#include "digikit/hardware/indicator.hpp"

namespace digikit::hardware::testing {

// An Indicator that records every change with the clock's time. Outputs listed as
// broken throw, like an LED whose sysfs file vanished.
class RecordingIndicator final : public Indicator {
public:
    struct Change {
        Clock::TimePoint at;
        Output output;
        bool on;
        bool operator==(const Change&) const = default;
    };

    explicit RecordingIndicator(Clock& clock, std::set<Output> broken = {}) : clock_(clock), broken_(std::move(broken))
    {
    }

    void set(Output output, bool on) override
    {
        if (broken_.contains(output)) throw std::runtime_error("LED " + std::string(to_string(output)) + " is broken");
        const std::lock_guard lock(mutex_);
        changes_.push_back({clock_.now(), output, on});
    }

    [[nodiscard]] std::vector<Change> changes()
    {
        const std::lock_guard lock(mutex_);
        return changes_;
    }

private:
    Clock& clock_;
    std::set<Output> broken_;
    std::mutex mutex_;
    std::vector<Change> changes_;
};

}  // namespace digikit::hardware::testing
