#include "digikit/hardware/control_socket.hpp"

#include "file_descriptor.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <system_error>
#include <thread>

namespace digikit::hardware {
namespace {

constexpr std::size_t max_line = 64 * 1024;

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

// Waits for `fd` to become readable; false on timeout or when `stop` is set.
bool wait_readable(int fd, int timeout_ms)
{
    pollfd entry{fd, POLLIN, 0};
    const int rc = ::poll(&entry, 1, timeout_ms);
    return rc > 0;
}

// Reads up to the first newline. Returns false when the peer closed or timed out first.
bool read_line(int fd, std::string& line, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    while (line.find('\n') == std::string::npos) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_readable(fd, static_cast<int>(left.count()))) return false;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        line.append(buffer, static_cast<std::size_t>(n));
        if (line.size() > max_line) return false;
    }
    line.resize(line.find('\n'));
    return true;
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

}  // namespace

struct ControlSocketServer::State {
    std::filesystem::path path;
    Handler handler;
    FileDescriptor listener;
    std::atomic<bool> stopping{false};
    struct Connection {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    };
    std::list<Connection> connections;
    std::thread acceptor;

    State(std::filesystem::path p, Handler h, int fd) : path(std::move(p)), handler(std::move(h)), listener(fd) {}

    void serve(int raw_fd)
    {
        const FileDescriptor fd(raw_fd);
        std::string request;
        if (!read_line(fd.get(), request, std::chrono::seconds(10))) return;
        write_all(fd.get(), handler(request) + "\n");
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
        while (!stopping) {
            if (!wait_readable(listener.get(), 200)) continue;
            const int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            reap_finished();
            auto& connection = connections.emplace_back();
            connection.thread = std::thread([this, fd, done = connection.done] {
                serve(fd);
                *done = true;
            });
        }
    }
};

ControlSocketServer::ControlSocketServer(std::filesystem::path path, Handler handler)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create control socket");
    state_ = std::make_unique<State>(std::move(path), std::move(handler), fd);
    const sockaddr_un address = socket_address(state_->path);
    std::error_code ignored;
    std::filesystem::remove(state_->path, ignored);  // a stale socket from a killed daemon
    // The umask makes the socket 0600 from birth; chmod alone would leave a window.
    const mode_t old_mask = ::umask(0177);
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
    ::umask(old_mask);
    if (rc != 0 || ::listen(fd, 16) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot listen on " + state_->path.string());
    }
    state_->acceptor = std::thread([s = state_.get()] { s->accept_loop(); });
}

ControlSocketServer::~ControlSocketServer()
{
    state_->stopping = true;
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
    if (!read_line(fd.get(), response, timeout)) {
        throw ControlSocketUnavailable("the daemon did not answer on " + path.string());
    }
    return response;
}

}  // namespace digikit::hardware
