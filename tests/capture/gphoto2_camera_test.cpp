#include "digikit/capture/gphoto2_camera.hpp"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <sys/stat.h>

#include <algorithm>

#include "digikit/capture/camera_rig.hpp"
#include "digikit/capture/device_discovery.hpp"
#include "ptpip_camera_emulator.hpp"
#include "temp_dir.hpp"

namespace digikit::capture {
namespace {

using testing::PtpIpCameraEmulator;
using testing::PtpIpEmulatorSettings;

constexpr const char* ptpip_model = "PTP/IP Camera";

PtpIpEmulatorSettings emulated(const std::string& serial)
{
    PtpIpEmulatorSettings settings;
    settings.serial = serial;
    return settings;
}

Gphoto2Address address_of(const PtpIpCameraEmulator& emulator)
{
    return {ptpip_model, emulator.gphoto2_port()};
}

DeviceInfo camera_info(const std::string& id, const std::string& serial = {})
{
    DeviceInfo info;
    info.id = id;
    info.serial = serial;
    return info;
}

std::vector<std::string> names_in(const std::filesystem::path& dir)
{
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(Gphoto2Camera, CapturesDownloadsAndDeletesThroughThePtp2Driver)
{
    PtpIpCameraEmulator emulator(emulated("EMU0001"));
    const ::digikit::testing::TempDir dir;
    auto camera = open_gphoto2_camera(camera_info("left"), address_of(emulator));
    EXPECT_EQ(camera->info().serial, "EMU0001");
    EXPECT_EQ(camera->info().type, "gphoto2");
    EXPECT_EQ(camera->info().model, ptpip_model);

    const std::filesystem::path path = camera->capture(dir / "IMG_0001");
    EXPECT_EQ(path, dir / "IMG_0001.jpg");
    const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty());
    EXPECT_EQ(image.cols, 640);
    EXPECT_EQ(image.rows, 480);
    EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"IMG_0001.jpg"}));  // nothing temporary left
    EXPECT_EQ(emulator.objects_on_card(), 0U);
    EXPECT_EQ(emulator.objects_deleted(), 1U);

    // A second shot is another page.
    const cv::Mat second = cv::imread(camera->capture(dir / "IMG_0002").string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(second.empty());
    EXPECT_GT(cv::norm(image, second, cv::NORM_L1) / static_cast<double>(image.total()), 5.0);
    EXPECT_EQ(emulator.capture_times().size(), 2U);
}

TEST(Gphoto2Camera, RefusesACameraWithAnotherSerialNumber)
{
    PtpIpCameraEmulator emulator(emulated("EMU0001"));
    try {
        (void)open_gphoto2_camera(camera_info("left", "EXPECTED9"), address_of(emulator));
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        const std::string message = e.what();
        EXPECT_NE(message.find("EXPECTED9"), std::string::npos) << message;
        EXPECT_NE(message.find("EMU0001"), std::string::npos) << message;
    }
}

TEST(Gphoto2Camera, FindsTheCameraBySerialNumber)
{
    PtpIpCameraEmulator first(emulated("SERIAL-A"));
    PtpIpCameraEmulator second(emulated("SERIAL-B"));
    const ::digikit::testing::TempDir dir;
    auto camera =
        find_gphoto2_camera(camera_info("right", "SERIAL-B"), {}, std::vector{address_of(first), address_of(second)});
    EXPECT_EQ(camera->info().serial, "SERIAL-B");
    (void)camera->capture(dir / "shot");
    EXPECT_EQ(first.capture_times().size(), 0U);
    EXPECT_EQ(second.capture_times().size(), 1U);

    try {
        (void)find_gphoto2_camera(camera_info("x", "SERIAL-C"), {}, std::vector{address_of(first), address_of(second)});
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_NE(std::string(e.what()).find("SERIAL-C"), std::string::npos) << e.what();
    }
}

TEST(Gphoto2Camera, UnreachableCameraIsAFatalErrorNamingThePort)
{
    std::string port;
    {
        PtpIpCameraEmulator gone(emulated("EMU0001"));
        port = gone.gphoto2_port();
    }  // nobody listens there any more
    try {
        (void)open_gphoto2_camera(camera_info("left"), {ptpip_model, port});
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find(port), std::string::npos) << e.what();
    }
}

