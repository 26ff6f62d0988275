#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace digikit::hardware {

// The control socket: a Unix stream socket (mode 0600) through which `digikit press`
// and `digikit status` talk to the daemon. One request line in, one response line out;
// what the lines mean is the daemon's business.
class ControlSocketServer {
public:
    using Handler = std::function<std::string(const std::string& request)>;

    // Binds `path` (replacing a stale socket file) and serves each connection on its
    // own thread until destroyed. Throws std::system_error naming the path.
    ControlSocketServer(std::filesystem::path path, Handler handler);
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

// Sends one request line and waits up to `timeout` for the response line.
[[nodiscard]] std::string send_control_request(const std::filesystem::path& path, const std::string& request,
                                               std::chrono::milliseconds timeout);

}  // namespace digikit::hardware
