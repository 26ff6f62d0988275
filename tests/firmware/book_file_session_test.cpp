// The whole book for Wikisource, as the kit makes it: 20 pages from the simulated cameras
// with known words, End book pressed right after the last capture, the daemon killed
// while it builds the book file, the file queued, then synced (in chunks) to the real
// test MediaWiki with its DjVu handler, which must count 20 pages. And a build that
// fails, as `status` shows it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "book_pages.hpp"
#include "command.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/uploader/commons_client.hpp"
#include "temp_dir.hpp"
#include "test_wiki.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

using bookfile::testing::share_found;

TEST(BookFileSession, BookFileIsBuiltQueuedAndCountedByTheWiki)
{
    const auto& wiki = uploader::testing::test_wiki();
    testing::TempDir dir;
    const auto credentials = dir / "credentials.toml";
    std::ofstream(credentials) << "username = \"" << wiki.username << "\"\npassword = \"" << wiki.password << "\"\n";
    ::chmod(credentials.c_str(), 0600);
    const auto config = dir / "kit.toml";
    std::ofstream(config)
        << "data_dir = \"" << (dir / "data").string() << "\"\n"
        << "[metadata]\ninstitution = \"Test Library\"\nlanguage = \"en\"\n"
        << "[commons]\napi_url = \"" << wiki.api_url << "\"\ncredentials_file = \"" << credentials.string()
        << "\"\nbook_file = \"djvu\"\nchunk_kb = 128\n"
        << "[[device]]\ntype = \"sim\"\nrole = \"left\"\nwidth = 1200\nheight = 1000\nwords = true\n"
        << "[[device]]\ntype = \"sim\"\nrole = \"right\"\nwidth = 1200\nheight = 1000\nwords = true\n";
    const auto digikit = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config.string()});
        return testing::run_digikit(args);
    };
    // A command's JSON output; a command that fails says why instead of "parse error".
    const auto json_of = [&](std::vector<std::string> args) {
        const auto result = digikit(args);
        if (result.exit_code != 0) {
            throw std::runtime_error("digikit " + args.front() + " failed (" + std::to_string(result.exit_code) +
                                     "): " + result.err + result.out);
        }
        return nlohmann::json::parse(result.out);
    };
    const std::string title = "Known Words " + std::to_string(::getpid());
    ASSERT_EQ(digikit({"book", "new", "--title", title, "--author", "Jane Example", "--year", "1901"}).exit_code, 0);

    std::unique_ptr<testing::BackgroundProcess> daemon;
    const auto start = [&] {
        daemon = std::make_unique<testing::BackgroundProcess>(
            std::vector<std::string>{testing::digikit_binary(), "--config", config.string(), "run"},
            dir / "daemon.log");
        ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 30s));
    };
    start();
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(digikit({"press", "capture"}).exit_code, 0);
    ASSERT_EQ(digikit({"press", "end-book"}).exit_code, 0);  // at once, as the operator does

    const std::string file_name = title + " (1901).djvu";
    const auto book_file_queued = [&] {
        for (const auto& item : json_of({"queue", "--json"})) {
            if (item["target"] == file_name) return true;
        }
        return false;
    };
    // Power cuts while the book file is being built: each once a page more has been
    // recognised, at a random moment after. No page is recognised twice.
    const auto book_id = json_of({"book", "list", "--json"}).at(0)["id"].get<std::string>();
    const auto pages_dir = dir / "data" / "books" / book_id / "pages";
    std::mt19937 random(7);
    std::map<std::string, ino_t> recognised;
    const auto check_recognised_once = [&] {
        for (const auto& entry : std::filesystem::directory_iterator(pages_dir)) {
            if (entry.path().extension() != ".hocr") continue;
            struct stat st {};
            if (::stat(entry.path().c_str(), &st) != 0) continue;
            const auto [known, added] = recognised.emplace(entry.path().filename().string(), st.st_ino);
            EXPECT_TRUE(added || known->second == st.st_ino) << entry.path() << " was recognised again";
        }
    };
    for (int kill = 0; kill < 3; ++kill) {
        const std::size_t before = recognised.size();
        testing::wait_until(
            [&] {
                check_recognised_once();
                return recognised.size() > before || book_file_queued();
            },
            300s);
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution(0, 1500)(random)));
        if (book_file_queued()) break;
        daemon->stop(SIGKILL);
        check_recognised_once();
        start();
    }
    ASSERT_TRUE(testing::wait_until(book_file_queued, 540s)) << digikit({"queue"}).out;
    check_recognised_once();
    EXPECT_EQ(recognised.size(), 20U);

    // The file: bundled, 20 pages, page N carries the words of printed page N + 1 (the
    // left camera starts at page 2).
    const auto file = dir / "data" / "books" / book_id / file_name;
    const auto count = testing::run_command({"djvused", file.string(), "-e", "n"});
    ASSERT_EQ(count.exit_code, 0) << count.err;
    EXPECT_EQ(std::stoi(count.out), 20);
    for (int n = 1; n <= 20; ++n) {
        const auto text = testing::run_command({"djvutxt", "--page=" + std::to_string(n), file.string()});
        EXPECT_GE(share_found(capture::page_words(n + 1), text.out), 0.9) << "page " << n << ": " << text.out;
    }

    const auto synced = digikit({"sync", "--once"});
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    EXPECT_EQ(daemon->stop(SIGTERM), 0);

    const auto info = testing::run_command({"curl", "-sS", "--get", wiki.api_url, "--data",
                                            "action=query&format=json&prop=imageinfo&iiprop=size", "--data-urlencode",
                                            "titles=File:" + file_name});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    const auto pages = nlohmann::json::parse(info.out)["query"]["pages"];
    ASSERT_EQ(pages.size(), 1U) << info.out;
    EXPECT_EQ(pages.begin().value()["imageinfo"][0]["pagecount"], 20) << info.out;

    uploader::CommonsClient client(uploader::testing::test_client_options());
    const auto description = client.page_wikitext("File:" + file_name);
    ASSERT_TRUE(description.has_value());
    std::ofstream(dir / "description.wiki") << *description;
    const auto parsed =
        testing::run_command({"/usr/bin/python3", std::string(DIGIKIT_SOURCE_DIR) + "/tests/metadata/parse_wikitext.py",
                              (dir / "description.wiki").string()});
    ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
    const auto page = nlohmann::json::parse(parsed.out);
    ASSERT_GE(page["templates"].size(), 2U) << parsed.out;
    EXPECT_EQ(page["templates"][0]["name"], "Book");
    EXPECT_EQ(page["templates"][0]["params"]["Title"]["text"], title);
    EXPECT_EQ(page["templates"][0]["params"]["Other versions"]["other"], 1) << parsed.out;  // the category link
    EXPECT_EQ(page["templates"][1]["name"], "PD-scan") << parsed.out;
    const auto links = page["links"].dump();
    EXPECT_NE(links.find(":Category:" + title + " (1901) - pages"), std::string::npos) << links;

    // Each page file links back to the book file.
    const auto page_text = client.page_wikitext("File:" + title + " (1901) - page 0001.jpg");
    ASSERT_TRUE(page_text.has_value());
    EXPECT_NE(page_text->find("[[:File:" + title + " (1901).djvu"), std::string::npos) << *page_text;
}

