#include "lease_owner.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

namespace digikit::uploader {
namespace {

std::string boot_id()
{
    static const std::string id = [] {
        std::ifstream in("/proc/sys/kernel/random/boot_id");
        std::string text;
        std::getline(in, text);
        return text;
    }();
    return id;
}

struct ProcessStat {
    char state = '?';
    std::string start_time;  // clock ticks since boot, as text
};

// From /proc/PID/stat: the state (field 3) and the start time (field 22). The command
// name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
// Read as /proc/PID/./stat, the same file: qemu-user serves its own made-up copy of a
// process's /proc/<own pid>/stat, whose start time is a tick off what every other process
// reads, so under qemu a live process's lease looked abandoned to its siblings.
std::optional<ProcessStat> process_stat(const std::string& pid)
{
    std::ifstream in("/proc/" + pid + "/./stat");
    std::string text;
    if (!std::getline(in, text)) return std::nullopt;
    const auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    ProcessStat stat;
    fields >> stat.state;
    std::string field;
    for (int number = 4; number <= 22 && fields >> field; ++number) {
        if (number == 22) stat.start_time = field;
    }
    if (stat.start_time.empty()) return std::nullopt;
    return stat;
}

}  // namespace

std::string new_lease_owner()
{
    static std::atomic<unsigned> serial{0};
    const std::string pid = std::to_string(::getpid());
    const auto stat = process_stat(pid);
    return boot_id() + "/" + pid + "/" + (stat ? stat->start_time : "?") + "/" + std::to_string(++serial);
}

bool lease_owner_is_gone(std::string_view owner)
{
    std::istringstream parts{std::string(owner)};
    std::string boot;
    std::string pid;
    std::string start_time;
    if (!std::getline(parts, boot, '/') || !std::getline(parts, pid, '/') || !std::getline(parts, start_time, '/')) {
        return false;
    }
    if (boot != boot_id()) return !boot_id().empty();  // taken before the last reboot
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return false;
    std::error_code error;
    if (!std::filesystem::exists("/proc/" + pid, error)) return !error;
    const auto stat = process_stat(pid);
    if (!stat) return false;
    return stat->start_time != start_time || stat->state == 'Z' || stat->state == 'X';
}

}  // namespace digikit::uploader
