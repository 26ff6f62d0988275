// Photos from outside (a camera card, a folder) as a coordinator brings them: `book add`
// takes only photos it can read, `process` never writes over an input, and files made to
// exhaust memory are refused from their header.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "command.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "hostile_photos.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;
using testing::run_digikit;

void write_photo(const std::filesystem::path& path, std::uint64_t seed, int width = 900, int height = 600)
{
    capture::PagePhotoSpec spec;
    spec.seed = seed;
    spec.width = width;
    spec.height = height;
    const auto bytes = capture::encode_camera_jpeg(capture::render_page_photo(spec).bgr);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A real photo cut in the middle of its scan data, the end marker put back: OpenCV
// decodes it to a page that is grey from the cut down.
void write_cut_photo(const std::filesystem::path& path)
{
    write_photo(path, 9);
    std::string bytes = base::read_file(path);
    bytes.resize(bytes.size() / 2);
    bytes += "\xFF\xD9";
    std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::size_t atomic_temporaries_in(const std::filesystem::path& dir)
{
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) count += base::is_atomic_temporary(entry.path());
    return count;
}

class PhotoImport : public ::testing::Test {
protected:
    testing::CommandResult digikit(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--data", data_.string()});
        return run_digikit(args);
    }

    nlohmann::json book(const std::string& id)
    {
        return nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out);
    }

    testing::TempDir dir_;
    std::filesystem::path data_ = dir_ / "data";
};

