// The console's routes: pages, /api/ (the CLI's mirror), page images, the event stream.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "console_api.hpp"
#include "console_assets.hpp"
#include "console_events.hpp"
#include "console_server.hpp"
#include "console_sessions.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/hardware/button.hpp"

namespace digikit::firmware {
namespace {

constexpr const char* session_cookie_name = "digikit_session";
constexpr std::chrono::milliseconds event_period{250};  // the Kit page is at most this late
constexpr std::chrono::seconds event_keepalive{15};

std::string json_text(const nlohmann::json& value)
{
    // Text from files and cameras may hold invalid UTF-8: replaced, never a throw.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body)
{
    res.status = status;
    res.set_content(json_text(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message)
{
    send_json(res, status, {{"ok", false}, {"message", message}});
}

std::string session_cookie(const httplib::Request& req)
{
    const std::string cookies = req.get_header_value("Cookie");
    const std::string key = std::string(session_cookie_name) + "=";
    std::size_t at = 0;
    while (at < cookies.size()) {
        while (at < cookies.size() && (cookies[at] == ' ' || cookies[at] == ';')) ++at;
        const auto end = std::min(cookies.find(';', at), cookies.size());
        if (cookies.compare(at, key.size(), key) == 0) return cookies.substr(at + key.size(), end - at - key.size());
        at = end;
    }
    return {};
}

// The host the browser asked for, without the port.
std::string requested_host(const httplib::Request& req)
{
    const std::string host = req.get_header_value("Host");
    if (!host.empty() && host.front() == '[') return host.substr(1, host.find(']') - 1);
    return host.substr(0, host.find(':'));
}

bool needs_session(const std::string& path)
{
    return (path.rfind("/api/", 0) == 0 && path != "/api/login") || path.rfind("/files/", 0) == 0;
}

bool changes_state(const std::string& method)
{
    return method != "GET" && method != "HEAD";
}

// Runs a route; a mistake of the person (bad id, invalid value, wrong state) is answered
// with its message, anything else is logged and answered 500 with the message.
template <typename Route>
void answer(httplib::Response& res, Route&& route)
{
    try {
        route();
    } catch (const CommandError& error) {
        send_error(res, 409, error.what());
    } catch (const std::invalid_argument& error) {
        send_error(res, 400, error.what());
    } catch (const std::exception& error) {
        spdlog::error("console: {}", error.what());
        send_error(res, 500, error.what());
    }
}

std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res)
{
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        send_error(res, 400, "expected a JSON object");
        return std::nullopt;
    }
    return body;
}

}  // namespace

void ConsoleServer::add_routes()
{
    events_ = std::make_unique<ConsoleEvents>([api = api_] { return json_text(api->kit()); }, event_period,
                                              max_event_clients);
    // Without a password the console trusts this machine only: a page of another site
    // that renames itself to 127.0.0.1 (DNS rebinding) is refused by its Host header.
    const bool open = !sessions_->has_password();
    http_->set_pre_routing_handler([this, open](const httplib::Request& req, httplib::Response& res) {
        using Result = httplib::Server::HandlerResponse;
        if (open && !ListenAddress{requested_host(req), 0}.loopback()) {
            send_error(res, 403, "this console answers on its loopback address only");
            return Result::Handled;
        }
        if (!needs_session(req.path)) return Result::Unhandled;
        const auto session = sessions_->find(session_cookie(req));
        if (!session) {
            send_json(res, 401,
                      {{"ok", false}, {"message", "log in first (POST /api/login)"}, {"password_required", !open}});
            return Result::Handled;
        }
        if (changes_state(req.method) && !same_secret(req.get_header_value("X-CSRF-Token"), session->csrf)) {
            send_error(res, 403, "missing or wrong X-CSRF-Token header");
            return Result::Handled;
        }
        return Result::Unhandled;
    });
    http_->set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("X-Frame-Options", "DENY");
        res.set_header("Referrer-Policy", "no-referrer");
        res.set_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
        if (req.path.rfind("/api/", 0) == 0) res.set_header("Cache-Control", "no-store");
    });
    http_->Get(R"(/|/console\.css|/console\.js)", [](const httplib::Request& req, httplib::Response& res) {
        const auto asset = console_asset(req.path);
        res.set_content(asset->body.data(), asset->body.size(), std::string(asset->content_type));
    });
    add_api_routes();
    add_file_routes();
}

