#include "digikit/hardware/control_socket.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "digikit/hardware/button.hpp"
#include "temp_dir.hpp"

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;

// A raw client: sends exactly `bytes`, optionally closes its sending side, and reads
// whatever the server answers until it closes.
class RawClient {
public:
    explicit RawClient(const std::filesystem::path& path) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("connect failed");
        }
    }
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;
    ~RawClient() { ::close(fd_); }

    void send(std::string_view bytes) const
    {
        ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    }
    void finish_sending() const { ::shutdown(fd_, SHUT_WR); }
    // Everything until the server closes (the test's own timeout guards a hang).
    [[nodiscard]] std::string answer() const
    {
        std::string all;
        char buffer[4096];
        for (;;) {
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) return all;
            all.append(buffer, static_cast<std::size_t>(n));
        }
    }

private:
    int fd_;
};

ControlSocketOptions quick_options()
{
    ControlSocketOptions options;
    options.refusal = [](const std::string& reason) { return "refused: " + reason; };
    return options;
}

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

TEST(ControlSocket, IsPrivateToItsOwnerWithoutTouchingTheUmask)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    const mode_t before = ::umask(0022);
    const ControlSocketServer server(path, [](const std::string&) { return "ok"; });
    EXPECT_EQ(::umask(before), 0022U);  // other threads' files keep the process's umask
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777, 0600U);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
    EXPECT_EQ(entries, 1U);  // the private folder it was bound in is gone
}

// Event-driven: the first request's handler waits until the second one is inside.
TEST(ControlSocket, ServesClientsConcurrently)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    std::mutex mutex;
    std::condition_variable changed;
    bool second_inside = false;
    const ControlSocketServer server(path, [&](const std::string& request) -> std::string {
        std::unique_lock lock(mutex);
        if (request == "second") {
            second_inside = true;
            changed.notify_all();
            return "second done";
        }
        const bool met = changed.wait_for(lock, 60s, [&] { return second_inside; });
        return met ? "first done" : "first alone";
    });
    std::thread first([&] { EXPECT_EQ(send_control_request(path, "first", 120s), "first done"); });
    // a slow capture does not block `digikit status`
    EXPECT_EQ(send_control_request(path, "second", 120s), "second done");
    first.join();
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

TEST(ControlSocket, HandlerThatThrowsGetsARefusalAndTheServerGoesOn)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    std::vector<std::string> problems;
    std::mutex mutex;
    auto options = quick_options();
    options.on_problem = [&](const std::string& problem) {
        const std::lock_guard lock(mutex);
        problems.push_back(problem);
    };
    const ControlSocketServer server(
        path,
        [](const std::string& request) -> std::string {
            if (request == "std") throw std::runtime_error("the kit fell over");
            if (request == "other") throw 42;
            return "fine";
        },
        options);
    EXPECT_EQ(send_control_request(path, "std", 5s), "refused: internal error: the kit fell over");
    EXPECT_EQ(send_control_request(path, "other", 5s), "refused: internal error: unknown exception");
    EXPECT_EQ(send_control_request(path, "next", 5s), "fine");
    const std::lock_guard lock(mutex);
    ASSERT_EQ(problems.size(), 2U);
    EXPECT_EQ(problems[0], "control request failed: the kit fell over");
}

TEST(ControlSocket, RequestLineIsAnyBytesUpToTheNewlineWithoutCR)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    const ControlSocketServer server(
        path, [](const std::string& request) { return "got " + std::to_string(request.size()) + " bytes"; },
        quick_options());
    const std::string cases[] = {std::string("st\0tus\n", 7), "status\r\n", "\xff\xfe\x80 \xc3\x28\n", "\n",
                                 "status\nstatus\nstatus\n"};
    const std::string answers[] = {"got 6 bytes\n", "got 6 bytes\n", "got 6 bytes\n", "got 0 bytes\n", "got 6 bytes\n"};
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        const RawClient client(path);
        client.send(cases[i]);
        EXPECT_EQ(client.answer(), answers[i]) << i;
    }
}

TEST(ControlSocket, HalfLinesAndOversizedRequestsAreRefused)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    auto options = quick_options();
    options.request_timeout = 300ms;  // what the server waits for the rest of a line
    const ControlSocketServer server(
        path, [](const std::string&) { return "handled"; }, options);
    {
        const RawClient closed_early(path);
        closed_early.send("press cap");
        closed_early.finish_sending();
        EXPECT_EQ(closed_early.answer(), "refused: incomplete request: no end of line\n");
    }
    {
        const RawClient stalled(path);
        stalled.send("press cap");  // and nothing more: the server gives up, the client learns why
        EXPECT_EQ(stalled.answer(), "refused: incomplete request: no end of line within 300 ms\n");
    }
    {
        const RawClient flood(path);
        flood.send(std::string(5000, 'x'));
        EXPECT_EQ(flood.answer(), "refused: request longer than 4096 bytes\n");
    }
    {
        const RawClient idle(path);
        idle.finish_sending();
        EXPECT_EQ(idle.answer(), "");  // nothing asked, nothing answered
    }
    EXPECT_EQ(send_control_request(path, "status", 5s), "handled");
}

TEST(ControlSocket, RandomBurstsAreAnsweredAndTheServerGoesOn)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    const ControlSocketServer server(
        path, [](const std::string&) { return "handled"; }, quick_options());
    std::mt19937 random(13);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int burst = 0; burst < 20; ++burst) {
        std::string bytes(5000, '\0');
        for (auto& b : bytes) b = static_cast<char>(byte(random));
        const RawClient client(path);
        client.send(bytes);
        client.finish_sending();
        const std::string answer = client.answer();
        const bool has_newline = bytes.find('\n') != std::string::npos && bytes.find('\n') <= 4096;
        EXPECT_EQ(answer, has_newline ? "handled\n" : "refused: request longer than 4096 bytes\n") << burst;
    }
    EXPECT_EQ(send_control_request(path, "status", 5s), "handled");
}

TEST(ControlSocket, ConnectionsBeyondTheLimitAreRefusedAtOnce)
{
    testing::TempDir dir;
    const auto path = dir / "digikit.sock";
    auto options = quick_options();
    options.max_connections = 4;
    options.request_timeout = 60s;  // the idle ones hold their slots for the whole test
    const ControlSocketServer server(
        path, [](const std::string&) { return "handled"; }, options);
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 4; ++i) idle.push_back(std::make_unique<RawClient>(path));
    // The server's threads take the idle ones in turn; then the next is refused at once.
    std::string refused;
    for (int attempt = 0; attempt < 200 && refused.empty(); ++attempt) {
        const RawClient extra(path);
        extra.send("status\n");
        const std::string answer = extra.answer();
        if (answer != "handled\n") refused = answer;
    }
    EXPECT_EQ(refused, "refused: too many connections (4 open): try again\n");
    idle.clear();  // their slots come free as their threads see them close
    bool served = false;
    for (int attempt = 0; attempt < 200 && !served; ++attempt) {
        served = send_control_request(path, "status", 5s) == "handled";
        if (!served) std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(served);
}

}  // namespace
}  // namespace digikit::hardware
