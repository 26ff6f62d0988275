#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace digikit::testing {

struct CommandResult {
    int exit_code = -1;    // -1 when killed by a signal
    long peak_rss_kb = 0;  // the program's peak resident memory (getrusage's ru_maxrss)
    std::string out;
    std::string err;
};

// Runs a program to completion and collects its output.
CommandResult run_command(const std::vector<std::string>& args);

// The digikit the tests run: the build's own, or $DIGIKIT_TEST_BINARY when set
// (scripts/test.sh points it at a ThreadSanitizer build's, so the daemon's threads are
// checked in the flows these tests drive).
const std::string& digikit_binary();

// The digikit binary under test, with arguments.
CommandResult run_digikit(const std::vector<std::string>& args);

// A program running in the background, killed when destroyed; `digikit ... run` is sent
// SIGTERM instead, and a test fails unless it then exits 0.
class BackgroundProcess {
public:
    explicit BackgroundProcess(const std::vector<std::string>& args, const std::filesystem::path& log);
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    ~BackgroundProcess();

    [[nodiscard]] pid_t pid() const { return pid_; }
    // Sends `signal` and waits for the exit; returns the exit code (-1 if signalled).
    int stop(int signal);
    [[nodiscard]] bool running();

private:
    pid_t pid_ = -1;
    int status_ = 0;
    std::filesystem::path log_;
    bool daemon_ = false;
};

// Polls `ready` until true or the timeout passes.
bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout);

}  // namespace digikit::testing
