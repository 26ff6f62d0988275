// The kit's devices as the configuration names them: opened by the manager, waited for
// when missing, and looked for again by the device watch.
#include "digikit/capture/camera_manager.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "temp_dir.hpp"

namespace digikit::capture {
namespace {

using namespace std::chrono_literals;

DeviceSpec sim(CameraRole role)
{
    DeviceSpec spec;
    spec.info.type = "sim";
    spec.info.role = role;
    spec.options.simulated = {320, 240, 5};
    return spec;
}

TEST(CameraManager, ConfiguredCamerasFormTheRigInConfigurationOrder)
{
    std::vector<std::string> lines;
    CameraManager cameras({sim(CameraRole::left), sim(CameraRole::right)},
                          [&lines](const std::string& line, bool) { lines.push_back(line); });
    ASSERT_TRUE(cameras.complete()) << cameras.missing();
    EXPECT_EQ(cameras.missing(), "");
    ASSERT_EQ(cameras.rig().size(), 2U);
    const auto devices = cameras.devices();
    ASSERT_EQ(devices.size(), 2U);
    EXPECT_EQ(devices[0].id, "sim:SIM-left");  // a simulated camera's identity comes from its role
    EXPECT_EQ(devices[1].serial, "SIM-right");
    ASSERT_NE(cameras.find("SIM-right"), nullptr);
    EXPECT_EQ(cameras.find("SIM-right")->info().role, CameraRole::right);
    EXPECT_EQ(cameras.find("nothing"), nullptr);

    const testing::TempDir dir;  // the options reach the camera: the size asked for
    const auto shots = cameras.rig().capture({dir / "l", dir / "r"});
    ASSERT_EQ(shots.size(), 2U);
    EXPECT_TRUE(std::filesystem::exists(shots[0]));
    EXPECT_FALSE(cameras.refresh(true));  // nothing to pick up
    EXPECT_TRUE(lines.empty());
}

TEST(CameraManager, AMissingDeviceIsWaitedForAndNamedNotThrown)
{
    DeviceSpec unknown;
    unknown.info.type = "tape";
    unknown.info.serial = "T-1";
    CameraManager cameras({sim(CameraRole::single), unknown});
    EXPECT_FALSE(cameras.complete());
    EXPECT_NE(cameras.missing().find("single tape serial T-1 is not ready: unknown device type 'tape'"),
              std::string::npos)
        << cameras.missing();
    try {
        (void)cameras.rig();
        FAIL() << "a rig without every configured camera";
    } catch (const CaptureError& error) {
        EXPECT_FALSE(error.recoverable());
        EXPECT_EQ(std::string(error.what()), cameras.missing());
    }
    const auto states = cameras.states();
    ASSERT_EQ(states.size(), 2U);
    EXPECT_EQ(states[0].problem, "");
    EXPECT_NE(states[1].problem, "");
    EXPECT_FALSE(cameras.refresh(false));  // still not there
    EXPECT_FALSE(cameras.complete());
    ASSERT_NE(cameras.find("SIM-single"), nullptr);  // the camera that is there can be used alone
    EXPECT_EQ(cameras.devices().size(), 1U);
}

// Counts the looks it is asked for; the first one fails.
struct Looks {
    std::mutex mutex;
    std::condition_variable changed;
    int count = 0;
    std::vector<std::string> problems;

    bool wait_for(int wanted)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, [&] { return count >= wanted; });
    }
};

TEST(DeviceWatch, LooksEveryPeriodAndGoesOnAfterAFailedLook)
{
    Looks looks;
    {
        const DeviceWatch watch(
            [&looks](bool /*usb_changed*/) {
                const std::lock_guard lock(looks.mutex);
                ++looks.count;
                looks.changed.notify_all();
                if (looks.count == 1) throw std::runtime_error("the first look failed");
            },
            [&looks](const std::string& line, bool problem) {
                const std::lock_guard lock(looks.mutex);
                if (problem) looks.problems.push_back(line);
            },
            20ms);
        EXPECT_TRUE(looks.wait_for(3));
    }  // stops and joins
    const std::lock_guard lock(looks.mutex);
    bool reported = false;
    for (const auto& line : looks.problems) reported = reported || line == "device watch: the first look failed";
    EXPECT_TRUE(reported) << ::testing::PrintToString(looks.problems);
}

}  // namespace
}  // namespace digikit::capture
