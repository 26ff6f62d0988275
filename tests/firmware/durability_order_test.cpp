// "A file is durable before any database row points to it", proven on the calls the
// daemon and the CLI really make: kills cannot show a missing fsync (the page cache
// survives a SIGKILL), so durability_shim.c (LD_PRELOAD) records every fsync, rename and
// write into SQLite's write-ahead log, and the order is checked for a capture and for an
// import: file fsync, rename, folder fsync, then the row, then the commit.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "digikit/capture/page_photo_renderer.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

struct Event {
    int pid = 0;
    std::string kind;   // fsync | fsync-dir | rename | wal-write
    std::string path;   // fsync: the file; rename: the source; wal-write: the log file
    std::string to;     // rename: the target
    std::string bytes;  // wal-write: what was written
};

std::vector<Event> read_events(const std::filesystem::path& log, int pid)
{
    std::ifstream in(log);
    std::vector<Event> events;
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        Event event;
        fields >> event.pid >> event.kind >> event.path;
        if (event.kind == "rename") fields >> event.to;
        if (event.kind == "wal-write") {
            std::string hex;
            std::getline(in, hex);
            for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
                event.bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
            }
        }
        if (event.pid == pid) events.push_back(event);
    }
    return events;
}

// The first event at or after `from` that `matches`; events.size() when none.
std::size_t find(const std::vector<Event>& events, std::size_t from, const std::function<bool(const Event&)>& matches)
{
    for (std::size_t i = from; i < events.size(); ++i) {
        if (matches(events[i])) return i;
    }
    return events.size();
}

// The durability order for one raw file that `pid` stored and recorded in the database.
void expect_durable_before_recorded(const std::vector<Event>& events, const std::filesystem::path& data,
                                    const std::filesystem::path& raw)
{
    ASSERT_FALSE(events.empty()) << "the shim logged nothing: was it preloaded?";
    const std::string temp_prefix = "." + raw.filename().string() + ".tmp-";
    const auto is_temp = [&](const std::string& path) {
        const std::filesystem::path p(path);
        return p.parent_path() == raw.parent_path() && p.filename().string().rfind(temp_prefix, 0) == 0;
    };
    const std::size_t synced = find(events, 0, [&](const Event& e) { return e.kind == "fsync" && is_temp(e.path); });
    const std::size_t renamed =
        find(events, 0, [&](const Event& e) { return e.kind == "rename" && is_temp(e.path) && e.to == raw; });
    const std::size_t folder =
        find(events, renamed, [&](const Event& e) { return e.kind == "fsync-dir" && e.path == raw.parent_path(); });
    const std::string row_text = raw.lexically_relative(data).string();  // as the shots row stores it
    const std::size_t row = find(events, 0, [&](const Event& e) {
        return e.kind == "wal-write" && e.bytes.find(row_text) != std::string::npos;
    });
    const std::size_t commit = find(events, row, [&](const Event& e) {
        return e.kind == "fsync" && e.path == (data / "digikit.sqlite-wal").string();
    });
    const std::size_t none = events.size();
    ASSERT_NE(synced, none) << raw << ": its temporary file was never fsynced";
    ASSERT_NE(renamed, none) << raw << ": never renamed into place";
    ASSERT_NE(folder, none) << raw << ": its folder was not fsynced after the rename";
    ASSERT_NE(row, none) << raw << ": no write to the database's log carries its row";
    ASSERT_NE(commit, none) << raw << ": the row was never committed (fsync of the log)";
    EXPECT_LT(synced, renamed) << raw;
    EXPECT_LT(renamed, folder) << raw;
    EXPECT_LT(folder, row) << raw << ": the row was written before the file was durable";
    EXPECT_LT(row, commit) << raw;
}

