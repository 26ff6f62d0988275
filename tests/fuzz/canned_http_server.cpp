#include "canned_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace digikit::fuzzing {
namespace {

// Reads the request head and as much body as Content-Length says, then returns.
void read_request(int client)
{
    std::string request;
    char buffer[65536];
    std::size_t wanted = std::string::npos;
    while (request.size() < wanted) {
        pollfd readable{client, POLLIN, 0};
        if (::poll(&readable, 1, 2000) <= 0) return;
        const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
        if (n <= 0) return;
        request.append(buffer, static_cast<std::size_t>(n));
        const auto head_end = request.find("\r\n\r\n");
        if (wanted == std::string::npos && head_end != std::string::npos) {
            std::size_t length = 0;
            const auto field = request.find("Content-Length: ");
            if (field != std::string::npos && field < head_end) length = std::stoul(request.substr(field + 16));
            wanted = head_end + 4 + length;
        }
    }
}

}  // namespace

CannedHttpServer::CannedHttpServer()
{
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::system_error(errno, std::generic_category(), "canned server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
}

CannedHttpServer::~CannedHttpServer()
{
    stop_ = true;
    thread_.join();
    ::close(listener_);
}

std::string CannedHttpServer::url() const
{
    return "http://127.0.0.1:" + std::to_string(port_) + "/w/api.php";
}

void CannedHttpServer::answer(int status, std::string body)
{
    std::string response = "HTTP/1.1 " + std::to_string(status) + " Canned\r\nContent-Type: application/json\r\n" +
                           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    const std::lock_guard lock(mutex_);
    response_ = std::move(response);
}

void CannedHttpServer::serve()
{
    while (!stop_) {
        pollfd waiting{listener_, POLLIN, 0};
        if (::poll(&waiting, 1, 100) <= 0) continue;
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        read_request(client);
        std::string response;
        {
            const std::lock_guard lock(mutex_);
            response = response_;
        }
        for (std::size_t sent = 0; sent < response.size();) {
            const ssize_t n = ::send(client, response.data() + sent, response.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        ::close(client);
    }
}

}  // namespace digikit::fuzzing
