#include "press_queue.hpp"

namespace digikit::firmware {

PressQueue::PressQueue(Kit& kit) : kit_(kit), thread_([this] { run(); }) {}

PressQueue::~PressQueue()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& pending : pending_) pending.outcome.set_value({false, "the daemon is stopping"});
        pending_.clear();
    }
    changed_.notify_all();
    thread_.join();
}

std::future<Kit::Outcome> PressQueue::post(hardware::Button button)
{
    const std::lock_guard lock(mutex_);
    if (stopping_) {
        std::promise<Kit::Outcome> refused;
        refused.set_value({false, "the daemon is stopping"});
        return refused.get_future();
    }
    auto& pending = pending_.emplace_back(Pending{button, false, {}, {}});
    auto future = pending.outcome.get_future();
    changed_.notify_all();
    return future;
}

std::future<Kit::Outcome> PressQueue::post_task(std::function<Kit::Outcome()> task)
{
    const std::lock_guard lock(mutex_);
    if (stopping_) {
        std::promise<Kit::Outcome> refused;
        refused.set_value({false, "the daemon is stopping"});
        return refused.get_future();
    }
    auto& pending = pending_.emplace_back(Pending{std::nullopt, false, {}, std::move(task)});
    auto future = pending.outcome.get_future();
    changed_.notify_all();
    return future;
}

void PressQueue::post_device_check(bool usb_changed)
{
    const std::lock_guard lock(mutex_);
    if (stopping_) return;
    for (auto& pending : pending_) {
        if (pending.button || pending.task) continue;
        pending.usb_changed = pending.usb_changed || usb_changed;
        return;
    }
    pending_.push_back(Pending{std::nullopt, usb_changed, {}, {}});
    changed_.notify_all();
}

void PressQueue::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
        if (stopping_) return;
        Pending next = std::move(pending_.front());
        pending_.pop_front();
        lock.unlock();
        if (next.task) {
            next.outcome.set_value(next.task());
        } else if (next.button) {
            next.outcome.set_value(kit_.press(*next.button));
        } else {
            kit_.check_devices(next.usb_changed);
        }
        lock.lock();
    }
}

}  // namespace digikit::firmware
