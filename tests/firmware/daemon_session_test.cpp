// Long sessions of the daemon: a whole book with retakes, a full disk, and power cuts
// (SIGKILL) at random moments. Small simulated photos keep them quick.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "kit_under_test.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

class DaemonSession : public KitUnderTest {
protected:
    void write_config(std::int64_t min_free_mb)
    {
        KitUnderTest::write_config("[storage]\nmin_free_mb = " + std::to_string(min_free_mb) +
                                       "\n"
                                       "[commons]\nbook_file = \"none\"\n",  // pages only here
                                   {.width = 320, .height = 240, .right_seed = 3});
    }

    void SetUp() override { write_config(0); }

    // The outcome of End book: the book has left `closing` for `closed`, or (metadata
    // missing) still waits only for its metadata.
    nlohmann::json ended_book(const std::string& id)
    {
        nlohmann::json book;
        EXPECT_TRUE(testing::wait_until(
            [&] {
                book = nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out);
                return book["state"] == "closed" ||
                       (book["progress"]["processing"] == 0 && book["progress"]["failed"].empty() &&
                        !book["progress"]["missing_metadata"].empty());
            },
            120s));
        return book;
    }
};

std::size_t count_files(const std::filesystem::path& dir, const std::string& extension)
{
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.path().extension() == extension;
    return n;
}

TEST_F(DaemonSession, FiftySpreadBookWithRetakesAndAFullDisk)
{
    start();
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    for (int spread = 1; spread <= 50; ++spread) {
        ASSERT_EQ(digikit({"press", "capture"}).exit_code, 0) << "spread " << spread;
        if (spread % 10 == 0) {
            ASSERT_EQ(digikit({"press", "retake"}).exit_code, 0) << "retake " << spread;
        }
    }
    const auto status = nlohmann::json::parse(digikit({"status", "--json"}).out);
    const std::string id = status["book"]["id"];
    EXPECT_EQ(status["book"]["captures"], 50);
    const auto book = data_ / "books" / id;
    EXPECT_EQ(count_files(book / "raw", ".jpg"), 100U);
    EXPECT_EQ(count_files(book / "retaken", ".jpg"), 10U);

    // The disk fills up (a free-space floor above what is free) while the backlog is
    // still being processed; the daemon is restarted.
    EXPECT_EQ(daemon_->stop(SIGTERM), 0);
    write_config(1 << 30);
    start();
    const auto refused = digikit({"press", "capture"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("disk nearly full"), std::string::npos) << refused.err;
    const auto full = nlohmann::json::parse(digikit({"status", "--json"}).out);
    EXPECT_EQ(full["signal"], "disk_nearly_full");
    EXPECT_EQ(full["book"]["captures"], 50);
    EXPECT_EQ(count_files(book / "raw", ".jpg"), 100U);  // nothing half written

    const auto ended = digikit({"press", "end-book"});  // ending needs no space
    EXPECT_EQ(ended.exit_code, 0) << ended.err;
    EXPECT_FALSE(std::filesystem::exists(book / "retaken"));
    EXPECT_EQ(nlohmann::json::parse(digikit({"status", "--json"}).out)["state"], "idle");

    const auto outcome = ended_book(id);
    EXPECT_EQ(outcome["captures"], 50);
    EXPECT_EQ(outcome["pages"], 100);
    EXPECT_EQ(count_files(book / "pages", ".tif"), 100U);
    // Each page's access copy and its thumbnail for the console (X.jpg, X.thumb.jpg).
    EXPECT_EQ(count_files(book / "pages", ".jpg"), 200U);
    std::size_t thumbnails = 0;
    for (const auto& entry : std::filesystem::directory_iterator(book / "pages")) {
        thumbnails += entry.path().string().ends_with(".thumb.jpg");
    }
    EXPECT_EQ(thumbnails, 100U);
}

// Every capture the operator was told about survives a SIGKILL at any moment, and is
// processed after the restart; nothing is left half written.
TEST_F(DaemonSession, AcknowledgedCapturesSurviveRandomKills)
{
    const unsigned seed = 20261121;
    std::mt19937 random(seed);
    std::set<int> acknowledged;
    start();
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    // Kills within 4 s of the presses, so that some captures are acknowledged and some
    // cut: a freshly started daemon under the sanitizers on a loaded machine can take
    // longer than 1.5 s to acknowledge one (with kills within 1.5 s, none of 90 was).
    for (int round = 0; round < 15; ++round) {
        if (!daemon_) start();
        std::thread presser([&] {
            for (int i = 0; i < 3; ++i) {
                const auto result = digikit({"press", "capture"});
                const std::string said = "captured spread ";
                if (result.exit_code == 0 && result.out.rfind(said, 0) == 0) {
                    acknowledged.insert(std::stoi(result.out.substr(said.size())));
                }
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 4000));
        daemon_->stop(SIGKILL);
        daemon_.reset();
        presser.join();
    }
    start();
    ASSERT_FALSE(acknowledged.empty()) << "no capture was acknowledged: the kills came too early (seed " << seed << ")";
    const std::string id = nlohmann::json::parse(digikit({"status", "--json"}).out)["book"]["id"];
    // Closed with its metadata complete (set through the daemon, which holds the book),
    // every page is queued for upload exactly once.
    ASSERT_EQ(digikit({"book", "set", id, "title=Crash test", "authors=Jane Example", "date=1887",
                       "institution=Test Library"})
                  .exit_code,
              0);
    const auto ended = digikit({"press", "end-book"});  // at once, the backlog still processing
    ASSERT_EQ(ended.exit_code, 0) << ended.err;
    const auto status = ended_book(id);
    EXPECT_EQ(status["state"], "closed");
    const auto book = data_ / "books" / id;
    for (const int spread : acknowledged) {
        const std::string stem = (spread < 10 ? "000" : spread < 100 ? "00" : "0") + std::to_string(spread);
        for (const std::string role : {"left", "right"}) {
            EXPECT_TRUE(std::filesystem::exists(book / "raw" / (stem + "_" + role + ".jpg"))) << stem << role;
            EXPECT_TRUE(std::filesystem::exists(book / "pages" / (stem + "_" + role + "_1.tif"))) << stem << role;
            EXPECT_TRUE(std::filesystem::exists(book / "pages" / (stem + "_" + role + "_1.jpg"))) << stem << role;
        }
    }
    // Each capture recorded once, with both sides; none half written.
    EXPECT_GE(status["captures"].get<std::size_t>(), acknowledged.size());
    EXPECT_EQ(status["pages"].get<int>(), 2 * status["captures"].get<int>());
    for (const auto& entry : std::filesystem::recursive_directory_iterator(data_ / "books")) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
    const auto queue = nlohmann::json::parse(digikit({"queue", "--json"}).out);
    EXPECT_EQ(queue.size(), status["pages"].get<std::size_t>());  // the JPEG of every page
    std::set<std::string> queued_files;
    for (const auto& item : queue) queued_files.insert(item["file"].get<std::string>());
    EXPECT_EQ(queued_files.size(), queue.size());
    RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
    std::cout << "acknowledged captures: " << acknowledged.size() << ", recorded: " << status["captures"] << " (seed "
              << seed << ")\n";
}

}  // namespace
}  // namespace digikit::firmware
