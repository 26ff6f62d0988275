#include "console_events.hpp"

#include <spdlog/spdlog.h>

namespace digikit::firmware {

ConsoleEvents::ConsoleEvents(std::function<std::string()> read_state, std::chrono::milliseconds period,
                             std::size_t max_clients)
    : read_state_(std::move(read_state)), period_(period), max_clients_(max_clients), thread_([this] { run(); })
{
}

ConsoleEvents::~ConsoleEvents()
{
    stop();
    thread_.join();
}

void ConsoleEvents::stop()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
}

void ConsoleEvents::refresh()
{
    {
        const std::lock_guard lock(mutex_);
        refresh_ = true;
    }
    changed_.notify_all();
}

std::unique_ptr<ConsoleEvents::Listener> ConsoleEvents::listen()
{
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || clients_ >= max_clients_) return nullptr;
        ++clients_;
    }
    changed_.notify_all();  // the reader starts if it was the first
    return std::unique_ptr<Listener>(new Listener(*this));
}

void ConsoleEvents::run()
{
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        changed_.wait(lock, [this] { return stopping_ || clients_ > 0; });
        if (stopping_) return;
        refresh_ = false;
        lock.unlock();
        std::string state;
        try {
            state = read_state_();
        } catch (const std::exception& error) {  // the next period tries again
            spdlog::warn("console: reading the kit's state failed: {}", error.what());
        }
        lock.lock();
        if (!state.empty() && state != state_) {
            state_ = std::move(state);
            ++version_;
            changed_.notify_all();
        }
        changed_.wait_for(lock, period_, [this] { return stopping_ || refresh_; });
    }
}

ConsoleEvents::Listener::~Listener()
{
    const std::lock_guard lock(events_.mutex_);
    --events_.clients_;
}

ConsoleEvents::Listener::Next ConsoleEvents::Listener::wait(std::string& state, std::chrono::milliseconds timeout)
{
    std::unique_lock lock(events_.mutex_);
    const bool woke = events_.changed_.wait_for(
        lock, timeout, [this] { return events_.stopping_ || (events_.version_ > seen_ && !events_.state_.empty()); });
    if (events_.stopping_) return Next::stopped;
    if (!woke) return Next::quiet;
    seen_ = events_.version_;
    state = events_.state_;
    return Next::state;
}

}  // namespace digikit::firmware
