#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace digikit::uploader::testing {

// What the proxy does to one request instead of (or besides) forwarding it.
enum class Fault {
    http500,           // answers 500 without forwarding
    reset,             // closes the connection at once, as a dead server would
    drop_mid_request,  // reads half the body, then closes: a connection lost mid-chunk
    drop_response,     // forwards (the wiki acts on it), then closes without answering
    slow,              // holds the request until the client gives up (at most `slow_ms`), then forwards
    badtoken,          // answers the API error badtoken (a stale CSRF token)
    maxlag,            // answers the API error maxlag with Retry-After: 1
    ratelimited,       // answers the API error ratelimited
};

// An HTTP proxy on 127.0.0.1 in front of the test wiki that injects faults into chosen
// requests. Connections are served at once, each on its own thread and closed after its
// answer: a slow or abandoned request (a killed client's) may still reach the wiki after
// the retry that followed it, as on a real network.
class FaultProxy {
public:
    explicit FaultProxy(int upstream_port);
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;
    ~FaultProxy();

    [[nodiscard]] std::string api_url() const;

    // The next `count` requests whose request line or body contains `match` get `fault`.
    // Entries are used in the order they were added.
    void inject(Fault fault, std::size_t count, std::string match);

    [[nodiscard]] std::size_t faults_served() const { return faults_served_; }
    [[nodiscard]] std::size_t pending_faults() const;
    // The request lines and headers of every request seen, oldest first.
    [[nodiscard]] std::vector<std::string> request_heads() const;
    int slow_ms = 120'000;

private:
    struct Planned {
        Fault fault;
        std::size_t count;
        std::string match;
    };

    void serve();
    void handle(int client);
    void join_finished_connections();
    bool take_fault(const std::string& request, Fault& fault);

    int upstream_port_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> faults_served_{0};
    mutable std::mutex mutex_;
    std::deque<Planned> plan_;
    std::vector<std::string> heads_;
    struct Connection {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<Connection> connections_;  // the serving thread's own
    std::thread thread_;
};

}  // namespace digikit::uploader::testing
