// What a closed book publishes, as the coordinator drives it with the CLI: photos
// imported with `book add`, `book close`, `digikit sync --once` against the real test
// MediaWiki on 127.0.0.1, and the files on disk read back with exiftool.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/uploader/commons_client.hpp"
#include "digikit/uploader/upload_queue.hpp"
#include "temp_dir.hpp"
#include "test_wiki.hpp"

namespace digikit::firmware {
namespace {

using nlohmann::json;

// A kit configured for the test wiki, driven through the real binary.
class PublishingKit {
public:
    explicit PublishingKit(const std::string& upload, const std::string& more_config = "",
                           const std::string& api_url = "")
    {
        const auto& wiki = uploader::testing::test_wiki();
        const auto credentials = dir_ / "credentials.toml";
        std::ofstream(credentials) << "username = \"" << wiki.username << "\"\npassword = \"" << wiki.password
                                   << "\"\n";
        ::chmod(credentials.c_str(), 0600);
        std::ofstream(config_) << "data_dir = \"" << (dir_ / "data").string() << "\"\n"
                               << "[metadata]\ninstitution = \"Test Library\"\nlicense = \"PD-old-70\"\n"
                               << "[commons]\napi_url = \"" << (api_url.empty() ? wiki.api_url : api_url)
                               << "\"\ncredentials_file = \"" << credentials.string() << "\"\nupload = \"" << upload
                               << "\"\n"
                               << more_config;
    }

    testing::CommandResult run(std::vector<std::string> args) const
    {
        args.insert(args.begin(), {"--config", config_.string()});
        return testing::run_digikit(args);
    }

    // A new book with complete metadata and `photos` imported (one page each); returns its id.
    std::string book_with_pages(const std::string& title, int photos)
    {
        const auto created = run({"book", "new", "--title", title, "--author", "Jane Example", "--year", "1887"});
        EXPECT_EQ(created.exit_code, 0) << created.err;
        const std::string id = created.out.substr(0, created.out.find('\n'));
        std::vector<std::string> add{"book", "add", id};
        for (int i = 0; i < photos; ++i) {
            const auto photo = dir_ / ("photo" + std::to_string(i) + ".jpg");
            write_photo(photo, static_cast<std::uint64_t>(::getpid()) * 100 + static_cast<std::uint64_t>(i));
            add.push_back(photo.string());
        }
        const auto added = run(add);
        EXPECT_EQ(added.exit_code, 0) << added.err;
        return id;
    }

    [[nodiscard]] json queue() const { return json::parse(run({"queue", "--json"}).out); }
    [[nodiscard]] const std::filesystem::path& config() const { return config_; }
    [[nodiscard]] const testing::TempDir& dir() const { return dir_; }

private:
    static void write_photo(const std::filesystem::path& path, std::uint64_t seed)
    {
        capture::PagePhotoSpec spec;
        spec.seed = seed;
        spec.width = 720;
        spec.height = 480;
        const auto bytes = capture::encode_camera_jpeg(capture::render_page_photo(spec).bgr);
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }

