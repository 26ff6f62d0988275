// `digikit run` driven over its control socket, as the operator's buttons would.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;
using testing::run_digikit;

class DaemonTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::ofstream(config_)
            << "data_dir = \"" << data_.string() << "\"\n"
            << "[metadata]\ninstitution = \"Test Library\"\n"
            << "[[device]]\ntype = \"sim\"\nrole = \"left\"\nserial = \"L\"\nwidth = 640\nheight = 480\n"
            << "[[device]]\ntype = \"sim\"\nrole = \"right\"\nserial = \"R\"\nwidth = 640\nheight = 480\nseed = 7\n";
    }

    void start()
    {
        daemon_ = std::make_unique<testing::BackgroundProcess>(
            std::vector<std::string>{DIGIKIT_BINARY, "--config", config_.string(), "run"}, dir_ / "daemon.log");
        // A killed daemon leaves its socket file behind: wait for an answer, not the file.
        ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 30s)) << log();
    }

    testing::CommandResult digikit(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--config", config_.string()});
        return run_digikit(args);
    }

    void press(const std::string& button)
    {
        const auto result = digikit({"press", button});
        ASSERT_EQ(result.exit_code, 0) << button << ": " << result.err << log();
    }

    nlohmann::json status()
    {
        const auto result = digikit({"status", "--json"});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return nlohmann::json::parse(result.out);
    }

    // Waits until the background processing has caught up.
    nlohmann::json processed_status()
    {
        nlohmann::json last;
        testing::wait_until(
            [&] {
                last = status();
                bool done = last["processing_backlog"] == 0;
                if (last["last_capture"].is_object()) {
                    for (const auto& shot : last["last_capture"]["shots"]) done = done && shot["processed"].get<bool>();
                }
                return done;
            },
            60s);
        return last;
    }

    std::string log() const
    {
        std::ifstream in(dir_ / "daemon.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

    testing::TempDir dir_;
    std::filesystem::path data_ = dir_ / "data";
    std::filesystem::path config_ = dir_ / "kit.toml";
    std::unique_ptr<testing::BackgroundProcess> daemon_;
};

TEST_F(DaemonTest, ScanningSessionOverTheControlSocket)
{
    start();
    struct stat info {};
    ASSERT_EQ(::stat((data_ / "digikit.sock").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600U);

    EXPECT_EQ(status()["state"], "idle");
    press("new-book");
    for (int i = 0; i < 3; ++i) press("capture");
    press("retake");

    const auto state = processed_status();
    EXPECT_EQ(state["state"], "book_open");
    const std::string id = state["book"]["id"];
    EXPECT_EQ(state["book"]["captures"], 3);
    EXPECT_EQ(state["book"]["pages"], 6);
    EXPECT_EQ(state["last_capture"]["sequence"], 3);
    EXPECT_EQ(state["cameras"].size(), 2U);

    // Raw files: 3 spreads x 2 cameras current, the retaken spread kept aside.
    const auto book = data_ / "books" / id;
    std::size_t raws = 0;
    for (const auto& entry : std::filesystem::directory_iterator(book / "raw"))
        raws += entry.path().extension() == ".jpg";
    EXPECT_EQ(raws, 6U);
    EXPECT_TRUE(std::filesystem::exists(book / "retaken" / "0003_left.jpg"));
    EXPECT_FALSE(std::filesystem::exists(book / "pages" / "0003_left_1.tif"));
    EXPECT_TRUE(std::filesystem::exists(book / "pages" / "0003r1_left_1.tif"));

    const auto end = digikit({"press", "end-book"});
    EXPECT_EQ(end.exit_code, 0);
    EXPECT_NE(end.out.find("missing"), std::string::npos) << end.out;  // untitled: not queued
    EXPECT_FALSE(std::filesystem::exists(book / "retaken"));
    EXPECT_EQ(status()["state"], "idle");

    EXPECT_EQ(daemon_->stop(SIGTERM), 0);
    EXPECT_FALSE(std::filesystem::exists(data_ / "digikit.sock"));
}

TEST_F(DaemonTest, RefusalsAreClearAndChangeNothing)
{
    start();
    const auto no_book = digikit({"press", "capture"});
    EXPECT_EQ(no_book.exit_code, 1);
    EXPECT_EQ(no_book.err, "digikit: no open book: press New book first\n");
    press("new-book");
    const auto twice = digikit({"press", "new-book"});
    EXPECT_EQ(twice.exit_code, 1);
    EXPECT_NE(twice.err.find("still open"), std::string::npos);
    const auto retake = digikit({"press", "retake"});
    EXPECT_EQ(retake.exit_code, 1);
    EXPECT_NE(retake.err.find("nothing to retake"), std::string::npos);
    EXPECT_EQ(status()["book"]["captures"], 0);
}

TEST_F(DaemonTest, SecondDaemonOnTheSameDataDirIsRefused)
{
    start();
    const auto second = digikit({"run"});
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_EQ(second.err, "digikit: another digikit daemon is already running on " + data_.string() + " (pid " +
                              std::to_string(daemon_->pid()) + ")\n");
    EXPECT_EQ(status()["state"], "idle");  // the first one is unharmed
}

TEST_F(DaemonTest, NoDaemonIsReportedClearly)
{
    for (const auto& args : std::vector<std::vector<std::string>>{{"status", "--json"}, {"press", "capture"}}) {
        const auto result = digikit(args);
        EXPECT_EQ(result.exit_code, 1);
        EXPECT_EQ(result.err,
                  "digikit: no digikit daemon is running on " + data_.string() + " (start it with `digikit run`)\n");
    }
}

TEST_F(DaemonTest, RestartResumesTheOpenBookAndItsBacklog)
{
    start();
    press("new-book");
    press("capture");
    const std::string id = status()["book"]["id"];
    daemon_->stop(SIGKILL);  // as a power cut would
    std::ofstream(data_ / "books" / id / "raw" / ".0002_left.jpg.tmp-Xy12Zq") << "half";
    start();
    const auto state = processed_status();
    EXPECT_EQ(state["book"]["id"], id);
    EXPECT_EQ(state["book"]["pages"], 2);
    EXPECT_FALSE(std::filesystem::exists(data_ / "books" / id / "raw" / ".0002_left.jpg.tmp-Xy12Zq"));
    press("capture");
    EXPECT_EQ(processed_status()["book"]["captures"], 2);
}

TEST_F(DaemonTest, BadConfigurationStopsTheDaemonWithOneLine)
{
    std::ofstream(config_) << "data_dir = 5\n";
    const auto result = digikit({"run"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.err, "digikit: " + config_.string() + ":1: data_dir: expected a string, got 5\n");
}

}  // namespace
}  // namespace digikit::firmware
