#include "wake_event.hpp"

#include <sys/eventfd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace digikit::hardware {

WakeEvent::WakeEvent() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (fd_.get() < 0) throw std::system_error(errno, std::generic_category(), "cannot create an eventfd");
}

void WakeEvent::signal()
{
    const std::uint64_t one = 1;
    // Cannot fail short of a full counter, which a single stop() never reaches.
    [[maybe_unused]] const auto written = ::write(fd_.get(), &one, sizeof one);
}

void WakeEvent::clear()
{
    std::uint64_t count = 0;
    [[maybe_unused]] const auto read = ::read(fd_.get(), &count, sizeof count);  // EAGAIN when not signalled
}

int poll_timeout(std::optional<std::chrono::steady_clock::time_point> deadline)
{
    if (!deadline) return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    return left.count() > 60'000 ? 60'000 : static_cast<int>(left.count());
}

std::chrono::steady_clock::time_point plausible_event_time(std::chrono::nanoseconds since_boot)
{
    const auto now = std::chrono::steady_clock::now();
    const std::chrono::steady_clock::time_point at(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(since_boot));
    if (at > now || now - at > std::chrono::seconds(10)) return now;
    return at;
}

}  // namespace digikit::hardware