    testing::TempDir dir_;
    std::filesystem::path config_ = dir_ / "kit.toml";
};

// The tags exiftool (an independent reader) finds in a file, keyed "Group:Tag".
json exiftool_tags(const std::filesystem::path& file)
{
    const std::string command = "exiftool -j -G1 -a '" + file.string() + "' 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    std::string output;
    std::array<char, 4096> buffer{};
    while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
        output.append(buffer.data(), n);
    return json::parse(output).at(0);
}

// Licence, author and title as a reader of the file finds them in XMP and EXIF.
void expect_book_metadata(const std::filesystem::path& file, const std::string& title)
{
    const auto tags = exiftool_tags(file);
    EXPECT_EQ(tags.value("XMP-dc:Title", ""), title) << file;
    EXPECT_EQ(tags.value("XMP-dc:Creator", ""), "Jane Example") << file;
    EXPECT_EQ(tags.value("IFD0:Artist", ""), "Jane Example") << file;
    EXPECT_NE(tags.value("XMP-xmpRights:UsageTerms", "").find("Public domain"), std::string::npos) << file;
    EXPECT_EQ(tags.value("IFD0:Copyright", ""), "Public domain (PD-old-70)") << file;
}

TEST(Publish, BothFilesOfEveryPageReachTheWikiAndLinkToEachOther)
{
    PublishingKit kit("both");
    const std::string title = "Both Formats " + std::to_string(::getpid());
    const std::string id = kit.book_with_pages(title, 3);
    const auto closed = kit.run({"book", "close", id});
    ASSERT_EQ(closed.exit_code, 0) << closed.err;
    EXPECT_NE(closed.out.find("6 file(s) queued"), std::string::npos) << closed.out;

    const auto synced = kit.run({"sync", "--once"});
    EXPECT_EQ(synced.exit_code, 0) << synced.out << synced.err;
    EXPECT_NE(synced.out.find("6 published, 0 already on the wiki, 0 failed"), std::string::npos) << synced.out;

    const auto items = kit.queue();
    ASSERT_EQ(items.size(), 6U);
    uploader::CommonsClient wiki(uploader::testing::test_client_options());
    for (std::size_t page = 0; page < 3; ++page) {
        const auto& jpeg = items[2 * page];
        const auto& tiff = items[2 * page + 1];
        const std::string stem = title + " (1887) - page 000" + std::to_string(page + 1);
        EXPECT_EQ(jpeg["target"], stem + ".jpg");
        EXPECT_EQ(tiff["target"], stem + " (master).tif");
        for (const auto* item : {&jpeg, &tiff}) {
            ASSERT_EQ((*item)["state"], "published") << item->dump();
            EXPECT_EQ(wiki.files_with_sha1((*item)["sha1"].get<std::string>()).size(), 1U) << item->dump();
            expect_book_metadata((*item)["file"].get<std::string>(), title);
        }
        // Each description page links to the other file of the page.
        const auto jpeg_text = wiki.page_wikitext("File:" + jpeg["published_name"].get<std::string>());
        const auto tiff_text = wiki.page_wikitext("File:" + tiff["published_name"].get<std::string>());
        ASSERT_TRUE(jpeg_text && tiff_text);
        EXPECT_NE(jpeg_text->find("|Other versions = [[:File:" + stem + " (master).tif]]"), std::string::npos)
            << *jpeg_text;
        EXPECT_NE(tiff_text->find("|Other versions = [[:File:" + stem + ".jpg]]"), std::string::npos) << *tiff_text;
    }
}

TEST(Publish, MastersCarryTheMetadataWhenOnlyTheJpegIsUploaded)
{
    PublishingKit kit("jpeg");
    const std::string title = "Masters Too " + std::to_string(::getpid());
    const std::string id = kit.book_with_pages(title, 2);
    ASSERT_EQ(kit.run({"book", "close", id}).exit_code, 0);
    const auto items = kit.queue();
    ASSERT_EQ(items.size(), 2U);
    const auto pages = kit.dir() / "data" / "books" / id / "pages";
    int masters = 0;
    for (const auto& entry : std::filesystem::directory_iterator(pages)) {
        if (entry.path().extension() != ".tif") continue;
        ++masters;
        expect_book_metadata(entry.path(), title);
    }
    EXPECT_EQ(masters, 2);
}

// The coordinator fixes the title after End book, when one file is on the wiki already
// (page 1's JPEG): the files not yet uploaded go out under the new names, with the new
// description and the new title embedded, page 1's master linking the JPEG under the name
// it has; the uploaded one is left as the wiki has it, and named.
TEST(Publish, MetadataChangedAfterEndBookReachesTheWiki)
{
    PublishingKit kit("both");
    const std::string old_title = "Late Metadata " + std::to_string(::getpid());
    const std::string new_title = "Corrected Title " + std::to_string(::getpid());
    const std::string id = kit.book_with_pages(old_title, 2);
    ASSERT_EQ(kit.run({"book", "close", id}).exit_code, 0);
    auto items = kit.queue();
    ASSERT_EQ(items.size(), 4U);  // page 1 JPEG, TIFF; page 2 JPEG, TIFF
    std::vector<std::string> waiting_ids;
    for (std::size_t i = 1; i < 4; ++i) waiting_ids.push_back(std::to_string(items[i]["id"].get<int>()));
    // Only page 1's JPEG is uploaded: the others wait (dropped, then queued again).
    for (const auto& waiting : waiting_ids) ASSERT_EQ(kit.run({"queue", "drop", waiting}).exit_code, 0);
    ASSERT_EQ(kit.run({"sync", "--once"}).exit_code, 0);
    std::vector<std::string> retry{"queue", "retry"};
    retry.insert(retry.end(), waiting_ids.begin(), waiting_ids.end());
    ASSERT_EQ(kit.run(retry).exit_code, 0);
    const auto before = kit.queue();

    const auto set = kit.run({"book", "set", id, "title=" + new_title});
    ASSERT_EQ(set.exit_code, 0) << set.err;
    const std::string published = old_title + " (1887) - page 0001.jpg";
    EXPECT_EQ(set.out, "updated book " + id +
                           "; 3 queued file(s) updated (name, description, embedded metadata); 1 file(s) already on "
                           "the wiki not changed (edit their pages there): File:" +
                           published + "\n");

    items = kit.queue();
    EXPECT_EQ(items[0]["state"], "published");
    EXPECT_EQ(items[0]["target"], published);
    expect_book_metadata(items[0]["file"].get<std::string>(), old_title);  // as the wiki has it
    const std::vector<std::string> targets{new_title + " (1887) - page 0001 (master).tif",
                                           new_title + " (1887) - page 0002.jpg",
                                           new_title + " (1887) - page 0002 (master).tif"};
    for (std::size_t i = 1; i < 4; ++i) {
        const auto& waiting = items[i];
        EXPECT_EQ(waiting["state"], "queued");
        EXPECT_EQ(waiting["target"], targets[i - 1]);
        EXPECT_NE(waiting["description"].get<std::string>().find("|Title = " + new_title), std::string::npos);
        EXPECT_NE(waiting["sha1"], before[i]["sha1"]);
        EXPECT_EQ(waiting["sha1"], uploader::file_sha1(waiting["file"].get<std::string>()));
        expect_book_metadata(waiting["file"].get<std::string>(), new_title);
    }
    EXPECT_NE(items[1]["description"].get<std::string>().find("|Other versions = [[:File:" + published + "]]"),
              std::string::npos)
        << items[1]["description"];

    // A queued file needs a complete description page: clearing the licence is refused
    // while one waits, and nothing changes.
    const auto cleared = kit.run({"book", "set", id, "license="});
    EXPECT_EQ(cleared.exit_code, 1);
    EXPECT_NE(cleared.err.find("missing: license"), std::string::npos) << cleared.err;
    EXPECT_EQ(json::parse(kit.run({"book", "show", id, "--json"}).out)["metadata"]["license"], "PD-old-70");
    EXPECT_EQ(kit.queue(), items);

    const auto synced = kit.run({"sync", "--once"});
    EXPECT_EQ(synced.exit_code, 0) << synced.out << synced.err;
    EXPECT_NE(synced.out.find("3 published, 0 already on the wiki, 0 failed"), std::string::npos) << synced.out;
    uploader::CommonsClient wiki(uploader::testing::test_client_options());
    for (const auto& target : targets) {
        const auto text = wiki.page_wikitext("File:" + target);
        ASSERT_TRUE(text) << target;
        EXPECT_NE(text->find("|Title = " + new_title), std::string::npos) << *text;
    }
    for (const auto& item : kit.queue()) {
        EXPECT_EQ(wiki.files_with_sha1(item["sha1"].get<std::string>()).size(), 1U) << item.dump();
    }
}

// Issue 13: any number of `digikit sync` runs and the daemon's Sync button work one queue
// at once, each item claimed by one of them: every file is published once, none fails.
TEST(Publish, ThreeSyncsAndTheSyncButtonShareTheQueue)
{
    // Pages only: the daemon would build the closed book's file and queue it beside them.
    PublishingKit kit("both",
                      "book_file = \"none\"\n"
                      "[[device]]\ntype = \"sim\"\nrole = \"single\"\nwidth = 480\nheight = 360\n");
    const std::string id = kit.book_with_pages("Shared Queue " + std::to_string(::getpid()), 6);
    const auto closed = kit.run({"book", "close", id});
    ASSERT_NE(closed.out.find("12 file(s) queued"), std::string::npos) << closed.out << closed.err;

    testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", kit.config().string(), "run"},
                                      kit.dir() / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return kit.run({"status"}).exit_code == 0; }, std::chrono::seconds(30)));
    std::vector<testing::CommandResult> syncs(3);
    std::vector<std::thread> runs;
    for (auto& result : syncs) {
        runs.emplace_back([&kit, &result] { result = kit.run({"sync", "--once"}); });
    }
    const auto pressed = kit.run({"press", "sync"});
    EXPECT_EQ(pressed.exit_code, 0) << pressed.err;
    for (auto& run : runs) run.join();
    // Each run's summary line: "N published, M already on the wiki, 0 failed, 0 remaining".
    std::vector<std::string> summaries;
    for (const auto& result : syncs) {
        EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
        EXPECT_NE(result.out.find(" 0 failed, 0 remaining"), std::string::npos) << result.out;
        summaries.push_back(result.out.substr(0, result.out.find('\n')));
    }
    // The button's sync may still be finishing its last item.
    const auto settled = [&] {
        for (const auto& item : kit.queue()) {
            if (item["state"] != "published") return false;
        }
        return json::parse(kit.run({"status", "--json"}).out)["state"] == "idle";
    };
    ASSERT_TRUE(testing::wait_until(settled, std::chrono::seconds(120))) << kit.run({"queue"}).out;
    EXPECT_EQ(daemon.stop(SIGTERM), 0);

    uploader::CommonsClient wiki(uploader::testing::test_client_options());
    const auto items = kit.queue();
    ASSERT_EQ(items.size(), 12U);
    for (const auto& item : items) {
        EXPECT_EQ(item["state"], "published") << item.dump();
        EXPECT_EQ(item["attempts"], 0) << item.dump();
        EXPECT_EQ(wiki.files_with_sha1(item["sha1"].get<std::string>()).size(), 1U) << item.dump();
    }
    // The button's run ended without an error (the daemon logs its summary).
    std::ifstream log(kit.dir() / "daemon.log");
    for (std::string line; std::getline(log, line);) {
        if (line.find("sync") != std::string::npos) {
            EXPECT_EQ(line.find("[error]"), std::string::npos) << line;
        }
        if (line.find(" published, ") == std::string::npos) continue;
        EXPECT_NE(line.find(" 0 failed, 0 remaining"), std::string::npos) << line;
        summaries.push_back(line.substr(line.find("sync: ") + 6));
    }
    ASSERT_EQ(summaries.size(), 4U);
    // Every file was uploaded by exactly one run: none found another run's upload on the
    // wiki (as two runs taking the same file would).
    int published = 0;
    for (const auto& summary : summaries) {
        std::cout << "[ sync run ] " << summary << "\n";
        published += std::stoi(summary);
        EXPECT_NE(summary.find(" 0 already on the wiki"), std::string::npos) << summary;
    }
    EXPECT_EQ(published, 12);
}

