#pragma once

#include <chrono>
#include <cstdint>

namespace digikit::uploader {

// Seconds since 1970, as the queue stores times (a stash's age is measured against it).
[[nodiscard]] inline std::int64_t unix_seconds()
{
    using std::chrono::system_clock;
    return std::chrono::duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace digikit::uploader
