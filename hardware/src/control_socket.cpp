#include "digikit/hardware/control_socket.hpp"

#include "digikit/base/exception_barrier.hpp"
#include "file_descriptor.hpp"
#include "wake_event.hpp"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <list>
#include <system_error>
#include <thread>

namespace digikit::hardware {
namespace {

constexpr std::size_t max_response = std::size_t{1024} * 1024;

sockaddr_un socket_address(const std::filesystem::path& path)
{
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path.string();
    if (text.size() >= sizeof(address.sun_path)) {
        throw std::system_error(ENAMETOOLONG, std::generic_category(), "control socket path too long: " + text);
    }
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    return address;
}

// How reading a line ended; `partial` and `timed_out` say whether part of one came.
enum class LineRead { complete, closed, partial, timed_out, too_long, stopped };

// Reads up to the first newline, within `timeout` and `max_bytes`; `wake_fd` (-1: none)
// ends the wait when the server stops.
LineRead read_line(int fd, int wake_fd, std::string& line, std::chrono::milliseconds timeout, std::size_t max_bytes)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    for (;;) {
        if (const auto end = line.find('\n'); end != std::string::npos) {
            line.resize(end);
            return line.size() > max_bytes ? LineRead::too_long : LineRead::complete;
        }
        if (line.size() > max_bytes) return LineRead::too_long;
        pollfd entries[2] = {{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
        const int ready = ::poll(entries, 2, poll_timeout(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0 || (entries[1].revents & POLLIN) != 0) return LineRead::stopped;
        if (ready == 0) return LineRead::timed_out;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return line.empty() ? LineRead::closed : LineRead::partial;
        line.append(buffer, static_cast<std::size_t>(n));
    }
}

void write_all(int fd, const std::string& text)
{
    std::size_t sent = 0;
    while (sent < text.size()) {
        const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the client went away; nothing to tell it
        sent += static_cast<std::size_t>(n);
    }
}

// Binds a listening socket at `path` that only its owner can reach from birth, without
// touching the process umask (other threads are running): it is bound inside a fresh
// private (0700) folder beside `path`, made 0600, then renamed over `path`.
int bind_private(const std::filesystem::path& path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create control socket");
    std::string folder = (path.parent_path() / ".sockXXXXXX").string();
    if (::mkdtemp(folder.data()) == nullptr) {
        const int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "cannot listen on " + path.string());
    }
    const std::filesystem::path inside = std::filesystem::path(folder) / "s";
    int error = 0;
    try {
        const sockaddr_un address = socket_address(inside);
        if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
            ::chmod(inside.c_str(), 0600) != 0 || ::rename(inside.c_str(), path.c_str()) != 0 ||
            ::listen(fd, 64) != 0) {
            error = errno;
        }
    } catch (const std::system_error& too_long) {
        error = too_long.code().value();
    }
    ::unlink(inside.c_str());
    ::rmdir(folder.c_str());
    if (error != 0) {
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "cannot listen on " + path.string());
    }
    return fd;
}

}  // namespace

struct ControlSocketServer::State {
    std::filesystem::path path;
    Handler handler;
    ControlSocketOptions options;
    FileDescriptor listener;
    WakeEvent stop;
    struct Connection {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    };
    std::list<Connection> connections;  // the acceptor's alone
    std::thread acceptor;

    State(std::filesystem::path p, Handler h, ControlSocketOptions o)
        : path(std::move(p)), handler(std::move(h)), options(std::move(o)), listener(bind_private(path))
    {
    }

    [[nodiscard]] std::string refusal(const std::string& reason) const
    {
        return (options.refusal ? options.refusal(reason) : reason) + "\n";
    }