// Issue 13: an api_url that is not the wiki's API (here a missing script on the test
// wiki's own server) stops even a looping `digikit sync` with one line; nothing fails.
TEST(Publish, AWrongApiUrlStopsTheSyncWithOneLineAndLeavesTheQueue)
{
    const std::string wrong = "http://127.0.0.1:" + std::to_string(uploader::testing::test_wiki().port) + "/w/api.php";
    PublishingKit kit("jpeg", "", wrong);
    const std::string id = kit.book_with_pages("Wrong Address " + std::to_string(::getpid()), 1);
    ASSERT_EQ(kit.run({"book", "close", id}).exit_code, 0);
    const auto synced = kit.run({"sync"});
    EXPECT_EQ(synced.exit_code, 1);
    EXPECT_EQ(synced.err, "digikit: sync stopped: the wiki at " + wrong +
                              " answered HTTP 404, not the MediaWiki API: check commons.api_url\n");
    const auto items = kit.queue();
    ASSERT_EQ(items.size(), 1U);
    EXPECT_EQ(items[0]["state"], "queued");
    EXPECT_EQ(items[0]["attempts"], 0);
}

// Issue 13: no secret in any error, log or output, whatever goes wrong with it.
TEST(Publish, NoSecretAppearsInAnyOutputOrLog)
{
    PublishingKit kit("jpeg", "[[device]]\ntype = \"sim\"\nrole = \"single\"\nwidth = 480\nheight = 360\n");
    const std::string id = kit.book_with_pages("Secrets Kept " + std::to_string(::getpid()), 1);
    ASSERT_EQ(kit.run({"book", "close", id}).exit_code, 0);
    const auto credentials = kit.dir() / "credentials.toml";
    const std::string wrong = "0123456789abcdefghijklmnopqrstuw";  // the shape of a bot password
    const auto write_credentials = [&](const std::string& password_line, mode_t mode) {
        std::ofstream(credentials) << "username = \"" << uploader::testing::test_wiki().username << "\"\n"
                                   << password_line << "\n";
        ::chmod(credentials.c_str(), mode);
    };
    std::string everything;
    const auto run = [&](const std::vector<std::string>& args) {
        const auto result = kit.run(args);
        everything += result.out + result.err;
        return result;
    };

    write_credentials("password = \"" + wrong + "\"", 0600);
    const auto refused = run({"sync", "--once"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("login as"), std::string::npos) << refused.err;
    const std::string item = std::to_string(kit.queue()[0]["id"].get<int>());
    run({"queue"});
    run({"queue", "--json"});
    run({"queue", "show", item});
    run({"sync", "--dry-run"});
    {
        testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", kit.config().string(), "run"},
                                          kit.dir() / "daemon.log");
        ASSERT_TRUE(testing::wait_until([&] { return kit.run({"status"}).exit_code == 0; }, std::chrono::seconds(30)));
        run({"press", "sync"});
        ASSERT_TRUE(testing::wait_until(
            [&] {
                return json::parse(kit.run({"status", "--json"}).out)["state"] != "syncing";
            },
            std::chrono::seconds(60)));
        everything += run({"status", "--json"}).out;
        daemon.stop(SIGTERM);
    }
    const std::string daemon_log = base::read_file(kit.dir() / "daemon.log");
    EXPECT_NE(daemon_log.find("login as"), std::string::npos) << daemon_log;  // the reason is there...
    everything += daemon_log;

    // ...as it is for a file others may read, and for an unquoted all-digit password.
    write_credentials("password = \"" + wrong + "\"", 0644);
    EXPECT_NE(run({"sync", "--once"}).err.find("chmod 600 " + credentials.string()), std::string::npos);
    const std::string digits = "73914027581936402718364059172836";
    write_credentials("password = " + digits, 0600);
    EXPECT_EQ(run({"sync", "--once"}).exit_code, 1);

    for (const auto& secret : {wrong, digits, uploader::testing::test_wiki().password}) {
        EXPECT_EQ(everything.find(secret), std::string::npos) << secret << " in:\n" << everything;
    }
    EXPECT_EQ(everything.find(digits.substr(0, 12)), std::string::npos);
    EXPECT_EQ(kit.queue()[0]["state"], "queued");  // nothing was lost on the way
}

}  // namespace
}  // namespace digikit::firmware
