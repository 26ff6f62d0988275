// The daemon's event loop (PressQueue) and upload thread (SyncWorker) with injected
// components that throw: the failing step gets an error answer and the error signal,
// and the loop goes on.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "press_queue.hpp"
#include "sync_worker.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;
using hardware::Button;

// A kit whose capture throws (a std::exception, then something else) and records what
// the loop asks of it.
class ThrowingKit : public EventLoopClient {
public:
    PressOutcome press(Button button) override
    {
        const std::lock_guard lock(mutex_);
        if (button == Button::capture) throw std::runtime_error("camera driver crashed");
        if (button == Button::retake) throw 7;
        ++presses_handled;
        return {true, "handled " + std::string(hardware::to_string(button))};
    }
    void check_devices(bool) override { throw std::logic_error("hotplug table corrupt"); }
    void publish_status() override
    {
        const std::lock_guard lock(mutex_);
        ++published;
        turned_.notify_all();
    }
    void recover(const std::string& failure) override
    {
        const std::lock_guard lock(mutex_);
        recovered.push_back(failure);
    }
    // Waits (event-driven, bounded only as a guard) until the loop has turned `turns` times.
    bool wait_for_turns(int turns)
    {
        std::unique_lock lock(mutex_);
        return turned_.wait_for(lock, 60s, [&] { return published >= turns; });
    }

    std::mutex mutex_;
    std::condition_variable turned_;
    int presses_handled = 0;
    int published = 0;
    std::vector<std::string> recovered;
};

TEST(EventLoop, APressThatThrowsIsAnsweredWithTheErrorAndTheLoopGoesOn)
{
    ThrowingKit kit;
    PressQueue loop(kit, 1h);
    const auto crashed = loop.post(Button::capture).get();
    EXPECT_FALSE(crashed.ok);
    EXPECT_EQ(crashed.message, "press capture failed: camera driver crashed");
    const auto odd = loop.post(Button::retake).get();
    EXPECT_FALSE(odd.ok);
    EXPECT_EQ(odd.message, "press retake failed: unknown exception");
    loop.post_device_check(true);  // throws inside the kit too
    const auto next = loop.post(Button::new_book).get();
    EXPECT_TRUE(next.ok);
    EXPECT_EQ(next.message, "handled new-book");
    const std::lock_guard lock(kit.mutex_);
    ASSERT_EQ(kit.recovered.size(), 3U);  // each failure showed the error signal
    EXPECT_EQ(kit.recovered[0], "press capture failed: camera driver crashed");
    EXPECT_EQ(kit.recovered[2], "device check failed: hotplug table corrupt");
}

TEST(EventLoop, StatusIsPublishedBeforeThePressIsAnswered)
{
    ThrowingKit kit;
    PressQueue loop(kit, 1h);
    ASSERT_TRUE(kit.wait_for_turns(0));
    int before = 0;
    {
        const std::lock_guard lock(kit.mutex_);
        before = kit.published;
    }
    (void)loop.post(Button::end_book).get();
    const std::lock_guard lock(kit.mutex_);
    EXPECT_GT(kit.published, before);
}

TEST(EventLoop, TurnsWithoutEventsAndFeedsTheWatchdogEachTurn)
{
    ThrowingKit kit;
    std::mutex mutex;
    int pings = 0;
    PressQueue loop(kit, 1ms, [&] {
        const std::lock_guard lock(mutex);
        ++pings;
    });
    EXPECT_TRUE(kit.wait_for_turns(5));  // nothing posted: the tick alone turns it
    const std::lock_guard lock(mutex);
    EXPECT_GE(pings, 4);
}

