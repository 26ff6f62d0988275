// `digikit book export` killed at random, again and again: it resumes, never recognises
// a page twice, and ends with the file an uninterrupted export makes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <map>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <thread>

#include "book_pages.hpp"
#include "command.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "temp_dir.hpp"

namespace digikit::bookfile {
namespace {

using namespace std::chrono_literals;

// A kit data dir with one book of `count` imported page photos, processed.
std::string make_book(const std::filesystem::path& dir, int count)
{
    std::vector<std::string> add{"--data", (dir / "data").string(), "book", "add"};
    const auto id = digikit::testing::run_digikit({"--data", (dir / "data").string(), "book", "new", "--title",
                                                   "Killed Often", "--year", "1905", "--language", "en"});
    EXPECT_EQ(id.exit_code, 0) << id.err;
    const std::string book = id.out.substr(0, id.out.find('\n'));
    add.push_back(book);
    for (int n = 1; n <= count; ++n) {
        capture::PagePhotoSpec spec;
        spec.seed = static_cast<std::uint64_t>(100 + n);
        spec.width = 1000;
        spec.height = 750;
        spec.first_page_number = n;
        spec.words = true;
        const auto photo = dir / ("photo" + std::to_string(n) + ".jpg");
        cv::imwrite(photo.string(), capture::render_page_photo(spec).bgr);
        add.push_back(photo.string());
    }
    const auto added = digikit::testing::run_digikit(add);
    EXPECT_EQ(added.exit_code, 0) << added.err;
    return book;
}

std::map<std::string, ino_t> hocr_inodes(const std::filesystem::path& pages)
{
    std::map<std::string, ino_t> inodes;
    for (const auto& entry : std::filesystem::directory_iterator(pages)) {
        if (entry.path().extension() != ".hocr") continue;
        struct stat st {};
        if (::stat(entry.path().c_str(), &st) == 0) inodes[entry.path().filename().string()] = st.st_ino;
    }
    return inodes;
}

int count_lines(const std::string& log, const std::string& prefix)
{
    int count = 0;
    for (std::size_t at = log.find(prefix); at != std::string::npos; at = log.find(prefix, at + 1)) ++count;
    return count;
}

// What an export has made so far: pages recognised (hOCR beside the page) and pages encoded
// (in the book's bookfile/ folder).
int progress(const std::filesystem::path& book_dir)
{
    int made = static_cast<int>(hocr_inodes(book_dir / "pages").size());
    std::error_code none;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(book_dir / "bookfile", none)) {
        made += entry.path().extension() == ".djvu" ? 1 : 0;
    }
    return made;
}

TEST(ExportKill, ResumesRecognisesNoPageTwiceAndMakesTheSameFile)
{
    constexpr int pages = 10;
    constexpr int kills = 10;
    const digikit::testing::TempDir dir;
    const std::string book = make_book(dir.path(), pages);
    // The same book, exported once without interruption.
    std::filesystem::copy(dir / "data", dir / "clean", std::filesystem::copy_options::recursive);
    const auto clean = digikit::testing::run_digikit({"--data", (dir / "clean").string(), "book", "export", book,
                                                      "--format", "djvu", "--out", (dir / "clean.djvu").string()});
    ASSERT_EQ(clean.exit_code, 0) << clean.err;
    const std::string clean_bytes = base::read_file(dir / "clean.djvu");

    // Each run is killed once it has made 0 to 2 more pieces (a page recognised or
    // encoded), plus up to 0.4 s; once everything is made, while bundling.
    const auto book_dir = dir / "data" / "books" / book;
    const auto out = dir / "killed.djvu";
    const std::vector<std::string> args{digikit::testing::digikit_binary(),
                                        "book",
                                        "export",
                                        book_dir.string(),
                                        "--format",
                                        "djvu",
                                        "--out",
                                        out.string()};
    std::mt19937 random(12345);
    std::map<std::string, ino_t> done;  // a page's hOCR, once there, is never written again
    int recognised = 0;
    int killed = 0;
    for (int run = 0; killed < kills && run < 3 * kills; ++run) {
        const auto log = dir / ("export" + std::to_string(run) + ".log");
        const int target = progress(book_dir) + std::uniform_int_distribution(0, 2)(random);
        {
            digikit::testing::BackgroundProcess exporter(args, log);
            if (target <= 2 * pages) {
                digikit::testing::wait_until([&] { return progress(book_dir) >= target || !exporter.running(); },
                                             std::chrono::minutes(5));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution(0, 400)(random)));
            if (exporter.stop(SIGKILL) == -1) ++killed;  // else it had finished: run it again (bundling only)
        }
        recognised += count_lines(base::read_file(log), "ocr: page");
        for (const auto& [name, inode] : hocr_inodes(book_dir / "pages")) {
            if (done.count(name) > 0) {
                EXPECT_EQ(done[name], inode) << name << " was recognised again";
            }
            done[name] = inode;
        }
        // The book file is never half written: absent, or whole.
        if (std::filesystem::exists(out)) {
            EXPECT_EQ(base::read_file(out), clean_bytes) << "after run " << run;
        }
    }
    EXPECT_EQ(killed, kills);
    const auto finished = digikit::testing::run_command(args);
    ASSERT_EQ(finished.exit_code, 0) << finished.err;
    recognised += count_lines(finished.err, "ocr: page");
    for (const auto& [name, inode] : hocr_inodes(book_dir / "pages")) {
        if (done.count(name) > 0) {
            EXPECT_EQ(done[name], inode) << name << " was recognised again";
        }
    }
    // A kill between a page's hOCR and its log line loses the line, never adds one.
    EXPECT_LE(recognised, pages);
    EXPECT_GE(recognised, pages - kills);
    EXPECT_EQ(base::read_file(out), clean_bytes);
    EXPECT_NE(finished.out.find("10 pages"), std::string::npos) << finished.out;
    // What the kills left half written is gone.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
}

// The README's batch recipe: GNU parallel over book folders (here three small books, each
// in a data dir of its own, as from three kits).
TEST(ExportBatch, GnuParallelOverBookFolders)
{
    const digikit::testing::TempDir dir;
    std::vector<std::string> command{"parallel",   "--halt",
                                     "now,fail=1", "-j",
                                     "2",          digikit::testing::digikit_binary() + " book export {} --format pdf",
                                     ":::"};
    for (int kit = 1; kit <= 3; ++kit) {
        const auto kit_dir = dir / ("kit" + std::to_string(kit));
        const std::string book = make_book(kit_dir, 2);
        command.push_back((kit_dir / "data" / "books" / book).string());
    }
    const auto batch = digikit::testing::run_command(command);
    ASSERT_EQ(batch.exit_code, 0) << batch.err;
    for (int kit = 1; kit <= 3; ++kit) {
        int files = 0;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / ("kit" + std::to_string(kit)))) {
            if (entry.path().filename() == "Killed Often (1905).pdf") {
                ++files;
                const auto info = digikit::testing::run_command({"pdfinfo", entry.path().string()});
                EXPECT_EQ(bookfile::testing::pdfinfo_field(info.out, "Pages"), "2") << info.out;
            }
        }
        EXPECT_EQ(files, 1) << "kit " << kit;
    }
}

}  // namespace
}  // namespace digikit::bookfile
