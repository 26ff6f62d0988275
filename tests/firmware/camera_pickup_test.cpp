// Cameras that are not there when the kit starts: the daemon waits for them and picks
// them up (a real PTP/IP camera emulator through libgphoto2's ptp2 driver), and camera
// settings are applied again at the first capture of every book.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/capture/simulated_camera.hpp"
#include "fake_camera.hpp"
#include "full_unwinding.hpp"
#include "kit.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

// A port nothing listens on now (the kernel's pick, released at once).
int unused_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), length);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

TEST(CameraPickup, ACameraSwitchedOnAfterTheDaemonStartedIsPickedUp)
{
    const testing::FullUnwinding unwinding;  // the daemon opens a gphoto2 camera
    const testing::TempDir dir;
    const int port = unused_port();
    const auto config = dir / "kit.toml";
    std::ofstream(config) << "data_dir = \"" << (dir / "data").string() << "\"\n"
                          << "[storage]\nmin_free_mb = 0\n"
                          << "[[device]]\ntype = \"gphoto2\"\nserial = \"EMU-LATE\"\n"
                          << "address = \"ptpip:127.0.0.1:" << port << ":" << port << "\"\n"
                          << "settings = { iso = \"400\" }\n";
    const auto digikit = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config.string()});
        return testing::run_digikit(args);
    };
    const auto camera_status = [&] { return nlohmann::json::parse(digikit({"status", "--json"}).out)["cameras"][0]; };

    const auto offline = digikit({"devices", "--json"});
    ASSERT_EQ(offline.exit_code, 0) << offline.err;
    EXPECT_FALSE(nlohmann::json::parse(offline.out)["devices"][0]["attached"].get<bool>()) << offline.out;

    testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", config.string(), "run"},
                                      dir / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 30s))
        << base::read_file(dir / "daemon.log");
    EXPECT_FALSE(camera_status()["attached"].get<bool>());
    const auto text = digikit({"status"}).out;
    EXPECT_NE(text.find("camera:     single gphoto2 serial EMU-LATE: NOT READY ("), std::string::npos) << text;
    const auto kit_status = [&] { return nlohmann::json::parse(digikit({"status", "--json"}).out); };
    EXPECT_EQ(kit_status()["signal"], "error");  // the operator sees it before pressing anything
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    EXPECT_EQ(kit_status()["signal"], "error");  // a new book does not hide it
    const auto refused = digikit({"press", "capture"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("serial EMU-LATE is not ready"), std::string::npos) << refused.err;

    testing::BackgroundProcess camera({DIGIKIT_PTPIP_EMULATOR, "EMU-LATE", std::to_string(port)}, dir / "camera.log");
    // Picked up without a press: the daemon looks for missing cameras by itself.
    EXPECT_TRUE(testing::wait_until([&] { return camera_status()["attached"].get<bool>(); }, 20s))
        << base::read_file(dir / "daemon.log");
    EXPECT_EQ(kit_status()["signal"], "ready");
    const auto shown = digikit({"devices", "--json"});  // from the daemon, which holds the camera
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_TRUE(nlohmann::json::parse(shown.out)["devices"][0]["attached"].get<bool>()) << shown.out;

    const auto captured = digikit({"press", "capture"});
    EXPECT_EQ(captured.exit_code, 0) << captured.err << base::read_file(dir / "daemon.log");
    EXPECT_EQ(nlohmann::json::parse(digikit({"status", "--json"}).out)["book"]["captures"], 1);
    EXPECT_EQ(daemon.stop(SIGTERM), 0) << base::read_file(dir / "daemon.log");

    // With the daemon gone the camera is free for a capture from the command line.
    const auto once = digikit({"capture", "--device", "EMU-LATE", "--out", (dir / "once.jpg").string()});
    EXPECT_EQ(once.exit_code, 0) << once.err;
    EXPECT_GT(std::filesystem::file_size(dir / "once.jpg"), 1000U);
}

// A simulated camera that notes each capture and each time the kit asks for the settings.
std::unique_ptr<capture::Camera> settings_counting_camera(std::vector<std::string>& calls)
{
    const capture::DeviceInfo info{"sim", "sim", "sim", "S", capture::CameraRole::single};
    std::shared_ptr<capture::Camera> simulated = capture::make_simulated_camera(info, {320, 240, 1});
    return std::make_unique<testing::FakeCamera>(
        info,
        [&calls, simulated](const std::filesystem::path& stem) {
            calls.emplace_back("capture");
            return simulated->capture(stem);
        },
        [&calls] { calls.emplace_back("settings"); });
}

TEST(CameraPickup, SettingsAreAppliedBeforeTheFirstCaptureOfEachBook)
{
    const testing::TempDir dir;
    Config config;
    config.data_dir = dir.path();
    config.storage.min_free_mb = 0;
    std::vector<std::string> calls;
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    cameras.push_back(settings_counting_camera(calls));
    Kit kit(config, std::make_unique<capture::CameraManager>(std::move(cameras)));
    for (const auto button :
         {hardware::Button::new_book, hardware::Button::capture, hardware::Button::capture, hardware::Button::retake,
          hardware::Button::end_book, hardware::Button::new_book, hardware::Button::capture}) {
        ASSERT_TRUE(kit.press(button).ok) << hardware::to_string(button);
    }
    const std::vector<std::string> expected{"settings", "capture", "capture", "capture", "settings", "capture"};
    EXPECT_EQ(calls, expected);
}

}  // namespace
}  // namespace digikit::firmware
