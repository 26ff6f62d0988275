#include "digikit/capture/camera_rig.hpp"

#include <gtest/gtest.h>

#include "digikit/capture/simulated_camera.hpp"
#include "fake_camera.hpp"
#include "temp_dir.hpp"

namespace digikit::capture {
namespace {

// A camera that fails every shot the way it is told to.
std::unique_ptr<Camera> failing_camera(bool recoverable)
{
    return std::make_unique<testing::FakeCamera>(DeviceInfo{"broken", "fake", "", "", CameraRole::single},
                                                 [recoverable](const std::filesystem::path&) -> std::filesystem::path {
                                                     throw CaptureError("camera broken: lens cap on", recoverable);
                                                 });
}

std::unique_ptr<Camera> simulated(CameraRole role)
{
    return make_simulated_camera(DeviceInfo{"sim-" + std::string(to_string(role)), "sim", "Simulated", "S1", role},
                                 {320, 240, 3});
}

std::size_t rig_files_in(const std::filesystem::path& dir)
{
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
}

TEST(CameraRig, StoresOneFilePerCameraInCameraOrder)
{
    std::vector<std::unique_ptr<Camera>> cameras;
    cameras.push_back(simulated(CameraRole::left));
    cameras.push_back(simulated(CameraRole::right));
    CameraRig rig(std::move(cameras));
    const testing::TempDir dir;
    for (int i = 0; i < 2; ++i) {
        const std::string n = std::to_string(i);
        const auto files = rig.capture({dir / ("L" + n), dir / ("R" + n)});
        ASSERT_EQ(files.size(), 2U);
        EXPECT_EQ(files[0], dir / ("L" + n + ".jpg"));
        EXPECT_EQ(files[1], dir / ("R" + n + ".jpg"));
        EXPECT_TRUE(std::filesystem::exists(files[0]));
        EXPECT_TRUE(std::filesystem::exists(files[1]));
    }
    EXPECT_EQ(rig_files_in(dir.path()), 4U);
}

TEST(CameraRig, OneFailingCameraFailsTheWholeShotAndKeepsNothing)
{
    for (const bool recoverable : {true, false}) {
        std::vector<std::unique_ptr<Camera>> cameras;
        cameras.push_back(simulated(CameraRole::left));
        cameras.push_back(failing_camera(recoverable));
        CameraRig rig(std::move(cameras));
        const testing::TempDir dir;
        try {
            (void)rig.capture({dir / "L", dir / "R"});
            FAIL() << "expected a CaptureError";
        } catch (const CaptureError& e) {
            EXPECT_EQ(e.recoverable(), recoverable);
            EXPECT_NE(std::string(e.what()).find("lens cap"), std::string::npos) << e.what();
        }
        EXPECT_EQ(rig_files_in(dir.path()), 0U);
    }
}

TEST(CameraRig, NeedsOneStemPerCamera)
{
    std::vector<std::unique_ptr<Camera>> cameras;
    cameras.push_back(simulated(CameraRole::single));
    CameraRig rig(std::move(cameras));
    const testing::TempDir dir;
    EXPECT_THROW((void)rig.capture({dir / "a", dir / "b"}), std::invalid_argument);
}

}  // namespace
}  // namespace digikit::capture
