// The daemon over a long session (issue 13): simulated cameras take many captures in
// several books, a titled book is uploaded to the real test wiki by the Sync button
// meanwhile, and a client sends random traffic to the control socket all along. At the
// end the daemon's thread count is where it started and its memory has stopped growing.
// Runs when DIGIKIT_SOAK_CAPTURES is set (500 is the soak; 60 a quick one).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "temp_dir.hpp"
#include "test_wiki.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

struct ProcessFigures {
    int threads = -1;
    long rss_kb = -1;
};

ProcessFigures figures_of(pid_t pid)
{
    ProcessFigures figures;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Threads:", 0) == 0) figures.threads = std::stoi(line.substr(8));
        if (line.rfind("VmRSS:", 0) == 0) figures.rss_kb = std::stol(line.substr(6));
    }
    return figures;
}

int soak_captures()
{
    const char* text = std::getenv("DIGIKIT_SOAK_CAPTURES");
    return text != nullptr ? std::max(20, std::atoi(text)) : 0;
}

// Random bytes, garbage lines, status and wake requests, until told to stop.
void random_traffic(const std::filesystem::path& socket, std::atomic<bool>& stop, std::atomic<int>& sent)
{
    std::mt19937 random(77);
    std::uniform_int_distribution<int> byte(0, 255);
    const std::string lines[] = {"status\n", "wake\n", "press shutter\n", "\xff\xfe\n", "status\r\n", "press"};
    while (!stop) {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
            std::string bytes;
            if (random() % 3 == 0) {
                bytes.resize(static_cast<std::size_t>(random() % 5000));
                for (auto& b : bytes) b = static_cast<char>(byte(random));
            } else {
                bytes = lines[random() % std::size(lines)];
            }
            (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            ::shutdown(fd, SHUT_WR);
            char buffer[4096];
            while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
            }
            ++sent;
        }
        ::close(fd);
        std::this_thread::sleep_for(5ms);
    }
}

TEST(Soak, ManyCapturesWithSyncsAndRandomTrafficLeaveThreadsAndMemoryFlat)
{
    if (soak_captures() == 0) GTEST_SKIP() << "the soak runs with DIGIKIT_SOAK_CAPTURES=N (e.g. 500)";
    const auto& wiki = uploader::testing::test_wiki();
    testing::TempDir dir;
    const auto data = dir / "data";
    const auto credentials = dir / "credentials.toml";
    std::ofstream(credentials) << "username = \"" << wiki.username << "\"\npassword = \"" << wiki.password << "\"\n";
    ::chmod(credentials.c_str(), 0600);
    const auto config = dir / "kit.toml";
    std::ofstream(config) << "data_dir = \"" << data.string() << "\"\n"
                          << "[metadata]\ninstitution = \"Test Library\"\n"
                          << "[commons]\napi_url = \"" << wiki.api_url << "\"\ncredentials_file = \""
                          << credentials.string() << "\"\n"
                          << "[storage]\nmin_free_mb = 0\n"
                          << "[[device]]\ntype = \"sim\"\nrole = \"left\"\nserial = \"L\"\nwidth = 160\nheight = 120\n"
                          << "[[device]]\ntype = \"sim\"\nrole = \"right\"\nserial = \"R\"\nwidth = 160\nheight = "
                             "120\nseed = 3\n";
    const auto digikit = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config.string()});
        return testing::run_digikit(args);
    };
    const std::string title = "Soak Almanac " + std::to_string(::getpid());
    ASSERT_EQ(digikit({"book", "new", "--title", title, "--author", "Soak Tester", "--year", "1901"}).exit_code, 0);

    testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", config.string(), "run"},
                                      dir / "daemon.log");
    const auto socket = data / "digikit.sock";
    ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 30s));
    const auto ask = [&](const std::string& request) {
        return nlohmann::json::parse(hardware::send_control_request(socket, request, 5min));
    };
    std::atomic<bool> stop{false};
    std::atomic<int> sent{0};
    std::thread traffic([&] { random_traffic(socket, stop, sent); });

    const int captures = soak_captures();
    const int per_book = 50;
    const int titled = 5;  // the first book's captures are uploaded while the others are taken
    ProcessFigures warm;
    int taken = 0;
    int syncs = 0;
    int refused_busy = 0;
    while (taken < captures) {
        const int in_book = taken == 0 ? titled : per_book;
        ASSERT_TRUE(ask("press new-book")["ok"].get<bool>());
        for (int i = 0; i < in_book && taken < captures;) {
            const auto answer = ask("press capture");
            if (answer["ok"].get<bool>()) {
                ++i;
                ++taken;
            } else {
                // The only refusal expected: processing is behind; press again as the operator would.
                ASSERT_NE(answer["message"].get<std::string>().find("processing is behind"), std::string::npos)
                    << answer.dump();
                ++refused_busy;
                std::this_thread::sleep_for(20ms);
            }
        }
        const auto ended = ask("press end-book");
        ASSERT_TRUE(ended["ok"].get<bool>()) << ended.dump();
        const auto synced = ask("press sync");  // refused while the previous one still uploads
        syncs += synced["ok"].get<bool>() ? 1 : 0;
        if (warm.threads < 0 && taken >= captures / 5) {
            warm = figures_of(daemon.pid());  // after the first fifth: caches and pools are warm
        }
    }
    // Let the processing and the uploads finish, then measure.
    ASSERT_TRUE(testing::wait_until(
        [&] {
            const auto status = ask("status")["status"];
            return status["processing_backlog"] == 0 && !status["queue"]["syncing"].get<bool>();
        },
        10min));
    const auto final_sync = ask("press sync");
    ASSERT_TRUE(final_sync["ok"].get<bool>()) << final_sync.dump();
    ASSERT_TRUE(testing::wait_until([&] { return !ask("status")["status"]["queue"]["syncing"].get<bool>(); }, 10min));
    stop = true;
    traffic.join();
    // Idle again: the connection threads of the random traffic have ended.
    ProcessFigures end;
    testing::wait_until(
        [&] {
            end = figures_of(daemon.pid());
            return end.threads <= warm.threads;
        },
        30s);
    const auto status = ask("status")["status"];
    std::cout << "soak: " << taken << " captures (" << refused_busy << " presses refused while processing caught up), "
              << syncs + 1 << " syncs, " << sent << " random requests; threads " << warm.threads << " -> "
              << end.threads << ", RSS " << warm.rss_kb / 1024 << " MB -> " << end.rss_kb / 1024 << " MB\n";
    // Everything queued (the titled book's pages) was published, nothing failed.
    EXPECT_GE(status["queue"]["counts"]["published"], 1) << status["queue"].dump();
    EXPECT_LE(status["queue"]["counts"]["published"], 2 * titled) << status["queue"].dump();
    for (const char* state : {"queued", "uploading", "failed"}) {
        EXPECT_EQ(status["queue"]["counts"][state], 0) << state << ": " << status["queue"].dump();
    }
    EXPECT_LE(end.threads, warm.threads);
    // Flat: what the last four fifths of the captures added is small beside the whole.
    EXPECT_LT(end.rss_kb - warm.rss_kb, warm.rss_kb / 4 + 16 * 1024);
    EXPECT_EQ(daemon.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace digikit::firmware