TEST(Gphoto2Camera, RigOfTwoCamerasFiresWithin100Milliseconds)
{
    PtpIpCameraEmulator left_emulator(emulated("LEFT01"));
    PtpIpCameraEmulator right_emulator(emulated("RIGHT01"));
    std::vector<std::unique_ptr<Camera>> cameras;
    cameras.push_back(open_gphoto2_camera(camera_info("left"), address_of(left_emulator)));
    cameras.push_back(open_gphoto2_camera(camera_info("right"), address_of(right_emulator)));
    CameraRig rig(std::move(cameras));
    const ::digikit::testing::TempDir dir;
    constexpr int spreads = 3;
    for (int i = 0; i < spreads; ++i) {
        const std::string stem = "spread_" + std::to_string(i);
        const auto files = rig.capture({dir / (stem + "_L"), dir / (stem + "_R")});
        EXPECT_TRUE(std::filesystem::exists(files.at(0)));
        EXPECT_TRUE(std::filesystem::exists(files.at(1)));
    }
    // When each camera received its InitiateCapture, as the cameras themselves saw it.
    const auto left_times = left_emulator.capture_times();
    const auto right_times = right_emulator.capture_times();
    ASSERT_EQ(left_times.size(), static_cast<std::size_t>(spreads));
    ASSERT_EQ(right_times.size(), static_cast<std::size_t>(spreads));
    for (std::size_t i = 0; i < left_times.size(); ++i) {
        const double skew_ms =
            std::chrono::duration<double, std::milli>(std::chrono::abs(left_times[i] - right_times[i])).count();
        RecordProperty("skew_ms_" + std::to_string(i), std::to_string(skew_ms));
        EXPECT_LT(skew_ms, 100.0) << "spread " << i;
    }
}

TEST(Gphoto2Camera, RigKeepsNothingWhenOneCameraVanishes)
{
    PtpIpCameraEmulator left_emulator(emulated("LEFT02"));
    PtpIpCameraEmulator right_emulator(emulated("RIGHT02"));
    std::vector<std::unique_ptr<Camera>> cameras;
    cameras.push_back(open_gphoto2_camera(camera_info("left"), address_of(left_emulator)));
    cameras.push_back(open_gphoto2_camera(camera_info("right"), address_of(right_emulator)));
    CameraRig rig(std::move(cameras));
    const ::digikit::testing::TempDir dir;
    right_emulator.vanish_on_next_capture();
    try {
        (void)rig.capture({dir / "L", dir / "R"});
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find("RIGHT02"), std::string::npos) << e.what();
    }
    EXPECT_EQ(left_emulator.capture_times().size(), 1U);  // the left camera did shoot...
    EXPECT_TRUE(names_in(dir.path()).empty());            // ...but half a spread is not kept
}

TEST(Gphoto2Camera, CameraVanishingMidCaptureIsFatal)
{
    PtpIpCameraEmulator emulator(emulated("EMU0007"));
    auto camera = open_gphoto2_camera(camera_info("left"), address_of(emulator));
    const ::digikit::testing::TempDir dir;
    emulator.vanish_on_next_capture();
    try {
        (void)camera->capture(dir / "IMG_0001");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable()) << e.what();
        const std::string message = e.what();
        EXPECT_NE(message.find("EMU0007"), std::string::npos) << message;
        EXPECT_NE(message.find("capture"), std::string::npos) << message;
    }
    EXPECT_TRUE(names_in(dir.path()).empty());  // nothing half-written
    // Still gone: the next capture tries to reopen it and says it cannot.
    try {
        (void)camera->capture(dir / "IMG_0002");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
    }
}

TEST(Gphoto2Camera, RepluggedCameraIsReopenedOnTheNextCapture)
{
    auto emulator = std::make_unique<PtpIpCameraEmulator>(emulated("EMU0009"));
    const int port = emulator->port();
    auto camera = open_gphoto2_camera(camera_info("left"), address_of(*emulator));
    const ::digikit::testing::TempDir dir;
    EXPECT_TRUE(std::filesystem::exists(camera->capture(dir / "before")));
    emulator->vanish_on_next_capture();
    EXPECT_THROW((void)camera->capture(dir / "lost"), CaptureError);
    emulator.reset();  // unplugged...

    PtpIpEmulatorSettings back = emulated("EMU0009");
    back.port = port;  // ...and plugged in again
    emulator = std::make_unique<PtpIpCameraEmulator>(back);
    EXPECT_TRUE(std::filesystem::exists(camera->capture(dir / "after")));
    EXPECT_EQ(emulator->capture_times().size(), 1U);
}

