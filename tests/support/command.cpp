#include "command.hpp"
#include "digikit/base/read_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace digikit::testing {
namespace {

std::vector<char*> argv_of(const std::vector<std::string>& args)
{
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    return argv;
}

void drain(int out_fd, int err_fd, std::string& out, std::string& err)
{
    std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
    int open = 2;
    char buffer[8192];
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n <= 0) {
                fds[i].fd = -1;
                --open;
                continue;
            }
            (i == 0 ? out : err).append(buffer, static_cast<std::size_t>(n));
        }
    }
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& args)
{
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    auto argv = argv_of(args);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    CommandResult result;
    if (rc == 0) drain(out_pipe[0], err_pipe[0], result.out, result.err);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    if (rc != 0) throw std::runtime_error("cannot start " + args.at(0));
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.peak_rss_kb = usage.ru_maxrss;
    return result;
}

const std::string& digikit_binary()
{
    static const std::string binary = [] {
        const char* chosen = std::getenv("DIGIKIT_TEST_BINARY");
        return std::string(chosen != nullptr && *chosen != '\0' ? chosen : DIGIKIT_BUILT_BINARY);
    }();
    return binary;
}

CommandResult run_digikit(const std::vector<std::string>& args)
{
    std::vector<std::string> full{digikit_binary()};
    full.insert(full.end(), args.begin(), args.end());
    return run_command(full);
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& args, const std::filesystem::path& log)
    : log_(log), daemon_(!args.empty() && args.front() == digikit_binary() && args.back() == "run")
{
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    auto argv = argv_of(args);
    const int rc = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + args.at(0));
}

BackgroundProcess::~BackgroundProcess()
{
    if (pid_ <= 0) return;
    if (!daemon_) {
        stop(SIGKILL);
        return;
    }
    // A digikit daemon still running at the end of a test must stop cleanly, as under
    // systemd: exit 0 on SIGTERM (a crash or sanitizer report at shutdown fails the test).
    const int exit_code = stop(SIGTERM);
    if (exit_code != 0) {
        const std::string text = base::read_file_if_exists(log_).value_or("");
        ADD_FAILURE() << "digikit run exited with " << exit_code << " on SIGTERM; its log ends:\n"
                      << text.substr(text.size() > 4000 ? text.size() - 4000 : 0);
    }
}

bool BackgroundProcess::running()
{
    if (pid_ <= 0) return false;
    if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
    }
    return true;
}

int BackgroundProcess::stop(int signal)
{
    if (pid_ > 0) {
        ::kill(pid_, signal);
        ::waitpid(pid_, &status_, 0);
        pid_ = -1;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout)
{
    // A check that runs the CLI costs most of a second of CPU under the sanitizers: resting
    // as long as the check took leaves at least half of a core to the daemon being waited on.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto checked = std::chrono::steady_clock::now();
        if (ready()) return true;
        std::this_thread::sleep_for(std::max<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(50), std::chrono::steady_clock::now() - checked));
    }
    return ready();
}

}  // namespace digikit::testing