// The check itself sees a row written before its file is durable.
TEST(DurabilityOrderCheck, ARowBeforeTheFolderFsyncIsCaught)
{
    const std::filesystem::path data = "/data";
    const std::filesystem::path raw = data / "books/b/raw/0001_left.jpg";
    const std::string temp = "/data/books/b/raw/.0001_left.jpg.tmp-AbCdEf";
    const std::string wal = "/data/digikit.sqlite-wal";
    std::vector<Event> events{{1, "fsync", temp, "", ""},
                              {1, "rename", temp, raw.string(), ""},
                              {1, "wal-write", wal, "", "...books/b/raw/0001_left.jpg..."},
                              {1, "fsync-dir", raw.parent_path().string(), "", ""},
                              {1, "fsync", wal, "", ""}};
    EXPECT_NONFATAL_FAILURE(expect_durable_before_recorded(events, data, raw), "before the file was durable");
    std::swap(events[2], events[3]);
    expect_durable_before_recorded(events, data, raw);
}

class DurabilityOrder : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::ofstream(config_) << "data_dir = \"" << data_.string() << "\"\n[storage]\nmin_free_mb = 0\n"
                               << "[[device]]\ntype = \"sim\"\nrole = \"left\"\nserial = \"L\"\nwidth = 640\nheight = "
                                  "480\n"
                               << "[[device]]\ntype = \"sim\"\nrole = \"right\"\nserial = \"R\"\nwidth = 640\nheight = "
                                  "480\nseed = 3\n";
    }

    // Every digikit process started from now on runs with the shim.
    void preload_shim()
    {
        const char* asan = std::getenv("ASAN_OPTIONS");  // NOLINT(concurrency-mt-unsafe): no threads yet
        // libasan must come first unless told otherwise; the shim only passes calls on.
        const std::string options = std::string(asan != nullptr ? asan : "") + ":verify_asan_link_order=0";
        ::setenv("ASAN_OPTIONS", options.c_str(), 1);
        ::setenv("DIGIKIT_SYSCALL_LOG", log_.c_str(), 1);
        ::setenv("LD_PRELOAD", DIGIKIT_DURABILITY_SHIM, 1);
    }

    testing::CommandResult digikit(std::vector<std::string> args)
    {
        args.insert(args.begin(), {"--config", config_.string()});
        return testing::run_digikit(args);
    }

    testing::TempDir dir_;
    std::filesystem::path data_ = dir_ / "data";
    std::filesystem::path config_ = dir_ / "kit.toml";
    std::filesystem::path log_ = dir_ / "calls.log";
};

TEST_F(DurabilityOrder, ACaptureIsDurableBeforeItsShotsAreRecorded)
{
    preload_shim();
    testing::BackgroundProcess daemon({testing::digikit_binary(), "--config", config_.string(), "run"},
                                      dir_ / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, 60s));
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    const auto captured = digikit({"press", "capture"});
    ASSERT_EQ(captured.exit_code, 0) << captured.err;
    const std::string id = nlohmann::json::parse(digikit({"status", "--json"}).out)["book"]["id"];
    const int pid = daemon.pid();
    EXPECT_EQ(daemon.stop(SIGTERM), 0);
    const auto events = read_events(log_, pid);
    for (const char* raw : {"0001_left.jpg", "0001_right.jpg"}) {
        expect_durable_before_recorded(events, data_, data_ / "books" / id / "raw" / raw);
    }
}

TEST_F(DurabilityOrder, AnImportIsDurableBeforeItsShotIsRecorded)
{
    const auto created = digikit({"book", "new", "--title", "Imported"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.find('\n'));
    capture::PagePhotoSpec spec;
    spec.width = 600;
    spec.height = 400;
    const auto bytes = capture::encode_camera_jpeg(capture::render_page_photo(spec).bgr);
    std::ofstream(dir_ / "card.jpg", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));

    preload_shim();
    // The CLI itself, through the shell, so its pid is known: it is the shell's, exec'd.
    const auto added = testing::run_command(
        {"sh", "-c", "echo $$ >'" + (dir_ / "pid").string() + "'; exec \"$0\" \"$@\"", testing::digikit_binary(),
         "--config", config_.string(), "book", "add", id, (dir_ / "card.jpg").string()});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    int pid = 0;
    std::ifstream(dir_ / "pid") >> pid;
    expect_durable_before_recorded(read_events(log_, pid), data_, data_ / "books" / id / "raw" / "0001_single.jpg");
}

}  // namespace
}  // namespace digikit::firmware