TEST(Gphoto2Camera, BusyCameraIsRecoverableAndWorksAgainAfterwards)
{
    PtpIpCameraEmulator emulator(emulated("EMU0008"));
    auto camera = open_gphoto2_camera(camera_info("left"), address_of(emulator));
    const ::digikit::testing::TempDir dir;
    emulator.set_busy(true);
    try {
        (void)camera->capture(dir / "IMG_0001");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_TRUE(e.recoverable()) << e.what();
        EXPECT_NE(std::string(e.what()).find("EMU0008"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(names_in(dir.path()).empty());
    emulator.set_busy(false);
    EXPECT_TRUE(std::filesystem::exists(camera->capture(dir / "IMG_0001")));
}

TEST(Gphoto2Camera, AppliesSettingsWhenItOpens)
{
    PtpIpCameraEmulator emulator(emulated("EMU0010"));
    Gphoto2Options options;
    options.settings = {{"iso", "400"}, {"f-number", "f/8"}};
    auto camera = open_gphoto2_camera(camera_info("left"), address_of(emulator), options);
    EXPECT_EQ(emulator.property(PtpIpCameraEmulator::iso_property), 400);
    EXPECT_EQ(emulator.property(PtpIpCameraEmulator::aperture_property), 800);
    const ::digikit::testing::TempDir dir;
    EXPECT_TRUE(std::filesystem::exists(camera->capture(dir / "IMG_0001")));
}

TEST(Gphoto2Camera, AppliesItsSettingsAgainAtTheStartOfABook)
{
    PtpIpCameraEmulator emulator(emulated("EMU0012"));
    Gphoto2Options options;
    options.settings = {{"iso", "400"}, {"f-number", "f/8"}};
    auto camera = open_gphoto2_camera(camera_info("left"), address_of(emulator), options);
    const ::digikit::testing::TempDir dir;
    (void)camera->capture(dir / "IMG_0001");
    // Between two books someone turns the dials.
    emulator.set_property(PtpIpCameraEmulator::iso_property, 1600);
    emulator.set_property(PtpIpCameraEmulator::aperture_property, 280);
    camera->apply_settings();
    EXPECT_EQ(emulator.property(PtpIpCameraEmulator::iso_property), 400);
    EXPECT_EQ(emulator.property(PtpIpCameraEmulator::aperture_property), 800);
    EXPECT_TRUE(std::filesystem::exists(camera->capture(dir / "IMG_0002")));
}

TEST(Gphoto2Camera, OpenDeviceFindsANetworkCameraByAddressAndSerialWithItsSettings)
{
    PtpIpCameraEmulator emulator(emulated("EMU0013"));
    DeviceInfo info;
    info.type = "gphoto2";
    info.serial = "EMU0013";
    info.role = CameraRole::right;
    DeviceOptions options;
    options.address = emulator.gphoto2_port();
    options.settings = {{"iso", "800"}};
    auto camera = open_device(info, options);
    EXPECT_EQ(camera->info().serial, "EMU0013");
    EXPECT_EQ(camera->info().role, CameraRole::right);
    EXPECT_EQ(emulator.property(PtpIpCameraEmulator::iso_property), 800);
    camera.reset();

    info.serial = "SOMEONE-ELSE";
    try {
        (void)open_device(info, options);
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_NE(std::string(e.what()).find("SOMEONE-ELSE"), std::string::npos) << e.what();
    }
}

TEST(Gphoto2Camera, SettingsTheCameraDoesNotOfferAreFatalAndListTheChoices)
{
    PtpIpCameraEmulator emulator(emulated("EMU0011"));
    Gphoto2Options options;
    options.settings = {{"iso", "123"}};
    try {
        (void)open_gphoto2_camera(camera_info("left"), address_of(emulator), options);
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find("100, 200, 400, 800, 1600"), std::string::npos) << e.what();
    }
    EXPECT_EQ(emulator.property(PtpIpCameraEmulator::iso_property), 100);  // untouched

    options.settings = {{"warpdrive", "on"}};
    try {
        (void)open_gphoto2_camera(camera_info("left"), address_of(emulator), options);
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_NE(std::string(e.what()).find("'warpdrive'"), std::string::npos) << "message: " << e.what();
    }
}

TEST(Gphoto2Camera, ClosingAPtpIpCameraLeavesFileDescriptorZeroAlone)
{
    // libgphoto2 2.5.30 closes fd 0 when it disconnects a PTP/IP camera; the camera
    // puts it back. Whatever fd 0 is here (stdin, or /dev/null under ctest), it must
    // be the same file afterwards.
    struct stat before {};
    ASSERT_EQ(::fstat(0, &before), 0) << "fd 0 is not open in this test process";
    {
        PtpIpCameraEmulator emulator(emulated("EMU0012"));
        auto camera = open_gphoto2_camera(camera_info("left"), address_of(emulator));
    }
    struct stat after {};
    ASSERT_EQ(::fstat(0, &after), 0) << "fd 0 was closed";
    EXPECT_EQ(before.st_dev, after.st_dev);
    EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(Gphoto2Camera, RealUsbCameraCaptures)
{
    const auto found = detect_gphoto2_cameras();
    if (found.empty()) GTEST_SKIP() << "no USB camera attached (libgphoto2 autodetect found none)";
    const ::digikit::testing::TempDir dir;
    auto camera = open_gphoto2_camera(camera_info("usb"), found.front());
    EXPECT_FALSE(camera->info().serial.empty());
    EXPECT_TRUE(std::filesystem::exists(camera->capture(dir / "IMG_0001")));
}

}  // namespace
}  // namespace digikit::capture
