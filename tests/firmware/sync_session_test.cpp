// The coordinator's path end to end: a book scanned with the daemon, closed with its
// metadata complete, then `digikit sync --once` against a real MediaWiki on 127.0.0.1.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "digikit/uploader/commons_client.hpp"
#include "temp_dir.hpp"
#include "test_wiki.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

TEST(SyncSession, ClosedBookIsQueuedAndPublishedOnce)
{
    const auto& wiki = uploader::testing::test_wiki();
    testing::TempDir dir;
    const auto credentials = dir / "credentials.toml";
    std::ofstream(credentials) << "username = \"" << wiki.username << "\"\npassword = \"" << wiki.password << "\"\n";
    ::chmod(credentials.c_str(), 0600);
    const auto config = dir / "kit.toml";
    std::ofstream(config) << "data_dir = \"" << (dir / "data").string() << "\"\n"
                          << "[metadata]\ninstitution = \"Test Library\"\n"
                          << "[commons]\napi_url = \"" << wiki.api_url << "\"\ncredentials_file = \""
                          << credentials.string() << "\"\nbook_file = \"none\"\n"  // pages only here
                          << "[[device]]\ntype = \"sim\"\nrole = \"left\"\nwidth = 480\nheight = 360\n"
                          << "[[device]]\ntype = \"sim\"\nrole = \"right\"\nwidth = 480\nheight = 360\nseed = 5\n";
    const auto digikit = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config.string()});
        return testing::run_digikit(args);
    };
    const std::string title = "Flora of Sync Valley " + std::to_string(::getpid());
    ASSERT_EQ(digikit({"book", "new", "--title", title, "--author", "Jane Example", "--year", "1887"}).exit_code, 0);

    testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", config.string(), "run"},
                                      dir / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 30s));
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    const std::string id = nlohmann::json::parse(digikit({"status", "--json"}).out)["book"]["id"];
    for (int i = 0; i < 2; ++i) ASSERT_EQ(digikit({"press", "capture"}).exit_code, 0);
    const auto ended = digikit({"press", "end-book"});  // right after the last capture
    ASSERT_EQ(ended.exit_code, 0) << ended.err;
    EXPECT_EQ(ended.out.find("failed"), std::string::npos) << ended.out;
    // The outcome: the book closes once every page is processed and queued.
    ASSERT_TRUE(testing::wait_until(
        [&] {
            return nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out)["state"] == "closed";
        },
        60s))
        << digikit({"book", "show", id}).out;

    const auto queued = nlohmann::json::parse(digikit({"queue", "--json"}).out);
    ASSERT_EQ(queued.size(), 4U);
    EXPECT_EQ(queued[0]["target"], title + " (1887) - page 0001.jpg");
    EXPECT_EQ(queued[0]["state"], "queued");
    const auto dry = digikit({"sync", "--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_EQ(nlohmann::json::parse(digikit({"queue", "--json"}).out)[0]["state"], "queued");  // nothing changed

    // The Sync button uploads in the background; the kit goes back to idle when done.
    const auto pressed = digikit({"press", "sync"});
    ASSERT_EQ(pressed.exit_code, 0) << pressed.err;
    const auto all_published = [&] {
        for (const auto& item : nlohmann::json::parse(digikit({"queue", "--json"}).out)) {
            if (item["state"] != "published") return false;
        }
        return nlohmann::json::parse(digikit({"status", "--json"}).out)["state"] == "idle";
    };
    ASSERT_TRUE(testing::wait_until(all_published, 120s)) << digikit({"queue"}).out;
    daemon.stop(SIGTERM);

    uploader::CommonsClient client(uploader::testing::test_client_options());
    for (const auto& item : nlohmann::json::parse(digikit({"queue", "--json"}).out)) {
        EXPECT_EQ(item["state"], "published") << item.dump();
        const auto names = client.files_with_sha1(item["sha1"].get<std::string>());
        EXPECT_EQ(names.size(), 1U) << item.dump();
        const auto text = client.page_wikitext("File:" + item["published_name"].get<std::string>());
        ASSERT_TRUE(text.has_value());
        EXPECT_NE(text->find("{{Book"), std::string::npos);
        EXPECT_NE(text->find("PD-"), std::string::npos);
    }
    // `digikit sync` afterwards finds nothing to do and uploads nothing twice.
    const auto again = digikit({"sync", "--once"});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_NE(again.out.find("0 published"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace digikit::firmware
