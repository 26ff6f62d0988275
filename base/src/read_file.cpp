#include "digikit/base/read_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace digikit::base {
namespace {

[[noreturn]] void throw_cannot_read(const std::filesystem::path& path, int error)
{
    throw std::system_error(error, std::generic_category(), "cannot read " + path.string());
}

std::string read_all(int fd, const std::filesystem::path& path)
{
    std::string bytes;
    std::array<char, std::size_t{64} * 1024> chunk{};
    for (;;) {
        const ssize_t n = ::read(fd, chunk.data(), chunk.size());
        if (n == 0) return bytes;
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_cannot_read(path, errno);
        }
        bytes.append(chunk.data(), static_cast<std::size_t>(n));
    }
}

// The file's bytes, or std::nullopt when opening it failed with ENOENT and `missing_is_fine`.
std::optional<std::string> read(const std::filesystem::path& path, bool missing_is_fine)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT && missing_is_fine) return std::nullopt;
        throw_cannot_read(path, errno);
    }
    try {
        std::string bytes = read_all(fd, path);
        ::close(fd);
        return bytes;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

}  // namespace

std::string read_file(const std::filesystem::path& path)
{
    return *read(path, false);
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path)
{
    return read(path, true);
}

}  // namespace digikit::base
