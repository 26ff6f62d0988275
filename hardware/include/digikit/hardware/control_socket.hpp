#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace digikit::hardware {

struct ControlSocketOptions {
    // Connections served at once; one more is answered with a refusal and closed at once.
    std::size_t max_connections = 32;
    // A client has this long to send its request line, and at most this many bytes of it.
    std::chrono::milliseconds request_timeout{5000};
    std::size_t max_request_bytes = 4096;
    // Turns the server's own answers (a refusal, a handler's failure) into a response
    // line; by default the reason itself. The reason never holds the client's bytes.
    std::function<std::string(const std::string& reason)> refusal;
    // Told of each handler failure (to log it); the client gets refusal(...) meanwhile.
    std::function<void(const std::string& problem)> on_problem;
};

// The name each connection's thread carries (in /proc/PID/task/*/comm, top, gdb), so
// that the threads a flood of clients costs can be told from the daemon's own.
inline constexpr const char* control_client_thread_name = "control-client";

// The control socket: a Unix stream socket (mode 0600) through which `digikit press`
// and `digikit status` talk to the daemon. One request line in (any bytes; a trailing CR
// is dropped), one response line out; what the lines mean is the daemon's business.
class ControlSocketServer {
public:
    using Handler = std::function<std::string(const std::string& request)>;

    // Binds `path` (replacing a stale socket file) and serves each connection on its
    // own thread, at most options.max_connections at once, until destroyed. Throws
    // std::system_error naming the path.
    ControlSocketServer(std::filesystem::path path, Handler handler, ControlSocketOptions options = {});
    ControlSocketServer(const ControlSocketServer&) = delete;
    ControlSocketServer& operator=(const ControlSocketServer&) = delete;
    ~ControlSocketServer();

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Nothing is listening on the socket (no daemon), or it went away mid-request.
class ControlSocketUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Something holds the socket open but sent no answer in time (a stopped or wedged daemon).
class ControlSocketNotAnswering : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Sends one request line and waits up to `timeout` for the response line. Throws
// ControlSocketUnavailable or ControlSocketNotAnswering.
[[nodiscard]] std::string send_control_request(const std::filesystem::path& path, const std::string& request,
                                               std::chrono::milliseconds timeout);

}  // namespace digikit::hardware
