#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <system_error>

namespace digikit::uploader::testing {
namespace {

sockaddr_in loopback(int port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    return address;
}

bool send_all(int fd, std::string_view data)
{
    while (!data.empty()) {
        const auto sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent <= 0) {
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

// Reads until `buffer` holds at least `size` bytes; false on EOF or error.
// A slow answer lasts until the client gives up on it (its own timeout), so that no
// wall-clock race decides the test; `limit_ms` only guards against a client that never does.
void wait_for_hangup(int fd, int limit_ms)
{
    pollfd entry{fd, POLLIN | POLLRDHUP, 0};
    (void)::poll(&entry, 1, limit_ms);
}

bool read_until_size(int fd, std::string& buffer, std::size_t size)
{
    char chunk[65536];
    while (buffer.size() < size) {
        const auto got = ::recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0) {
            return false;
        }
        buffer.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
}

std::string lower(std::string text)
{
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

// The request head with "Connection: close" in place of whatever the client asked.
std::string close_after_answer(const std::string& head)
{
    std::string out;
    std::size_t start = 0;
    while (start < head.size()) {
        const auto end = head.find("\r\n", start);
        const std::string line = head.substr(start, end - start);
        start = end + 2;
        if (line.empty()) {
            break;
        }
        if (lower(line).rfind("connection:", 0) == 0) {
            continue;
        }
        out += line + "\r\n";
    }
    return out + "Connection: close\r\n\r\n";
}

std::string api_error_answer(const std::string& code, bool retry_after)
{
    const std::string body = R"({"error":{"code":")" + code + R"(","info":"injected by the test proxy"}})";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nMediaWiki-API-Error: " + code + "\r\n" +
           (retry_after ? "Retry-After: 1\r\n" : "") + "Content-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

// Sends the request to the wiki and returns its whole answer (the wiki closes after it).
std::string forward(int upstream_port, const std::string& request)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const auto address = loopback(upstream_port);
    std::string answer;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 && send_all(fd, request)) {
        char chunk[65536];
        for (;;) {
            const auto got = ::recv(fd, chunk, sizeof chunk, 0);
            if (got <= 0) {
                break;
            }
            answer.append(chunk, static_cast<std::size_t>(got));
        }
    }
    ::close(fd);
    return answer;
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port)
{
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    auto address = loopback(0);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0) {
        throw std::system_error(errno, std::generic_category(), "fault proxy: cannot listen on 127.0.0.1");
    }
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
}

FaultProxy::~FaultProxy()
{
    stop_ = true;
    thread_.join();
    ::close(listener_);
}

std::string FaultProxy::api_url() const
{
    return "http://127.0.0.1:" + std::to_string(port_) + "/api.php";
}

void FaultProxy::inject(Fault fault, std::size_t count, std::string match)
{
    const std::lock_guard lock(mutex_);
    plan_.push_back({fault, count, std::move(match)});
}

std::vector<std::string> FaultProxy::request_heads() const
{
    const std::lock_guard lock(mutex_);
    return heads_;
}

std::size_t FaultProxy::pending_faults() const
{
    const std::lock_guard lock(mutex_);
    std::size_t pending = 0;
    for (const auto& planned : plan_) {
        pending += planned.count;
    }
    return pending;
}

bool FaultProxy::take_fault(const std::string& request, Fault& fault)
{
    const std::lock_guard lock(mutex_);
    for (auto it = plan_.begin(); it != plan_.end(); ++it) {
        if (request.find(it->match) != std::string::npos) {
            fault = it->fault;
            if (--it->count == 0) {
                plan_.erase(it);
            }
            ++faults_served_;
            return true;
        }
    }
    return false;
}

void FaultProxy::serve()
{
    while (!stop_) {
        join_finished_connections();
        pollfd waiting{listener_, POLLIN, 0};
        if (::poll(&waiting, 1, 100) <= 0) {
            continue;
        }
        const int client = ::accept(listener_, nullptr, nullptr);
        if (client < 0) {
            continue;
        }
        // A client that never finishes its request does not hold the proxy up for ever.
        const timeval patience{30, 0};
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
        auto done = std::make_shared<std::atomic<bool>>(false);
        connections_.push_back({std::thread([this, client, done] {
                                    handle(client);
                                    ::close(client);
                                    *done = true;
                                }),
                                done});
    }
    for (auto& connection : connections_) {
        connection.thread.join();
    }
}

void FaultProxy::join_finished_connections()
{
    for (auto it = connections_.begin(); it != connections_.end();) {
        if (*it->done) {
            it->thread.join();
            it = connections_.erase(it);
        } else {
            ++it;
        }
    }
}

void FaultProxy::handle(int client)
{
    std::string buffer;
    std::size_t head_end = std::string::npos;
    char chunk[65536];
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
        const auto got = ::recv(client, chunk, sizeof chunk, 0);
        if (got <= 0) {
            return;
        }
        buffer.append(chunk, static_cast<std::size_t>(got));
    }
    const std::string head = buffer.substr(0, head_end + 4);
    std::size_t content_length = 0;
    const std::string lowered = lower(head);
    if (const auto at = lowered.find("\r\ncontent-length:"); at != std::string::npos) {
        content_length = std::stoul(head.substr(at + 17));
    }
    const std::string request_line = head.substr(0, head.find("\r\n"));
    {
        const std::lock_guard lock(mutex_);
        heads_.push_back(head);
    }

    Fault fault{};
    bool faulty = false;
    // Decide on the request line and the start of the body (the API parameters come first).
    std::string body = buffer.substr(head_end + 4);
    if (content_length > 0 && body.size() < content_length / 2) {
        read_until_size(client, body, content_length / 2);
    }
    faulty = take_fault(request_line + "\n" + body, fault);
    if (faulty && fault == Fault::drop_mid_request) {
        return;  // half the body read: the client sees its connection die mid-upload
    }
    if (faulty && fault == Fault::reset) {
        linger abort{1, 0};
        ::setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        return;
    }
    if (!read_until_size(client, body, content_length)) {
        return;
    }
    if (faulty) {
        switch (fault) {
            case Fault::http500:
                send_all(client,
                         "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\noops\n");
                return;
            case Fault::badtoken: send_all(client, api_error_answer("badtoken", false)); return;
            case Fault::maxlag: send_all(client, api_error_answer("maxlag", true)); return;
            case Fault::ratelimited: send_all(client, api_error_answer("ratelimited", false)); return;
            case Fault::slow: wait_for_hangup(client, slow_ms); break;
            default: break;
        }
    }
    const std::string answer = forward(upstream_port_, close_after_answer(head) + body);
    if (faulty && fault == Fault::drop_response) {
        return;
    }
    send_all(client, answer);
}

}  // namespace digikit::uploader::testing