void ConsoleServer::add_api_routes()
{
    http_->Post("/api/login", [this](const httplib::Request& req, httplib::Response& res) {
        if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
            // Other sites' forms cannot send JSON without asking first (CORS): they stop here.
            send_error(res, 415, R"(send the password as JSON ({"password": "..."}))");
            return;
        }
        const auto body = json_body(req, res);
        if (!body) return;
        const auto password = body->value("password", nlohmann::json()).is_string()
                                  ? (*body)["password"].get<std::string>()
                                  : std::string();
        const auto session = sessions_->login(password);
        if (!session) {
            send_error(res, 401, "wrong password");
            return;
        }
        res.set_header("Set-Cookie",
                       std::string(session_cookie_name) + "=" + session->id + "; Path=/; HttpOnly; SameSite=Strict");
        send_json(res, 200, {{"csrf", session->csrf}});
    });
    http_->Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) {
        send_json(res, 200, {{"csrf", sessions_->find(session_cookie(req))->csrf}});
    });
    http_->Post("/api/logout", [this](const httplib::Request& req, httplib::Response& res) {
        sessions_->logout(session_cookie(req));
        res.set_header("Set-Cookie",
                       std::string(session_cookie_name) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        send_json(res, 200, {{"ok", true}});
    });
    http_->Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, api_->status()); });
    });
    http_->Post(R"(/api/press/([a-z-]+))", [this](const httplib::Request& req, httplib::Response& res) {
        if (!hardware::parse_button(req.matches[1].str())) {
            send_error(res, 404, "no button '" + req.matches[1].str() + "'");
            return;
        }
        answer(res, [&] {
            const auto outcome = api_->press(req.matches[1].str());
            events_->refresh();
            send_json(res, outcome["ok"].get<bool>() ? 200 : 409, outcome);
        });
    });
    http_->Get("/api/kit", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, api_->kit()); });
    });
    http_->Get("/api/devices", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, api_->devices()); });
    });
    http_->Get("/api/books", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, api_->books()); });
    });
    http_->Get(R"(/api/books/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, api_->book(req.matches[1].str())); });
    });
    http_->Post(R"(/api/books/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
        const auto body = json_body(req, res);
        if (!body) return;
        answer(res, [&] {
            const auto errors = api_->set_book(req.matches[1].str(), body->value("fields", nlohmann::json()));
            nlohmann::json by_field = nlohmann::json::object();
            for (const auto& error : errors) by_field[error.key] = error.message;
            send_json(res, errors.empty() ? 200 : 422, {{"ok", errors.empty()}, {"errors", by_field}});
        });
    });
    http_->Post(R"(/api/books/([^/]+)/close)", [this](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, {{"ok", true}, {"message", api_->close(req.matches[1].str())}}); });
    });
    http_->Post(R"(/api/books/([^/]+)/reprocess)", [this](const httplib::Request& req, httplib::Response& res) {
        const auto body = json_body(req, res);
        if (!body) return;
        answer(res, [&] {
            const auto shot = body->value("shot", nlohmann::json(""));
            if (!shot.is_string()) throw std::invalid_argument(R"(expected {"shot": "0003_left"})");
            send_json(res, 200,
                      {{"ok", true}, {"message", api_->reprocess(req.matches[1].str(), shot.get<std::string>())}});
        });
    });
    http_->Get("/api/queue", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] { send_json(res, 200, api_->queue()); });
    });
    http_->Post("/api/queue/retry-failed", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, [&] {
            const auto retried = api_->retry_failed();
            send_json(res, 200, {{"ok", true}, {"message", std::to_string(retried) + " item(s) queued again"}});
        });
    });
    http_->Post(R"(/api/queue/([^/]+)/(retry|drop))", [this](const httplib::Request& req, httplib::Response& res) {
        answer(res, [&] {
            const auto item = req.matches[1].str();
            if (req.matches[2] == "retry") {
                api_->retry(item);
            } else {
                api_->drop(item);
            }
            send_json(
                res, 200,
                {{"ok", true},
                 {"message", "queue item " + item + " " + (req.matches[2] == "retry" ? "queued again" : "dropped")}});
        });
    });
    http_->Get("/api/events", [this](const httplib::Request&, httplib::Response& res) {
        std::shared_ptr<ConsoleEvents::Listener> listener = events_->listen();
        if (!listener) {
            send_error(res, 503, "too many open console pages");
            return;
        }
        res.set_header("Cache-Control", "no-store");
        res.set_chunked_content_provider("text/event-stream", [listener](std::size_t, httplib::DataSink& sink) {
            std::string state;
            switch (listener->wait(state, event_keepalive)) {
                case ConsoleEvents::Listener::Next::stopped: sink.done(); return true;
                case ConsoleEvents::Listener::Next::quiet: return sink.write(": still here\n\n", 14);
                case ConsoleEvents::Listener::Next::state: {
                    const std::string event = "data: " + state + "\n\n";
                    return sink.write(event.data(), event.size());
                }
            }
            return false;
        });
    });
}

void ConsoleServer::add_file_routes()
{
    // Page images only, by name; anything with a slash, "..", or another file is not found.
    http_->Get(R"(/files/books/([^/]+)/pages/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
        const auto path = api_->page_image(req.matches[1].str(), req.matches[2].str());
        const auto bytes = path ? base::read_file_if_exists(*path) : std::nullopt;
        if (!bytes) {
            send_error(res, 404, "no such page image");
            return;
        }
        res.set_header("Cache-Control", "private, no-cache");
        res.set_content(*bytes, "image/jpeg");
    });
}

}  // namespace digikit::firmware
