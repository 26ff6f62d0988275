#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace digikit::firmware {

// The kit's state for the console's server-sent-event clients: one thread reads it every
// `period` while anyone listens (never otherwise) and wakes the clients when it changed,
// so ten open pages cost one reader, not ten.
class ConsoleEvents {
public:
    ConsoleEvents(std::function<std::string()> read_state, std::chrono::milliseconds period, std::size_t max_clients);
    ConsoleEvents(const ConsoleEvents&) = delete;
    ConsoleEvents& operator=(const ConsoleEvents&) = delete;
    ~ConsoleEvents();

    // One listening client; it gives its place back when destroyed.
    class Listener {
    public:
        Listener(const Listener&) = delete;
        Listener& operator=(const Listener&) = delete;
        ~Listener();
        enum class Next { state, quiet, stopped };
        // Waits up to `timeout` for a state this listener has not seen yet.
        Next wait(std::string& state, std::chrono::milliseconds timeout);

    private:
        friend class ConsoleEvents;
        explicit Listener(ConsoleEvents& events) : events_(events) {}
        ConsoleEvents& events_;
        std::uint64_t seen_ = 0;
    };

    // A listener, or nullopt when max_clients listen already.
    [[nodiscard]] std::unique_ptr<Listener> listen();
    // Reads the state again now (after a press, say) instead of at the next period.
    void refresh();
    // Ends every listener's wait; called before the web server stops.
    void stop();

private:
    void run();

    std::function<std::string()> read_state_;
    std::chrono::milliseconds period_;
    std::size_t max_clients_;
    std::mutex mutex_;
    std::condition_variable changed_;  // a new state, a listener, refresh or stop
    std::string state_;
    std::uint64_t version_ = 0;
    std::size_t clients_ = 0;
    bool refresh_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace digikit::firmware