// A book file that cannot be built (here: the book's language has no OCR data installed)
// is shown by `status` with its reason, and nothing is queued for it.
TEST(BookFileSession, FailedBuildIsShownWithItsReason)
{
    testing::TempDir dir;
    const auto config = dir / "kit.toml";
    std::ofstream(config) << "data_dir = \"" << (dir / "data").string() << "\"\n"
                          << "[metadata]\ninstitution = \"Test Library\"\n"
                          << "[[device]]\ntype = \"sim\"\nrole = \"single\"\nwidth = 320\nheight = 240\n";
    const auto digikit = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", config.string()});
        return testing::run_digikit(args);
    };
    ASSERT_EQ(digikit({"book", "new", "--title", "Kalevala", "--author", "Elias Lönnrot", "--year", "1849",
                       "--language", "fi"})
                  .exit_code,
              0);
    testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", config.string(), "run"},
                                      dir / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 30s));
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    ASSERT_EQ(digikit({"press", "capture"}).exit_code, 0);
    ASSERT_EQ(digikit({"press", "end-book"}).exit_code, 0);

    nlohmann::json status;
    ASSERT_TRUE(testing::wait_until(
        [&] {
            status = nlohmann::json::parse(digikit({"status", "--json"}).out);
            return !status["book_file"]["failed"].empty();
        },
        120s))
        << status.dump(2);
    const auto failure = status["book_file"]["failed"].at(0);
    EXPECT_NE(failure["reason"].get<std::string>().find("install tesseract-ocr-fin"), std::string::npos) << failure;
    const auto text = digikit({"status"}).out;
    EXPECT_NE(
        text.find("book file:  FAILED for book " + failure["book"].get<std::string>() + ": no OCR data for 'fin'"),
        std::string::npos)
        << text;
    for (const auto& item : nlohmann::json::parse(digikit({"queue", "--json"}).out)) {
        EXPECT_EQ(item["target"].get<std::string>().find(".djvu"), std::string::npos) << item;
    }
    EXPECT_EQ(daemon.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace digikit::firmware
