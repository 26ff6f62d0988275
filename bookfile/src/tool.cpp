#include "tool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "digikit/bookfile/book_file.hpp"

extern char** environ;

namespace digikit::bookfile {
namespace {

// Reads both pipes until both close (a tool that fills one pipe must not block); false
// when `stop` said so first.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, const StopRequested& stop)
{
    std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
    std::array<std::string*, 2> sinks{&out, &err};
    std::array<char, 65536> buffer{};
    int open = 2;
    while (open > 0) {
        if (stop && stop()) {
            for (const auto& fd : fds) {
                if (fd.fd >= 0) ::close(fd.fd);
            }
            return false;
        }
        const int ready = ::poll(fds.data(), fds.size(), stop ? 100 : -1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (n > 0) {
                sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            }
        }
    }
    return true;
}

std::string first_line(const std::string& text)
{
    const auto start = text.find_first_not_of(" \n");
    if (start == std::string::npos) return "no message";
    return text.substr(start, text.find('\n', start) - start);
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& args, const StopRequested& stop)
{
    ToolResult result;
    std::array<int, 2> out_pipe{-1, -1};
    std::array<int, 2> err_pipe{-1, -1};
    if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0 || ::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
        result.err = std::string("cannot make a pipe: ") + std::strerror(errno);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (spawned != 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        result.err = "cannot run " + args[0] + ": " + std::strerror(spawned);
        return result;
    }
    const bool finished = drain(out_pipe[0], err_pipe[0], result.out, result.err, stop);
    if (!finished) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!finished) throw ExportStopped("export stopped; it resumes where it stopped");
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string run_tool_checked(const std::vector<std::string>& args, const StopRequested& stop)
{
    ToolResult result = run_tool(args, stop);
    if (result.exit_code != 0) {
        throw BookFileError(args[0] + " failed (exit " + std::to_string(result.exit_code) +
                            "): " + first_line(result.err.empty() ? result.out : result.err));
    }
    return std::move(result.out);
}

}  // namespace digikit::bookfile
