#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace digikit::fuzzing {

// An HTTP server on 127.0.0.1 that answers every request with the same canned answer
// (status and body, set between requests), one connection at a time, each closed after
// its answer: a wiki that says whatever the fuzzer wants it to.
class CannedHttpServer {
public:
    CannedHttpServer();
    CannedHttpServer(const CannedHttpServer&) = delete;
    CannedHttpServer& operator=(const CannedHttpServer&) = delete;
    ~CannedHttpServer();

    [[nodiscard]] std::string url() const;
    void answer(int status, std::string body);

private:
    void serve();

    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::string response_;
    std::thread thread_;
};

}  // namespace digikit::fuzzing