TEST_F(PhotoImport, BookAddImportsNothingWhenOnePhotoCannotBeRead)
{
    const auto created = digikit({"book", "new", "--title", "Card"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.find('\n'));
    write_photo(dir_ / "IMG_0001.jpg", 1);
    write_cut_photo(dir_ / "IMG_0002.jpg");
    write_photo(dir_ / "IMG_0003.jpg", 3);
    testing::write_jpeg_claiming(dir_ / "IMG_0004.jpg", 14000, 14000);
    testing::write_tiff_bomb(dir_ / "scan.tif");
    std::ofstream(dir_ / "IMG_0005.jpg") << "a text file named like a photo\n";
    std::vector<std::string> add{"book", "add", id};
    for (const char* name :
         {"IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg", "scan.tif", "IMG_0005.jpg"})
        add.push_back((dir_ / name).string());

    const auto refused = digikit(add);
    EXPECT_EQ(refused.exit_code, 1);
    const auto errors = lines_of(refused.err);
    ASSERT_EQ(errors.size(), 5U) << refused.err;  // one line per bad photo, then the verdict
    EXPECT_NE(errors[0].find("corrupt JPEG"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("IMG_0002.jpg"), std::string::npos) << errors[0];
    EXPECT_NE(errors[1].find("corrupt JPEG"), std::string::npos) << errors[1];
    EXPECT_NE(errors[2].find("image too large (30000x30000, over 200 MP)"), std::string::npos) << errors[2];
    EXPECT_NE(errors[3].find("not a JPEG, PNG, TIFF or WebP photo"), std::string::npos) << errors[3];
    EXPECT_EQ(errors[4],
              "digikit: 4 of 6 photo(s) cannot be read; nothing was imported (--skip-bad imports the others)");
    EXPECT_EQ(book(id)["captures"], 0);
    EXPECT_TRUE(std::filesystem::is_empty(data_ / "books" / id / "raw"));

    add.emplace_back("--skip-bad");
    const auto skipped = digikit(add);
    EXPECT_EQ(skipped.exit_code, 0) << skipped.err;
    EXPECT_NE(skipped.out.find("imported 2 photo(s) into book " + id + ", skipped 4 that cannot be read"),
              std::string::npos)
        << skipped.out;
    const auto skipped_lines = lines_of(skipped.err);
    EXPECT_EQ(std::count_if(skipped_lines.begin(), skipped_lines.end(),
                            [](const std::string& line) { return line.rfind("digikit: skipped ", 0) == 0; }),
              4)
        << skipped.err;
    const auto shown = book(id);
    EXPECT_EQ(shown["captures"], 2);
    EXPECT_EQ(shown["pages"], 2);  // single-page photos

    const auto none = digikit({"book", "add", id, (dir_ / "IMG_0005.jpg").string(), "--skip-bad"});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_EQ(lines_of(none.err).back(), "digikit: no photo could be read; nothing was imported");
    EXPECT_EQ(book(id)["captures"], 2);
}

// Photos from a camera mounted sideways: `book add` takes --view and --rotate as `process`
// does, and the shot keeps them (a reprocess turns the page the same way).
TEST_F(PhotoImport, BookAddTakesTheViewAndTheMounting)
{
    const auto created = digikit({"book", "new", "--title", "Sideways"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.find('\n'));
    write_photo(dir_ / "IMG_0001.jpg", 3);
    const auto page_size = [&] {
        const auto access = data_ / "books" / id / "pages" / "0001_single_1.jpg";
        const cv::Mat page = cv::imread(access.string());
        EXPECT_FALSE(page.empty()) << access;
        return page.size();
    };

    const auto bad_rotate = digikit({"book", "add", id, (dir_ / "IMG_0001.jpg").string(), "--rotate", "45"});
    EXPECT_EQ(bad_rotate.exit_code, 2);
    EXPECT_NE(bad_rotate.err.find("--rotate"), std::string::npos) << bad_rotate.err;
    EXPECT_EQ(book(id)["captures"], 0);

    const auto added =
        digikit({"book", "add", id, (dir_ / "IMG_0001.jpg").string(), "--view", "single", "--rotate", "90"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const cv::Size turned = page_size();
    EXPECT_GT(turned.width, turned.height);  // the upright page "turned" 90 degrees lies on its side

    const auto reprocessed = digikit({"book", "reprocess", id, "0001_single"});
    ASSERT_EQ(reprocessed.exit_code, 0) << reprocessed.err;
    EXPECT_EQ(page_size(), turned);
}

TEST_F(PhotoImport, ProcessIntoTheInputsOwnFolderNeverReplacesAnInput)
{
    const auto in = dir_ / "card";
    std::filesystem::create_directories(in);
    write_photo(in / "X.jpg", 1);
    write_photo(in / "X_1.jpg", 2);    // where X.jpg's first access copy would go
    write_photo(in / "x-2_1.JPG", 3);  // and where the next name would go, on a card without case
    const std::string x = base::read_file(in / "X.jpg");
    const std::string x_1 = base::read_file(in / "X_1.jpg");
    const std::string x_2 = base::read_file(in / "x-2_1.JPG");

    const auto result = run_digikit(
        {"process", in.string(), "--out", in.string(), "--report", (in / "report.json").string(), "--threads", "2"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(base::read_file(in / "X.jpg"), x);
    EXPECT_EQ(base::read_file(in / "X_1.jpg"), x_1);
    EXPECT_EQ(base::read_file(in / "x-2_1.JPG"), x_2);
    const auto report = nlohmann::json::parse(base::read_file(in / "report.json"));
    ASSERT_EQ(report["images"].size(), 3U);
    std::set<std::string> outputs;
    for (const auto& image : report["images"]) {
        EXPECT_TRUE(image["error"].is_null()) << image.dump();
        for (const auto& page : image["pages"]) {
            for (const char* kind : {"master", "access"}) {
                const std::string output = page[kind];
                EXPECT_TRUE(outputs.insert(output).second) << output << " written twice";
                EXPECT_TRUE(std::filesystem::exists(output)) << output;
            }
        }
    }
    const auto access_of = [&](std::size_t i) {
        return std::filesystem::path(report["images"][i]["pages"][0]["access"].get<std::string>()).filename();
    };
    EXPECT_EQ(report["images"][0]["input"], (in / "X.jpg").string());
    EXPECT_EQ(access_of(0), "X-3_1.jpg");
    EXPECT_EQ(access_of(1), "X_1_1.jpg");
    EXPECT_EQ(access_of(2), "x-2_1_1.jpg");
}

TEST_F(PhotoImport, ProcessNeverWritesItsReportOverAPhoto)
{
    write_photo(dir_ / "IMG_0001.jpg", 1);
    write_photo(dir_ / "IMG_0002.jpg", 2);
    const std::string photo = base::read_file(dir_ / "IMG_0002.jpg");
    for (const auto& report : {dir_ / "IMG_0001.jpg", dir_ / "IMG_0002.jpg", dir_ / "page.tif", dir_ / "out"}) {
        std::filesystem::create_directories(dir_ / "out");
        const auto result = run_digikit({"process", (dir_ / "IMG_0001.jpg").string(), "--out", (dir_ / "out").string(),
                                         "--report", report.string()});
        EXPECT_EQ(result.exit_code, 1) << report;
        EXPECT_EQ(lines_of(result.err).size(), 1U) << result.err;
        EXPECT_NE(result.err.find("--report " + report.string()), std::string::npos) << result.err;
    }
    EXPECT_EQ(base::read_file(dir_ / "IMG_0002.jpg"), photo);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "page.tif"));
}

TEST_F(PhotoImport, AMissingOrUnreadableInputHasItsOwnErrorAndTheRunGoesOn)
{
    write_photo(dir_ / "IMG_0001.jpg", 1);
    write_photo(dir_ / "IMG_0003.jpg", 3);
    write_photo(dir_ / "locked.jpg", 4);
    std::filesystem::permissions(dir_ / "locked.jpg", std::filesystem::perms::none);
    const bool root_reads_anyway = std::ifstream(dir_ / "locked.jpg").good();
    const auto result = run_digikit({"process", (dir_ / "IMG_0001.jpg").string(), (dir_ / "IMG_0002.jpg").string(),
                                     (dir_ / "locked.jpg").string(), (dir_ / "IMG_0003.jpg").string(), "--out",
                                     (dir_ / "out").string(), "--report", (dir_ / "report.json").string()});
    EXPECT_EQ(result.exit_code, 1);
    const auto report = nlohmann::json::parse(base::read_file(dir_ / "report.json"));
    ASSERT_EQ(report["images"].size(), 4U);
    EXPECT_EQ(report["images"][0]["pages"].size(), 1U);
    EXPECT_NE(report["images"][1]["error"].get<std::string>().find("no such file"), std::string::npos);
    if (!root_reads_anyway) {  // root reads a 0000 file all the same: then it is simply processed
        EXPECT_NE(report["images"][2]["error"].get<std::string>().find("cannot read"), std::string::npos);
    }
    EXPECT_EQ(report["images"][3]["pages"].size(), 1U);
    EXPECT_NE(result.err.find("IMG_0002.jpg: error: no such file"), std::string::npos) << result.err;
}

// A killed run leaves temporary files behind (write, fsync, rename is interrupted); the
// next run into the same folder removes its own, and only its own.
TEST_F(PhotoImport, AKilledProcessLeavesNoTemporaryFileThatTheNextRunKeeps)
{
    std::filesystem::create_directories(dir_ / "in");
    for (int i = 1; i <= 6; ++i)
        write_photo(dir_ / "in" / ("IMG_000" + std::to_string(i) + ".jpg"), static_cast<std::uint64_t>(i), 2400, 1600);
    const std::vector<std::string> args{testing::digikit_binary(), "process",  (dir_ / "in").string(),         "--out",
                                        (dir_ / "out").string(),   "--report", (dir_ / "report.json").string()};
    {
        testing::BackgroundProcess run(args, dir_ / "first.log");
        ASSERT_TRUE(testing::wait_until([&] { return std::filesystem::exists(dir_ / "out"); }, 60s));
        ASSERT_TRUE(testing::wait_until(
            [&] {
                for (const auto& entry : std::filesystem::directory_iterator(dir_ / "out")) {
                    if (entry.path().extension() == ".tif" || base::is_atomic_temporary(entry.path())) return true;
                }
                return false;
            },
            120s));
        run.stop(SIGKILL);
    }
    // What a kill in the middle of a write leaves (the kill above may have come between two).
    std::ofstream(dir_ / "out" / ".IMG_0004_1.tif.tmp-Ab12Cd") << "half a TIFF";
    std::ofstream(dir_ / "out" / ".IMG_0006_2.jpg.tmp-Zz99Yy") << "half a JPEG";
    std::ofstream(dir_ / ".report.json.tmp-Qq11Ww") << "{\"images\": [";
    std::ofstream(dir_ / "out" / ".notes.txt.tmp-Ee55Rr") << "someone else's";

    const auto again = run_digikit(std::vector<std::string>(args.begin() + 1, args.end()));
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(atomic_temporaries_in(dir_ / "out"), 1U);
    EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / ".notes.txt.tmp-Ee55Rr"));
    EXPECT_EQ(atomic_temporaries_in(dir_.path()), 0U);
    EXPECT_EQ(nlohmann::json::parse(base::read_file(dir_ / "report.json"))["images"].size(), 6U);
}

// Before: the TIFF was decoded whole (2.7 GB), the WebP took 980 MB, and the JPEG came out
// as a grey 14000 x 14000 page with exit status 0.
TEST_F(PhotoImport, ABatchWithDecompressionBombsStaysWithinTheMemoryTarget)
{
    const auto in = dir_ / "in";
    std::filesystem::create_directories(in);
    write_photo(in / "a_page.jpg", 1, 1600, 1200);
    testing::write_tiff_bomb(in / "b_bomb.tif");
    testing::write_webp_bomb(in / "c_bomb.webp");
    testing::write_jpeg_claiming(in / "d_claims.jpg", 14000, 14000);
    write_photo(in / "e_page.jpg", 2, 1600, 1200);
    const auto result = run_digikit({"process", in.string(), "--out", (dir_ / "out").string(), "--report",
                                     (dir_ / "report.json").string(), "--threads", "2"});
    EXPECT_EQ(result.exit_code, 1);
    std::cout << "peak RSS of `digikit process` with three bombs among two pages: " << result.peak_rss_kb / 1024
              << " MB\n";
    EXPECT_LT(result.peak_rss_kb, 350 * 1024);
    const auto report = nlohmann::json::parse(base::read_file(dir_ / "report.json"));
    ASSERT_EQ(report["images"].size(), 5U);
    EXPECT_EQ(report["images"][0]["pages"].size(), 1U);
    EXPECT_NE(report["images"][1]["error"].get<std::string>().find("too large (30000x30000"), std::string::npos);
    EXPECT_NE(report["images"][2]["error"].get<std::string>().find("too large (16383x16383"), std::string::npos);
    EXPECT_NE(report["images"][3]["error"].get<std::string>().find("corrupt JPEG"), std::string::npos);
    EXPECT_EQ(report["images"][4]["pages"].size(), 1U);
}

}  // namespace
}  // namespace digikit::firmware
