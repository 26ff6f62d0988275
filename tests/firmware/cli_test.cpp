// The command line as a user meets it: the real binary, its exit codes and messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "command.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/uploader/upload_queue.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using testing::run_digikit;

std::string only_line(const std::string& text)
{
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    return text;
}

TEST(Cli, EverySubcommandHasHelp)
{
    const std::vector<std::vector<std::string>> commands{{"run"},
                                                         {"press"},
                                                         {"status"},
                                                         {"devices"},
                                                         {"capture"},
                                                         {"book"},
                                                         {"book", "new"},
                                                         {"book", "list"},
                                                         {"book", "show"},
                                                         {"book", "set"},
                                                         {"book", "close"},
                                                         {"book", "add"},
                                                         {"book", "reprocess"},
                                                         {"book", "drop-shot"},
                                                         {"process"},
                                                         {"queue"},
                                                         {"queue", "retry"},
                                                         {"queue", "drop"},
                                                         {"sync"},
                                                         {"doctor"},
                                                         {"queue", "show"}};
    for (auto args : commands) {
        args.push_back("--help");
        const auto result = run_digikit(args);
        EXPECT_EQ(result.exit_code, 0) << args[0];
        EXPECT_NE(result.out.find("Usage"), std::string::npos) << args[0] << ": " << result.out;
    }
}

