#include "digikit/base/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace digikit::base {
namespace {

constexpr std::string_view temp_marker = ".tmp-";

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path)
{
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

void fsync_path(const std::filesystem::path& path, int flags)
{
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot open", path);
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) {
        errno = saved;
        throw_errno("cannot fsync", path);
    }
}

// mkstemp in the target's folder, named so that recovery can recognise it.
std::filesystem::path make_temporary(const std::filesystem::path& target, int& fd)
{
    const auto dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    // Built by appending: GCC 12 at -O3 misreports chained string + as overlapping (-Wrestrict).
    std::string name = ".";
    name.append(target.filename().string()).append(temp_marker).append("XXXXXX");
    const std::string pattern = (dir / name).string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    fd = ::mkstemp(buffer.data());
    if (fd < 0) throw_errno("cannot create a temporary file for", target);
    return {buffer.data()};
}

void write_all(int fd, std::span<const std::byte> bytes, const std::filesystem::path& path)
{
    const auto* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("cannot write", path);
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace

void fsync_directory(const std::filesystem::path& dir)
{
    fsync_path(dir.empty() ? std::filesystem::path(".") : dir, O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes)
{
    AtomicFile file(target);
    const int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) throw_errno("cannot open", file.temp_path());
    try {
        write_all(fd, bytes, target);
    } catch (...) {
        ::close(fd);
        throw;
    }
    if (::close(fd) != 0) throw_errno("cannot close", target);
    file.commit();
}

void write_file_atomically(const std::filesystem::path& target, std::string_view text)
{
    write_file_atomically(target, std::as_bytes(std::span(text.data(), text.size())));
}

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target))
{
    int fd = -1;
    temp_ = make_temporary(target_, fd);
    ::close(fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)), temp_(std::move(other.temp_)), committed_(other.committed_)
{
    other.committed_ = true;  // the moved-from object owns nothing to clean up
}

AtomicFile::~AtomicFile()
{
    if (!committed_) {
        std::error_code ignored;
        std::filesystem::remove(temp_, ignored);
    }
}

void AtomicFile::commit()
{
    fsync_path(temp_, O_RDONLY);
    if (::rename(temp_.c_str(), target_.c_str()) != 0) throw_errno("cannot rename into", target_);
    committed_ = true;
    fsync_directory(target_.parent_path());
}

bool is_atomic_temporary(const std::filesystem::path& path)
{
    const std::string name = path.filename().string();
    const auto marker = name.rfind(temp_marker);
    return !name.empty() && name.front() == '.' && marker != std::string::npos &&
           name.size() - marker == temp_marker.size() + 6;
}

std::size_t remove_atomic_temporaries(const std::filesystem::path& dir)
{
    return remove_atomic_temporaries(dir, [](const std::string&) { return true; });
}

std::size_t remove_atomic_temporaries(const std::filesystem::path& dir,
                                      const std::function<bool(const std::string& target_name)>& is_mine)
{
    std::size_t removed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file() || !is_atomic_temporary(entry.path())) continue;
        const std::string name = entry.path().filename().string();
        // ".<target>.tmp-XXXXXX"
        if (is_mine(name.substr(1, name.size() - 1 - temp_marker.size() - 6))) {
            std::filesystem::remove(entry.path(), ec);
            ++removed;
        }
    }
    return removed;
}

}  // namespace digikit::base
