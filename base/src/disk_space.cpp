#include "digikit/base/disk_space.hpp"

#include <system_error>

namespace digikit::base {

std::optional<std::uintmax_t> available_bytes(const std::filesystem::path& path)
{
    std::error_code error;
    const auto space = std::filesystem::space(path, error);
    if (error) return std::nullopt;
    return space.available;
}

}  // namespace digikit::base
