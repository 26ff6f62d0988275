#include "press_queue.hpp"

#include <spdlog/spdlog.h>

#include "digikit/base/exception_barrier.hpp"

namespace digikit::firmware {

PressQueue::PressQueue(EventLoopClient& kit, std::chrono::milliseconds tick, std::function<void()> on_turn)
    : kit_(kit), tick_(tick), on_turn_(std::move(on_turn)), thread_([this] { run(); })
{
}

PressQueue::~PressQueue()
{
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& pending : pending_) {
            if (pending.button || pending.task) pending.outcome.set_value({false, "the daemon is stopping"});
        }
        pending_.clear();
    }
    changed_.notify_all();
    thread_.join();
}

std::future<PressOutcome> PressQueue::post(hardware::Button button)
{
    const std::lock_guard lock(mutex_);
    if (stopping_) {
        std::promise<PressOutcome> refused;
        refused.set_value({false, "the daemon is stopping"});
        return refused.get_future();
    }
    auto& pending = pending_.emplace_back(Pending{button, false, {}, {}});
    auto future = pending.outcome.get_future();
    changed_.notify_all();
    return future;
}

std::future<PressOutcome> PressQueue::post_task(std::function<PressOutcome()> task)
{
    const std::lock_guard lock(mutex_);
    if (stopping_) {
        std::promise<PressOutcome> refused;
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

// One step behind the barrier: a press that throws is answered with the failure and
// the error signal; the loop goes on with the next.
PressOutcome PressQueue::handle(const Pending& next)
{
    const std::string what = next.task     ? "book edit"
                             : next.button ? "press " + std::string(hardware::to_string(*next.button))
                                           : "device check";
    PressOutcome outcome;
    base::run_behind_barrier(
        [&] {
            if (next.task) {
                outcome = next.task();
            } else if (next.button) {
                outcome = kit_.press(*next.button);
            } else {
                kit_.check_devices(next.usb_changed);
            }
        },
        [&](const std::string& failure) {
            spdlog::error("event loop: {} failed: {}", what, failure);
            outcome = {false, what + " failed: " + failure};
            base::run_behind_barrier([&] { kit_.recover(outcome.message); },
                                     [](const std::string& also) { spdlog::error("event loop: recovery: {}", also); });
        });
    return outcome;
}

void PressQueue::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait_for(lock, tick_, [this] { return stopping_ || !pending_.empty(); });
        if (stopping_) return;
        std::optional<Pending> next;
        if (!pending_.empty()) {
            next = std::move(pending_.front());
            pending_.pop_front();
        }
        lock.unlock();
        const PressOutcome outcome = next ? handle(*next) : PressOutcome{};
        // Published before the press is answered: a `status` right after shows its effect.
        base::run_behind_barrier([this] { kit_.publish_status(); },
                                 [](const std::string& failure) { spdlog::error("status snapshot: {}", failure); });
        if (next && (next->button || next->task)) next->outcome.set_value(outcome);
        if (on_turn_) base::run_behind_barrier(on_turn_, {});
        lock.lock();
    }
}

}  // namespace digikit::firmware
