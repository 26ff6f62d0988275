#include "digikit/hardware/control_socket.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <thread>

#include "digikit/hardware/button.hpp"
#include "temp_dir.hpp"

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;

TEST(Button, NamesRoundTrip)
{
    for (const auto button : {Button::capture, Button::retake, Button::new_book, Button::end_book, Button::sync}) {
        EXPECT_EQ(parse_button(to_string(button)), button);
    }
    EXPECT_FALSE(parse_button("shutter").has_value());
}

TEST(ControlSocket, AnswersEachRequestWithTheHandlersLine)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    const ControlSocketServer server(path, [](const std::string& request) { return "echo:" + request; });
    EXPECT_EQ(send_control_request(path, "press capture", 5s), "echo:press capture");
    EXPECT_EQ(send_control_request(path, "status", 5s), "echo:status");
}

TEST(ControlSocket, IsPrivateToItsOwner)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    const ControlSocketServer server(path, [](const std::string&) { return "ok"; });
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);
}

TEST(ControlSocket, ServesClientsConcurrently)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
    const ControlSocketServer server(path, [&](const std::string&) {
        most = std::max(most.load(), ++inside);
        std::this_thread::sleep_for(200ms);
        --inside;
        return "done";
    });
    std::thread other([&] { EXPECT_EQ(send_control_request(path, "a", 5s), "done"); });
    EXPECT_EQ(send_control_request(path, "b", 5s), "done");
    other.join();
    EXPECT_EQ(most.load(), 2);  // a slow capture does not block `digikit status`
}

TEST(ControlSocket, NoServerIsReportedClearly)
{
    testing::TempDir dir;
    EXPECT_THROW((void)send_control_request(dir / "digikit.sock", "status", 1s), ControlSocketUnavailable);
}

TEST(ControlSocket, StaleSocketFileIsReplaced)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    {
        const ControlSocketServer first(path, [](const std::string&) { return "first"; });
    }
    std::ofstream(path) << "stale";  // as left by a killed daemon
    const ControlSocketServer second(path, [](const std::string&) { return "second"; });
    EXPECT_EQ(send_control_request(path, "x", 5s), "second");
}

}  // namespace
}  // namespace digikit::hardware