TEST(Cli, UsageErrorsExitWithTwo)
{
    EXPECT_EQ(run_digikit({}).exit_code, 2);
    EXPECT_EQ(run_digikit({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(run_digikit({"press", "shutter"}).exit_code, 2);
    const auto result = run_digikit({"book", "new"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(only_line(result.err).find("--title"), std::string::npos) << result.err;
}

TEST(Cli, QueueRetryCanAcceptTheWikisWarning)
{
    testing::TempDir dir;
    const std::string data = dir.path().string();
    std::ofstream(dir / "page.jpg") << "not really a photo, but a durable file";
    std::int64_t id = 0;
    {
        uploader::UploadQueue queue(dir / "digikit.sqlite");
        id = queue.enqueue(dir / "page.jpg", "Page 1.jpg", "{{Information}}").id;
        queue.mark_failed(id, "was-deleted: a file named Page 1.jpg was deleted from the wiki");
    }
    const auto unknown =
        run_digikit({"--data", data, "queue", "retry", std::to_string(id), "--accept-warning", "oops"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(only_line(unknown.err).find("oops"), std::string::npos) << unknown.err;

    const auto retried =
        run_digikit({"--data", data, "queue", "retry", std::to_string(id), "--accept-warning", "was-deleted"});
    EXPECT_EQ(retried.exit_code, 0) << retried.err;
    EXPECT_NE(retried.out.find("accepting the wiki's warning was-deleted"), std::string::npos) << retried.out;
    const auto item = nlohmann::json::parse(run_digikit({"--data", data, "queue", "--json"}).out).at(0);
    EXPECT_EQ(item["state"], "queued");
    EXPECT_EQ(item["accepted_warnings"], nlohmann::json::array({"was-deleted"}));
}

TEST(Cli, QueueShowsWhatWillBePublishedAndRetriesManyAtOnce)
{
    testing::TempDir dir;
    const std::string data = dir.path().string();
    std::vector<std::int64_t> ids;
    {
        uploader::UploadQueue queue(dir / "digikit.sqlite");
        for (int i = 1; i <= 4; ++i) {
            const auto file = dir / ("page" + std::to_string(i) + ".jpg");
            std::ofstream(file) << "page " << i;
            ids.push_back(queue
                              .enqueue(file, "Page " + std::to_string(i) + ".jpg",
                                       "{{Book\n |Title = Page " + std::to_string(i) + "\n}}\n")
                              .id);
        }
        for (const auto id : {ids[0], ids[1], ids[2]}) queue.mark_failed(id, "exists: File:Page.jpg already exists");
    }
    const auto shown = run_digikit({"--data", data, "queue", "show", std::to_string(ids[3])});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_EQ(shown.out, "item " + std::to_string(ids[3]) +
                             ": queued\n  target: File:Page 4.jpg\n  file: " + (dir / "page4.jpg").string() +
                             " (6 bytes, SHA-1 " + uploader::file_sha1(dir / "page4.jpg") +
                             ")\n  description:\n{{Book\n |Title = Page 4\n}}\n");
    const auto shown_json =
        nlohmann::json::parse(run_digikit({"--data", data, "queue", "show", std::to_string(ids[0]), "--json"}).out);
    EXPECT_EQ(shown_json["state"], "failed");
    EXPECT_EQ(shown_json["description"], "{{Book\n |Title = Page 1\n}}\n");
    const auto listed = nlohmann::json::parse(run_digikit({"--data", data, "queue", "--json"}).out);
    ASSERT_EQ(listed.size(), 4U);
    EXPECT_EQ(listed[2]["description"], "{{Book\n |Title = Page 3\n}}\n");
    const auto missing = run_digikit({"--data", data, "queue", "show", "99"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(only_line(missing.err).find("99"), std::string::npos);

    // All or none: item 4 is still queued, so nothing is retried.
    const auto refused =
        run_digikit({"--data", data, "queue", "retry", std::to_string(ids[0]), std::to_string(ids[3])});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(only_line(refused.err).find("it is queued"), std::string::npos) << refused.err;
    const auto state = [&](std::size_t i) {
        return nlohmann::json::parse(run_digikit({"--data", data, "queue", "--json"}).out)[i]["state"];
    };
    EXPECT_EQ(state(0), "failed");

    const auto two = run_digikit({"--data", data, "queue", "retry", std::to_string(ids[0]), std::to_string(ids[1]),
                                  "--accept-warning", "exists"});
    EXPECT_EQ(two.exit_code, 0) << two.err;
    EXPECT_EQ(two.out, "queue items " + std::to_string(ids[0]) + ", " + std::to_string(ids[1]) +
                           " will be uploaded again, accepting the wiki's warning exists\n");
    EXPECT_EQ(state(0), "queued");
    EXPECT_EQ(state(1), "queued");
    EXPECT_EQ(state(2), "failed");
    const auto all_failed = run_digikit({"--data", data, "queue", "retry", "--failed"});
    EXPECT_EQ(all_failed.exit_code, 0) << all_failed.err;
    EXPECT_EQ(all_failed.out, "queue item " + std::to_string(ids[2]) + " will be uploaded again\n");
    EXPECT_EQ(state(2), "queued");
    EXPECT_EQ(run_digikit({"--data", data, "queue", "retry", "--failed"}).out, "no failed items to retry\n");

    EXPECT_EQ(run_digikit({"--data", data, "queue", "retry"}).exit_code, 2);
    EXPECT_EQ(run_digikit({"--data", data, "queue", "retry", "--failed", "3"}).exit_code, 2);
}

TEST(Cli, QueueAndSyncOnAnEmptyKit)
{
    testing::TempDir dir;
    const std::string data = dir.path().string();
    const auto empty = run_digikit({"--data", data, "queue"});
    EXPECT_EQ(empty.exit_code, 0) << empty.err;
    EXPECT_EQ(empty.out, "the upload queue is empty\n");
    EXPECT_EQ(nlohmann::json::parse(run_digikit({"--data", data, "queue", "--json"}).out), nlohmann::json::array());

    const auto bad_id = run_digikit({"--data", data, "queue", "retry", "abc"});
    EXPECT_EQ(bad_id.exit_code, 1);
    EXPECT_NE(only_line(bad_id.err).find("'abc' is not a queue item id"), std::string::npos) << bad_id.err;
    const auto no_item = run_digikit({"--data", data, "queue", "drop", "42"});
    EXPECT_EQ(no_item.exit_code, 1);
    EXPECT_NE(only_line(no_item.err).find("42"), std::string::npos) << no_item.err;

    const auto dry = run_digikit({"--data", data, "sync", "--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << dry.err;
    std::ofstream(dir / "kit.toml") << "[commons]\ncredentials_file = \"" << (dir / "none.toml").string() << "\"\n";
    const auto no_credentials =
        run_digikit({"--config", (dir / "kit.toml").string(), "--data", data, "sync", "--once"});
    EXPECT_EQ(no_credentials.exit_code, 1);
    EXPECT_NE(only_line(no_credentials.err).find("none.toml"), std::string::npos) << no_credentials.err;
}

TEST(Cli, BadConfigFileIsOneClearLine)
{
    testing::TempDir dir;
    std::ofstream(dir / "bad.toml") << "[imaging]\nsplit = \"sometimes\"\n";
    const auto result = run_digikit({"--config", (dir / "bad.toml").string(), "book", "list"});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.err, "digikit: " + (dir / "bad.toml").string() +
                              ":2: imaging.split: expected one of always, auto, never, got \"sometimes\"\n");
    const auto missing = run_digikit({"--config", (dir / "none.toml").string(), "book", "list"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(only_line(missing.err).find("none.toml"), std::string::npos);
}

TEST(Cli, BookLifecycle)
{
    testing::TempDir dir;
    const std::string data = dir.path().string();
    const auto created = run_digikit({"--data", data, "book", "new", "--title", "Flora Danica", "--author",
                                      "Georg Oeder", "--year", "1761", "--category", "Flora Danica"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.find('\n'));
    EXPECT_TRUE(std::filesystem::exists(dir / "books" / id / "book.toml"));

    ASSERT_EQ(run_digikit({"--data", data, "book", "set", id, "title=Flora Danica, vol. 1", "language=la"}).exit_code,
              0);
    const auto shown = run_digikit({"--data", data, "book", "show", id, "--json"});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    const auto book = nlohmann::json::parse(shown.out);
    EXPECT_EQ(book["metadata"]["title"], "Flora Danica, vol. 1");
    EXPECT_EQ(book["metadata"]["language"], "la");
    EXPECT_EQ(book["metadata"]["authors"], nlohmann::json::array({"Georg Oeder"}));
    EXPECT_EQ(book["state"], "new");

    // The Wikisource Index page names the book file Commons will hold (DjVu by default).
    const auto index = run_digikit({"--data", data, "book", "show", id, "--index"});
    ASSERT_EQ(index.exit_code, 0) << index.err;
    EXPECT_NE(index.out.find("[[commons:File:Flora Danica, vol. 1 (1761).djvu]]"), std::string::npos) << index.out;
    EXPECT_NE(index.err.find("Index:Flora Danica, vol. 1 (1761).djvu"), std::string::npos) << index.err;

    const auto bad = run_digikit({"--data", data, "book", "set", id, "title=Other", "colour=red"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(only_line(bad.err).find("colour"), std::string::npos) << bad.err;
    const auto unchanged = nlohmann::json::parse(run_digikit({"--data", data, "book", "show", id, "--json"}).out);
    EXPECT_EQ(unchanged["metadata"]["title"], "Flora Danica, vol. 1");  // all or nothing

    const auto list = nlohmann::json::parse(run_digikit({"--data", data, "book", "list", "--json"}).out);
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0]["id"], id);

    // Ended, but not closed until the metadata is complete: then it closes at once.
    const auto ended = run_digikit({"--data", data, "book", "close", id});
    EXPECT_EQ(ended.exit_code, 0) << ended.err;
    EXPECT_NE(ended.out.find("closing: metadata missing (institution"), std::string::npos) << ended.out;
    const auto completed = run_digikit({"--data", data, "book", "set", id, "institution=Test Library"});
    EXPECT_EQ(completed.exit_code, 0) << completed.err;
    EXPECT_EQ(completed.out, "updated book " + id + "; book closed, 0 page(s) queued for upload\n");
    EXPECT_EQ(run_digikit({"--data", data, "book", "close", id}).exit_code, 1);
    const auto unknown = run_digikit({"--data", data, "book", "show", "20000101-999"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(only_line(unknown.err).find("no book"), std::string::npos);
}

void write_photo(const std::filesystem::path& path, std::uint64_t seed)
{
    capture::PagePhotoSpec spec;
    spec.seed = seed;
    spec.width = 900;
    spec.height = 600;
    const auto photo = capture::render_page_photo(spec);
    const auto bytes = capture::encode_camera_jpeg(photo.bgr);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(Cli, ProcessWritesPagesAndTheReport)
{
    testing::TempDir dir;
    std::filesystem::create_directories(dir / "in");
    write_photo(dir / "in" / "IMG_0001.jpg", 1);
    write_photo(dir / "in" / "IMG_0002.jpg", 2);
    std::ofstream(dir / "in" / "IMG_0003.jpg") << "not a photo";
    const auto result = run_digikit({"process", (dir / "in").string(), "--out", (dir / "out").string(), "--report",
                                     (dir / "report.json").string(), "--threads", "2"});
    EXPECT_EQ(result.exit_code, 1);  // one input was bad; the others still processed
    std::ifstream in(dir / "report.json");
    const auto report = nlohmann::json::parse(in);
    ASSERT_EQ(report["images"].size(), 3U);
    for (int i = 0; i < 2; ++i) {
        const auto& image = report["images"][static_cast<std::size_t>(i)];
        EXPECT_TRUE(image["error"].is_null());
        ASSERT_EQ(image["pages"].size(), 1U);
        const auto& page = image["pages"][0];
        EXPECT_EQ(page["quad"].size(), 4U);
        EXPECT_TRUE(std::filesystem::exists(page["master"].get<std::string>()));
        const cv::Mat access = cv::imread(page["access"].get<std::string>());
        EXPECT_EQ(access.cols, page["width"].get<int>());
        EXPECT_EQ(access.rows, page["height"].get<int>());
    }
    EXPECT_TRUE(report["images"][2]["error"].is_string());
    EXPECT_NE(result.err.find("IMG_0003.jpg"), std::string::npos);
}

// --rotate says how the camera was mounted: the photo turned that far clockwise stands
// upright, so an upright photo "turned" 90 degrees gives its page lying on its side.
TEST(Cli, ProcessTakesTheViewAndTheMounting)
{
    testing::TempDir dir;
    write_photo(dir / "IMG_0001.jpg", 3);
    const auto page_of = [&](const std::vector<std::string>& extra) {
        std::vector<std::string> args{"process",  (dir / "IMG_0001.jpg").string(), "--out", (dir / "out").string(),
                                      "--report", (dir / "report.json").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = run_digikit(args);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::ifstream in(dir / "report.json");
        const auto report = nlohmann::json::parse(in);
        return report["images"][0]["pages"].at(0);
    };
    const auto upright = page_of({"--view", "single"});
    EXPECT_LT(upright["width"].get<int>(), upright["height"].get<int>());
    const auto turned = page_of({"--view", "single", "--rotate", "90"});
    EXPECT_GT(turned["width"].get<int>(), turned["height"].get<int>());

    const auto bad_view = run_digikit({"process", (dir / "IMG_0001.jpg").string(), "--out", "x", "--view", "left"});
    EXPECT_EQ(bad_view.exit_code, 2);
    EXPECT_NE(only_line(bad_view.err).find("--view"), std::string::npos) << bad_view.err;
    const auto bad_rotate = run_digikit({"process", (dir / "IMG_0001.jpg").string(), "--out", "x", "--rotate", "45"});
    EXPECT_EQ(bad_rotate.exit_code, 2);
    EXPECT_NE(only_line(bad_rotate.err).find("--rotate"), std::string::npos) << bad_rotate.err;
}

// A cradle camera mounted upside down, its mounting not given: the page comes out upright
// (its first corner is the one the page reads from); given as 0, it is left as found.
TEST(Cli, ProcessTurnsAPageByItsPrintWhenAskedAndNotWithAMounting)
{
    const auto photos = std::filesystem::path(DIGIKIT_SOURCE_DIR) / ".." / "shared" / "real-photos";
    if (!std::filesystem::exists(photos / "bsw_IMG_0003.jpg")) {
        GTEST_SKIP() << "no real photos at " << photos << " (../shared beside the project)";
    }
    testing::TempDir dir;
    const auto first_corner = [&](const std::vector<std::string>& extra) {
        std::vector<std::string> args{
            "process",  (photos / "bsw_IMG_0003.jpg").string(), "--out",  (dir / "out").string(),
            "--report", (dir / "report.json").string(),         "--view", "right-page"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto result = run_digikit(args);
        EXPECT_EQ(result.exit_code, 0) << result.err;
        std::ifstream in(dir / "report.json");
        const auto page = nlohmann::json::parse(in)["images"][0]["pages"].at(0);
        return std::make_pair(cv::Point2d(page["quad"][0][0].get<double>(), page["quad"][0][1].get<double>()),
                              page["checks"]);
    };
    // truth.json: the page reads from (1372, 1757), near the photo's bottom right.
    const cv::Point2d reads_from(1372, 1757);
    const auto [turned, checks] = first_corner({"--turn-by-print"});
    EXPECT_LT(cv::norm(turned - reads_from), 50.0) << turned;
    EXPECT_EQ(checks["turned_deg"], 180);
    EXPECT_EQ(checks["turn_sure"], 1);
    const auto [as_found, unturned_checks] = first_corner({});
    EXPECT_GT(cv::norm(as_found - reads_from), 1000.0) << as_found;
    EXPECT_FALSE(unturned_checks.contains("turned_deg"));
    // A mounting given and a turn asked of the print contradict each other.
    testing::TempDir other;
    const auto both = run_digikit({"process", (photos / "bsw_IMG_0003.jpg").string(), "--out", (other / "out").string(),
                                   "--rotate", "90", "--turn-by-print"});
    EXPECT_EQ(both.exit_code, 2) << both.err;
    EXPECT_NE(both.err.find("--turn-by-print"), std::string::npos) << both.err;
    EXPECT_FALSE(std::filesystem::exists(other / "out"));
}

}  // namespace
}  // namespace digikit::firmware