    // One connection, behind the barrier: whatever the handler throws becomes a refusal
    // to this client and a problem reported, and the server goes on.
    void serve(int fd)
    {
        std::string request;
        switch (read_line(fd, stop.fd(), request, options.request_timeout, options.max_request_bytes)) {
            case LineRead::complete: break;
            case LineRead::closed:
            case LineRead::stopped: return;
            case LineRead::partial: write_all(fd, refusal("incomplete request: no end of line")); return;
            case LineRead::timed_out:
                if (!request.empty()) {
                    write_all(fd, refusal("incomplete request: no end of line within " +
                                          std::to_string(options.request_timeout.count()) + " ms"));
                }
                return;
            case LineRead::too_long:
                write_all(fd, refusal("request longer than " + std::to_string(options.max_request_bytes) + " bytes"));
                return;
        }
        if (!request.empty() && request.back() == '\r') request.pop_back();
        std::string response;
        base::run_behind_barrier([&] { response = handler(request) + "\n"; },
                                 [&](const std::string& failure) {
                                     if (options.on_problem) options.on_problem("control request failed: " + failure);
                                     response = refusal("internal error: " + failure);
                                 });
        write_all(fd, response);
    }

    // A long-running daemon serves thousands of presses: join the threads that ended.
    void reap_finished()
    {
        for (auto it = connections.begin(); it != connections.end();) {
            if (*it->done) {
                it->thread.join();
                it = connections.erase(it);
            } else {
                ++it;
            }
        }
    }

    void accept_loop()
    {
        for (;;) {
            pollfd entries[2] = {{listener.get(), POLLIN, 0}, {stop.fd(), POLLIN, 0}};
            if (::poll(entries, 2, -1) < 0 && errno != EINTR) return;
            if ((entries[1].revents & POLLIN) != 0) return;
            if ((entries[0].revents & POLLIN) == 0) continue;
            const int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;  // the client gave up already, or no descriptor left for now
            reap_finished();
            if (connections.size() >= options.max_connections) {
                const FileDescriptor refused(fd);
                const std::string line =
                    refusal("too many connections (" + std::to_string(connections.size()) + " open): try again");
                (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                continue;
            }
            start_connection(fd);
        }
    }

    void start_connection(int fd)
    {
        auto& connection = connections.emplace_back();
        try {
            connection.thread = std::thread([this, fd, done = connection.done] {
                (void)::pthread_setname_np(::pthread_self(), control_client_thread_name);
                const FileDescriptor owned(fd);
                base::run_behind_barrier([&] { serve(fd); }, options.on_problem);
                *done = true;
            });
        } catch (const std::system_error&) {  // no thread to be had: refuse this one
            connections.pop_back();
            const FileDescriptor refused(fd);
            const std::string line = refusal("the daemon is out of threads: try again");
            (void)::send(fd, line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
    }
};

ControlSocketServer::ControlSocketServer(std::filesystem::path path, Handler handler, ControlSocketOptions options)
    : state_(std::make_unique<State>(std::move(path), std::move(handler), std::move(options)))
{
    state_->acceptor = std::thread([s = state_.get()] {
        (void)::pthread_setname_np(::pthread_self(), "control-accept");
        s->accept_loop();
    });
}

ControlSocketServer::~ControlSocketServer()
{
    state_->stop.signal();
    state_->acceptor.join();
    for (auto& connection : state_->connections) connection.thread.join();
    std::error_code ignored;
    std::filesystem::remove(state_->path, ignored);
}

std::string send_control_request(const std::filesystem::path& path, const std::string& request,
                                 std::chrono::milliseconds timeout)
{
    const FileDescriptor fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) throw std::system_error(errno, std::generic_category(), "cannot create socket");
    const sockaddr_un address = socket_address(path);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw ControlSocketUnavailable("no daemon is listening on " + path.string());
    }
    write_all(fd.get(), request + "\n");
    std::string response;
    const LineRead read = read_line(fd.get(), -1, response, timeout, max_response);
    if (read == LineRead::complete) return response;
    if (read == LineRead::timed_out) {
        throw ControlSocketNotAnswering("the daemon did not answer on " + path.string() + " within " +
                                        std::to_string(timeout.count()) + " ms");
    }
    throw ControlSocketUnavailable("the daemon went away without answering on " + path.string());
}

}  // namespace digikit::hardware
