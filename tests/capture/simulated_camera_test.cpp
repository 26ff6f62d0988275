#include "digikit/capture/simulated_camera.hpp"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "temp_dir.hpp"

namespace digikit::capture {
namespace {

DeviceInfo sim_info(CameraRole role)
{
    return DeviceInfo{"sim-" + std::string(to_string(role)), "sim", "Simulated camera", "SIM0001", role};
}

std::vector<std::filesystem::path> entries_in(const std::filesystem::path& dir)
{
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) files.push_back(entry.path().filename());
    std::sort(files.begin(), files.end());
    return files;
}

TEST(SimulatedCamera, WritesDecodableJpegOfConfiguredSize)
{
    const testing::TempDir dir;
    auto camera = make_simulated_camera(sim_info(CameraRole::single), {800, 600, 42});
    EXPECT_EQ(camera->info().type, "sim");
    const std::filesystem::path path = camera->capture(dir / "IMG_0001");
    EXPECT_EQ(path, dir / "IMG_0001.jpg");
    const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty());
    EXPECT_EQ(image.cols, 800);
    EXPECT_EQ(image.rows, 600);
    // Atomic: only the final file, no temporary left behind.
    EXPECT_EQ(entries_in(dir.path()), (std::vector<std::filesystem::path>{"IMG_0001.jpg"}));
}

TEST(SimulatedCamera, KeepsDotsInTheStem)
{
    const testing::TempDir dir;
    auto camera = make_simulated_camera(sim_info(CameraRole::single), {320, 240, 1});
    EXPECT_EQ(camera->capture(dir / "book.v2_0001"), dir / "book.v2_0001.jpg");
}

TEST(SimulatedCamera, SuccessiveShotsShowDifferentPages)
{
    const testing::TempDir dir;
    auto camera = make_simulated_camera(sim_info(CameraRole::single), {400, 300, 5});
    const cv::Mat first = cv::imread(camera->capture(dir / "a").string());
    const cv::Mat second = cv::imread(camera->capture(dir / "b").string());
    ASSERT_FALSE(first.empty());
    ASSERT_FALSE(second.empty());
    EXPECT_GT(cv::norm(first, second, cv::NORM_L1) / static_cast<double>(first.total()), 5.0);
}

TEST(SimulatedCamera, SameSeedAndRoleRepeatTheBook)
{
    const testing::TempDir dir;
    auto one = make_simulated_camera(sim_info(CameraRole::left), {400, 300, 9});
    auto two = make_simulated_camera(sim_info(CameraRole::left), {400, 300, 9});
    auto right = make_simulated_camera(sim_info(CameraRole::right), {400, 300, 9});
    const cv::Mat a = cv::imread(one->capture(dir / "a").string());
    const cv::Mat b = cv::imread(two->capture(dir / "b").string());
    const cv::Mat c = cv::imread(right->capture(dir / "c").string());
    EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0.0);
    EXPECT_GT(cv::norm(a, c, cv::NORM_L1) / static_cast<double>(a.total()), 5.0);
}

TEST(SimulatedCamera, UnwritableFolderIsAFatalCaptureError)
{
    const testing::TempDir dir;
    auto camera = make_simulated_camera(sim_info(CameraRole::single), {320, 240, 1});
    try {
        (void)camera->capture(dir / "missing" / "IMG_0001");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find("sim-single"), std::string::npos) << e.what();
    }
}

TEST(SimulatedCamera, RejectsOversizedSettings)
{
    EXPECT_THROW((void)make_simulated_camera(sim_info(CameraRole::single), {10000, 8000, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace digikit::capture
