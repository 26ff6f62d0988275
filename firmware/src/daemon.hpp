#pragma once

#include <filesystem>
#include <optional>

#include "config.hpp"

namespace digikit::firmware {

// Holds <data_dir>/digikit.lock for as long as it lives: one daemon per data dir.
class DaemonLock {
public:
    // Throws std::runtime_error naming the data dir and the running daemon's pid.
    explicit DaemonLock(const std::filesystem::path& data_dir);
    DaemonLock(const DaemonLock&) = delete;
    DaemonLock& operator=(const DaemonLock&) = delete;
    ~DaemonLock();

    // Takes the lock if free; nullopt when a daemon holds it.
    static std::optional<DaemonLock> try_take(const std::filesystem::path& data_dir);
    DaemonLock(DaemonLock&& other) noexcept;
    DaemonLock& operator=(DaemonLock&&) = delete;

private:
    DaemonLock() = default;
    int fd_ = -1;
};

// "pid N" of the daemon recorded in data_dir's lock file ("unknown pid" without one).
[[nodiscard]] std::string daemon_lock_holder(const std::filesystem::path& data_dir);

[[nodiscard]] std::filesystem::path control_socket_path(const std::filesystem::path& data_dir);

// Removes what a power cut left half written (atomic temporaries) under data_dir.
std::size_t remove_interrupted_writes(const std::filesystem::path& data_dir);

// `digikit run`: serves the control socket until SIGTERM or SIGINT. Returns the exit code.
int run_daemon(const Config& config);

}  // namespace digikit::firmware
