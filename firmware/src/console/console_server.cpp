#include "console_server.hpp"
#include "digikit/base/text.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include "console_api.hpp"
#include "console_events.hpp"
#include "console_sessions.hpp"
#include "digikit/uploader/commons_client.hpp"

namespace digikit::firmware {

std::optional<std::string> console_password(const Config& config)
{
    const auto& file = config.commons.credentials_file;
    std::error_code ec;
    if (config.console.listen.empty() || !std::filesystem::exists(file, ec)) return std::nullopt;
    uploader::check_credentials_mode(file);  // a password others may read is no password
    try {
        const auto table = toml::parse_file(file.string());
        const auto* password = table.get("console_password");
        if (password == nullptr) return std::nullopt;
        if (!password->is_string() || password->as_string()->get().empty()) {
            throw std::runtime_error("console_password must be a non-empty string");
        }
        return password->as_string()->get();
    } catch (const toml::parse_error& error) {
        // The parser's message may quote the file's text, a secret among it: only the place.
        throw std::runtime_error("cannot read " + file.string() + ": not valid TOML at line " +
                                 std::to_string(error.source().begin.line));
    } catch (const std::runtime_error& error) {
        throw std::runtime_error(file.string() + ": " + error.what());
    }
}

void check_console_listen(const Config& config, bool has_password)
{
    if (config.console.listen.empty()) return;
    const auto address = parse_listen_address(config.console.listen);
    if (!address) throw std::runtime_error("console.listen: expected HOST:PORT, got \"" + config.console.listen + "\"");
    if (address->loopback() || has_password) return;
    throw std::runtime_error("the console will not listen on " + config.console.listen +
                             " without a password: anyone on that network could work the kit. Set console_password "
                             "in " +
                             config.commons.credentials_file.string() +
                             " (mode 0600), or listen on 127.0.0.1 ([console] listen)");
}

ConsoleServer::ConsoleServer(Config config, std::optional<std::string> password, ControlRequest control)
    : config_(std::move(config)),
      api_(std::make_shared<ConsoleApi>(config_, std::move(control))),
      sessions_(std::make_unique<ConsoleSessions>(std::move(password))),
      http_(std::make_unique<httplib::Server>())
{
    check_console_listen(config_, sessions_->has_password());
    const auto address = parse_listen_address(config_.console.listen);
    // httplib owns the queue it is given.
    http_->new_task_queue = [] { return new httplib::ThreadPool(threads); };  // NOLINT(cppcoreguidelines-owning-memory)
    http_->set_payload_max_length(std::size_t{64} * 1024);
    http_->set_keep_alive_timeout(5);
    add_routes();
    int port = address->port;
    if (port == 0) {
        port = http_->bind_to_any_port(address->host);
    } else if (!http_->bind_to_port(address->host, port)) {
        port = -1;
    }
    if (port < 0) {
        throw std::runtime_error("cannot listen on " + config_.console.listen + ": " + base::error_text(errno));
    }
    const bool v6 = address->host.find(':') != std::string::npos;
    url_ = "http://" + (v6 ? "[" + address->host + "]" : address->host) + ":" + std::to_string(port) + "/";
    thread_ = std::thread([this] { http_->listen_after_bind(); });
    // stop() does nothing to a server not yet running: the destructor could wait forever.
    for (int waited = 0; !http_->is_running() && waited < 5000; ++waited) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

ConsoleServer::~ConsoleServer()
{
    events_->stop();  // event streams end, so their threads come back to the pool
    http_->stop();
    thread_.join();
}

}  // namespace digikit::firmware