TEST(EventLoop, AWedgedStepStopsTheWatchdogPings)
{
    class WedgedKit : public ThrowingKit {
    public:
        PressOutcome press(Button) override
        {
            std::unique_lock lock(mutex_);
            wedged = true;
            turned_.notify_all();
            turned_.wait(lock, [&] { return released; });
            return {true, "released"};
        }
        bool wedged = false;
        bool released = false;
    } kit;
    std::mutex mutex;
    int pings = 0;
    PressQueue loop(kit, 1ms, [&] {
        const std::lock_guard lock(mutex);
        ++pings;
    });
    auto answer = loop.post(Button::capture);
    int at_wedge = 0;
    {
        std::unique_lock lock(kit.mutex_);
        ASSERT_TRUE(kit.turned_.wait_for(lock, 60s, [&] { return kit.wedged; }));
        const std::lock_guard ping_lock(mutex);
        at_wedge = pings;
    }
    // However long it stays wedged, no ping comes: 200 ticks' worth here.
    std::this_thread::sleep_for(200ms);
    {
        const std::lock_guard ping_lock(mutex);
        EXPECT_EQ(pings, at_wedge);
    }
    {
        const std::lock_guard lock(kit.mutex_);
        kit.released = true;
        kit.turned_.notify_all();
    }
    EXPECT_EQ(answer.get().message, "released");
}

TEST(SyncWorker, NeverWaitsForARunningUploadAndReportsEachRun)
{
    std::mutex mutex;
    std::condition_variable changed;
    bool inside = false;
    bool release = false;
    std::vector<std::string> finished;
    SyncWorker worker(
        [&](const std::function<bool()>&) -> std::string {
            std::unique_lock lock(mutex);
            inside = true;
            changed.notify_all();
            changed.wait(lock, [&] { return release; });
            return "network gone";
        },
        [&](const std::string& failure) {
            const std::lock_guard lock(mutex);
            finished.push_back(failure);
            changed.notify_all();
        });
    ASSERT_TRUE(worker.start());
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, 60s, [&] { return inside; }));
    }
    EXPECT_TRUE(worker.running());
    EXPECT_FALSE(worker.start());  // at once: the upload in progress goes on
    {
        const std::lock_guard lock(mutex);
        release = true;
        changed.notify_all();
    }
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 60s, [&] { return finished.size() == 1; }));
    EXPECT_EQ(finished[0], "network gone");
}

TEST(SyncWorker, ASyncThatThrowsBecomesTheFailureAndTheNextRunWorks)
{
    std::mutex mutex;
    std::condition_variable changed;
    int runs = 0;
    std::vector<std::string> finished;
    SyncWorker worker(
        [&](const std::function<bool()>&) -> std::string {
            const std::lock_guard lock(mutex);
            if (++runs == 1) throw std::runtime_error("sqlite said no");
            return "";
        },
        [&](const std::string& failure) {
            const std::lock_guard lock(mutex);
            finished.push_back(failure);
            changed.notify_all();
        });
    for (int run = 1; run <= 2; ++run) {
        // A start can be refused while the previous run is still reporting: try again.
        std::unique_lock lock(mutex);
        while (static_cast<int>(finished.size()) < run) {
            lock.unlock();
            (void)worker.start();
            lock.lock();
            changed.wait_for(lock, 10ms, [&] { return static_cast<int>(finished.size()) >= run; });
        }
    }
    const std::lock_guard lock(mutex);
    ASSERT_GE(finished.size(), 2U);
    EXPECT_EQ(finished[0], "sync failed: sqlite said no");
    EXPECT_EQ(finished[1], "");
}

TEST(SyncWorker, StoppingAsksTheRunningSyncToStop)
{
    std::mutex mutex;
    std::condition_variable changed;
    bool inside = false;
    bool saw_stop = false;
    {
        SyncWorker worker(
            [&](const std::function<bool()>& should_stop) -> std::string {
                {
                    const std::lock_guard lock(mutex);
                    inside = true;
                    changed.notify_all();
                }
                while (!should_stop()) std::this_thread::sleep_for(1ms);
                saw_stop = true;
                return "stopped";
            },
            [](const std::string&) {});
        ASSERT_TRUE(worker.start());
        std::unique_lock lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, 60s, [&] { return inside; }));
    }
    EXPECT_TRUE(saw_stop);
}

}  // namespace
}  // namespace digikit::firmware
