// The operator's verdict after a capture comes from the imaging first look.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "digikit/capture/simulated_camera.hpp"
#include "fake_camera.hpp"
#include "kit.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

// A camera whose lens cap is still on: every picture is black.
std::unique_ptr<capture::Camera> capped_camera()
{
    return std::make_unique<testing::FakeCamera>(
        capture::DeviceInfo{"capped", "fake", "lens cap on", "CAP-1", capture::CameraRole::single},
        [](const std::filesystem::path& stem) {
            auto path = stem;
            path += ".jpg";
            cv::imwrite(path.string(), cv::Mat(480, 640, CV_8UC3, cv::Scalar(4, 4, 4)));
            return path;
        });
}

Config config_in(const testing::TempDir& dir)
{
    Config config;
    config.data_dir = dir.path();
    config.storage.min_free_mb = 0;
    return config;
}

TEST(CaptureVerdict, ABadShotAdvisesARetake)
{
    testing::TempDir dir;
    std::vector<Feedback> shown;
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    cameras.push_back(capped_camera());
    Kit kit(config_in(dir), std::make_unique<capture::CameraManager>(std::move(cameras)),
            [&shown](Feedback s) { shown.push_back(s); });
    ASSERT_TRUE(kit.press(hardware::Button::new_book).ok);
    const auto outcome = kit.press(hardware::Button::capture);
    EXPECT_TRUE(outcome.ok);  // the raw file is stored all the same: nothing is lost
    EXPECT_NE(outcome.message.find("retake advised: capped:"), std::string::npos) << outcome.message;
    ASSERT_FALSE(shown.empty());
    EXPECT_EQ(shown.back(), Feedback::capture_warning);
    EXPECT_EQ(kit.status()["signal"], "capture_warning");
}

TEST(CaptureVerdict, AGoodShotSaysSo)
{
    testing::TempDir dir;
    std::vector<Feedback> shown;
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    cameras.push_back(
        capture::make_simulated_camera({"sim", "sim", "sim", "S", capture::CameraRole::single}, {1200, 900, 4}));
    Kit kit(config_in(dir), std::make_unique<capture::CameraManager>(std::move(cameras)),
            [&shown](Feedback s) { shown.push_back(s); });
    ASSERT_TRUE(kit.press(hardware::Button::new_book).ok);
    const auto outcome = kit.press(hardware::Button::capture);
    EXPECT_TRUE(outcome.ok);
    EXPECT_EQ(outcome.message.find("retake advised"), std::string::npos) << outcome.message;
    EXPECT_EQ(shown.back(), Feedback::capture_good);
}

}  // namespace
}  // namespace digikit::firmware
