#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace digikit::base {

// Bytes an unprivileged writer may still use on the disk that holds `path` (the blocks
// reserved for root are not the kit's); std::nullopt when it cannot be read. Every check
// of free space reads it here, so that the status, `digikit doctor` and the processing
// refuse at the same figure.
[[nodiscard]] std::optional<std::uintmax_t> available_bytes(const std::filesystem::path& path);

inline constexpr std::uintmax_t megabyte = std::uintmax_t{1024} * 1024;

// Whole megabytes, rounded down: the unit of the kit's settings and messages.
[[nodiscard]] constexpr std::int64_t whole_megabytes(std::uintmax_t bytes)
{
    return static_cast<std::int64_t>(bytes / megabyte);
}

}  // namespace digikit::base
