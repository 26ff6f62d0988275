#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "config.hpp"

namespace httplib {
class Server;
}

namespace digikit::firmware {

class ConsoleApi;
class ConsoleEvents;
class ConsoleSessions;

// What the console asks of the daemon: the control socket's own protocol ("status",
// "press BUTTON"), answered exactly as the socket answers, so the console's buttons and
// status are the socket's and the hardware buttons'.
using ControlRequest = std::function<std::string(const std::string& request)>;

// console_password from the credentials file (commons.credentials_file); nullopt when the
// console is off or the file or the key is absent. Throws naming the file when it cannot
// be read or parsed, or when other users may read it (the uploader's rule: 0600).
[[nodiscard]] std::optional<std::string> console_password(const Config& config);

// Throws std::runtime_error saying why when `[console] listen` is beyond loopback and no
// password is set: the daemon refuses to start rather than open the kit to a network.
void check_console_listen(const Config& config, bool has_password);

// The web console (SPEC "The console"): the pages, /api/ and the page images, served by
// cpp-httplib on its own threads at `[console] listen`.
class ConsoleServer {
public:
    static constexpr std::size_t max_event_clients = 16;           // open pages, each one stream
    static constexpr std::size_t threads = max_event_clients + 8;  // a stream holds a thread
    // Binds and starts serving; throws std::runtime_error when it cannot bind.
    ConsoleServer(Config config, std::optional<std::string> password, ControlRequest control);
    ConsoleServer(const ConsoleServer&) = delete;
    ConsoleServer& operator=(const ConsoleServer&) = delete;
    ~ConsoleServer();

    // http://HOST:PORT/ with the port actually bound.
    [[nodiscard]] const std::string& url() const { return url_; }

private:
    void add_routes();       // console_routes.cpp
    void add_api_routes();   // console_routes.cpp
    void add_file_routes();  // console_routes.cpp

    Config config_;
    std::shared_ptr<ConsoleApi> api_;
    std::unique_ptr<ConsoleSessions> sessions_;
    std::unique_ptr<ConsoleEvents> events_;
    std::unique_ptr<httplib::Server> http_;
    std::string url_;
    std::thread thread_;
};

}  // namespace digikit::firmware
