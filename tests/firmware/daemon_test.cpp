// `digikit run` driven over its control socket, as the operator's buttons would.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "kit_under_test.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;
using testing::run_digikit;

class DaemonTest : public KitUnderTest {
protected:
    void SetUp() override
    {
        write_config(
            "[metadata]\ninstitution = \"Test Library\"\n"
            "[commons]\nbook_file = \"none\"\n");  // pages only here
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

    nlohmann::json book(const std::string& id)
    {
        const auto result = digikit({"book", "show", id, "--json"});
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return nlohmann::json::parse(result.out);
    }

    // The outcome a person waits for after pressing: every shot of the book processed.
    nlohmann::json processed_book(const std::string& id)
    {
        nlohmann::json last;
        EXPECT_TRUE(testing::wait_until(
            [&] {
                last = book(id);
                return last["progress"]["processing"] == 0;
            },
            60s))
            << log();
        return last;
    }
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

    // What the operator was told is on disk at once; processing goes on behind.
    const auto state = status();
    EXPECT_EQ(state["state"], "book_open");
    const std::string id = state["book"]["id"];
    EXPECT_EQ(state["book"]["captures"], 3);
    EXPECT_EQ(state["last_capture"]["sequence"], 3);
    EXPECT_EQ(state["cameras"].size(), 2U);

    // Raw files: 3 spreads x 2 cameras current, the retaken spread kept aside.
    const auto folder = data_ / "books" / id;
    std::size_t raws = 0;
    for (const auto& entry : std::filesystem::directory_iterator(folder / "raw"))
        raws += entry.path().extension() == ".jpg";
    EXPECT_EQ(raws, 6U);
    EXPECT_TRUE(std::filesystem::exists(folder / "retaken" / "0003_left.jpg"));

    const auto end = digikit({"press", "end-book"});  // right after the retake, as a person would
    EXPECT_EQ(end.exit_code, 0);
    EXPECT_NE(end.out.find("missing"), std::string::npos) << end.out;  // untitled: not queued
    EXPECT_FALSE(std::filesystem::exists(folder / "retaken"));
    EXPECT_EQ(status()["state"], "idle");

    const auto ended = processed_book(id);
    EXPECT_EQ(ended["state"], "closing");  // until its metadata is complete
    EXPECT_EQ(ended["pages"], 6);
    EXPECT_NE(ended["progress"]["summary"].get<std::string>().find("metadata missing"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(folder / "pages" / "0003_left_1.tif"));
    EXPECT_TRUE(std::filesystem::exists(folder / "pages" / "0003r1_left_1.tif"));

    EXPECT_EQ(daemon_->stop(SIGTERM), 0);
    EXPECT_FALSE(std::filesystem::exists(data_ / "digikit.sock"));
}

// Read as fast as a script polls it from the moment of the press: the backlog is never
// smaller than the shots shown unprocessed, so "backlog 0" means every page is there
// (it read 0 while the worker had not yet woken to a new spread).
TEST_F(DaemonTest, TheBacklogCountsEveryShotShownUnprocessed)
{
    start();
    press("new-book");
    press("capture");
    nlohmann::json state;
    const bool settled = testing::wait_until(
        [&] {
            state = status();
            int unprocessed = 0;
            if (state["last_capture"].is_object()) {
                for (const auto& shot : state["last_capture"]["shots"]) unprocessed += !shot["processed"].get<bool>();
            }
            EXPECT_GE(state["processing_backlog"].get<int>(), unprocessed) << state.dump(2);
            return state["processing_backlog"] == 0;
        },
        60s);
    ASSERT_TRUE(settled) << log();
    for (const auto& shot : state["last_capture"]["shots"]) EXPECT_TRUE(shot["processed"].get<bool>()) << shot.dump();
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
    EXPECT_EQ(status()["book"]["id"], id);
    EXPECT_FALSE(std::filesystem::exists(data_ / "books" / id / "raw" / ".0002_left.jpg.tmp-Xy12Zq"));
    press("capture");  // at once: the backlog of before the cut is processed meanwhile
    const auto state = processed_book(id);
    EXPECT_EQ(state["captures"], 2);
    EXPECT_EQ(state["pages"], 4);
}

// `book close` on the daemon's open book is End book, done by the daemon: it goes on
// taking presses (it used to wedge until restarted). `book set` goes through it too.
TEST_F(DaemonTest, BookCommandsOnTheDaemonsBookGoThroughTheDaemon)
{
    start();
    press("new-book");
    press("capture");
    const std::string id = status()["book"]["id"];
    const auto set = digikit({"book", "set", id, "title=Herbarium", "authors=Jane Example", "date=1887"});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    EXPECT_EQ(book(id)["metadata"]["title"], "Herbarium");

    const auto closed = digikit({"book", "close", id});
    ASSERT_EQ(closed.exit_code, 0) << closed.err << log();
    EXPECT_EQ(status()["state"], "idle");
    EXPECT_NE(log().find("end-book: "), std::string::npos);  // the daemon did it, as End book
    ASSERT_TRUE(testing::wait_until([&] { return book(id)["state"] == "closed"; }, 60s)) << book(id).dump(2);
    EXPECT_EQ(nlohmann::json::parse(digikit({"queue", "--json"}).out).size(), 2U);

    press("new-book");  // not wedged: the next book opens and captures
    press("capture");
    EXPECT_NE(status()["book"]["id"], id);
    const auto again = digikit({"book", "close", id});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_EQ(again.err, "digikit: book " + id + " is already closed\n");
    const auto reprocess = digikit({"book", "reprocess", id});
    EXPECT_EQ(reprocess.exit_code, 1);
    EXPECT_NE(reprocess.err.find("is closed"), std::string::npos) << reprocess.err;

    // Whatever arrives as a book request, the daemon answers without echoing it.
    const auto answer = hardware::send_control_request(data_ / "digikit.sock", "book {\"command\":\"explode\"}", 10s);
    EXPECT_EQ(nlohmann::json::parse(answer)["message"], "malformed book request");
    EXPECT_EQ(status()["state"], "book_open");
}

// A shot whose processing fails is recorded with its reason, shown, and keeps its book
// from closing until it is processed again (or left out on purpose).
TEST_F(DaemonTest, AFailedShotIsShownAndBlocksItsBookUntilReprocessed)
{
    start();
    press("new-book");
    const std::string id = status()["book"]["id"];
    ASSERT_EQ(digikit({"book", "set", id, "title=Herbarium", "authors=Jane Example", "date=1887"}).exit_code, 0);
    // Folders where the second spread's pages go: they cannot be written.
    const auto pages = data_ / "books" / id / "pages";
    for (const char* page : {"0002_left_1.tif", "0002_right_1.tif"}) {
        std::filesystem::create_directories(pages / page / "in-the-way");
    }
    press("capture");
    press("capture");
    press("end-book");  // at once
    const auto failed = [&] { return book(id)["progress"]["failed"].size() == 2; };
    ASSERT_TRUE(testing::wait_until(failed, 60s)) << book(id).dump(2) << log();
    const auto shown = book(id);
    EXPECT_EQ(shown["state"], "closing");
    EXPECT_EQ(shown["progress"]["failed"][0]["shot"], "0002_left");
    EXPECT_FALSE(shown["progress"]["failed"][0]["reason"].get<std::string>().empty());
    EXPECT_EQ(shown["progress"]["summary"], "closing: 2 shot(s) failed (0002_left, 0002_right)");
    const auto text = digikit({"book", "show", id}).out;
    EXPECT_NE(text.find("failed: 0002_right ("), std::string::npos) << text;
    EXPECT_NE(log().find("processing shot 0002_left of book " + id + " failed"), std::string::npos) << log();
    const auto listed = digikit({"book", "list"}).out;
    EXPECT_NE(listed.find("closing: 2 shot(s) failed"), std::string::npos) << listed;
    const auto kit = status();
    ASSERT_EQ(kit["closing_books"].size(), 1U);
    EXPECT_EQ(kit["closing_books"][0]["failed"].size(), 2U);
    EXPECT_NE(digikit({"status"}).out.find("failed:     0002_left: "), std::string::npos);
    // Only the first spread is queued: the second's pages come after a decision.
    EXPECT_EQ(nlohmann::json::parse(digikit({"queue", "--json"}).out).size(), 2U);

    for (const char* page : {"0002_left_1.tif", "0002_right_1.tif"}) std::filesystem::remove_all(pages / page);
    const auto reprocessed = digikit({"book", "reprocess", id});
    ASSERT_EQ(reprocessed.exit_code, 0) << reprocessed.err;
    EXPECT_EQ(reprocessed.out, "processing 2 failed shot(s) of book " + id + " again\n");
    ASSERT_TRUE(testing::wait_until([&] { return book(id)["state"] == "closed"; }, 60s)) << book(id).dump(2);
    EXPECT_EQ(nlohmann::json::parse(digikit({"queue", "--json"}).out).size(), 4U);
}

// The coordinator may leave a failed shot out on purpose, one by one or all at once.
TEST_F(DaemonTest, AFailedShotIsLeftOutOnlyOnRequest)
{
    start();
    press("new-book");
    const std::string id = status()["book"]["id"];
    ASSERT_EQ(digikit({"book", "set", id, "title=Herbarium", "authors=Jane Example", "date=1887"}).exit_code, 0);
    const auto pages = data_ / "books" / id / "pages";
    for (const char* page : {"0001_left_1.tif", "0001_right_1.tif"}) {
        std::filesystem::create_directories(pages / page / "in-the-way");
    }
    press("capture");
    ASSERT_TRUE(testing::wait_until([&] { return book(id)["progress"]["failed"].size() == 2; }, 60s)) << log();
    // Seen while the book is still open, in the first status snapshot taken after it (the
    // event loop takes one about every second; book show reads the book itself).
    EXPECT_TRUE(testing::wait_until([&] { return status()["book"]["failed"].size() == 2; }, 10s)) << status().dump();

    const auto dropped = digikit({"book", "drop-shot", id, "0001_left"});
    ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
    EXPECT_EQ(dropped.out, "left shot 0001_left out of book " + id + "\n");
    const auto unknown = digikit({"book", "drop-shot", id, "0009_left"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("has no shot '0009_left'"), std::string::npos) << unknown.err;

    const auto ended = digikit({"book", "close", id});  // End book from the CLI: says what blocks it
    ASSERT_EQ(ended.exit_code, 0) << ended.err;
    EXPECT_NE(ended.out.find("shots without pages: 0001_right ("), std::string::npos) << ended.out;
    EXPECT_EQ(book(id)["state"], "closing");
    const auto without = digikit({"book", "close", id, "--without-failed"});
    ASSERT_EQ(without.exit_code, 0) << without.err;
    EXPECT_NE(without.out.find("left out 1 failed shot(s) (0001_right)"), std::string::npos) << without.out;
    EXPECT_EQ(book(id)["state"], "closed");
    EXPECT_NE(digikit({"book", "show", id}).out.find("left out: 0001_right"), std::string::npos);
    EXPECT_TRUE(nlohmann::json::parse(digikit({"queue", "--json"}).out).empty());
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
