// The card fills up while the operator captures: a shot whose pages cannot be written is
// recorded as failed with the reason, shown, keeps its book from closing, and once space
// is freed and the daemon restarted it is processed again and its pages queued.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "kit_under_test.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

void write_text(const char* file, const std::string& text)
{
    std::ofstream(file) << text;
}

// A 64 MB tmpfs at `where`, seen by this process and the ones it starts (a mount
// namespace of its own: nothing outside changes). Needs CAP_SYS_ADMIN, or else user
// namespaces; returns why not when neither is there.
std::string mount_small_disk(const std::filesystem::path& where)
{
    if (::unshare(CLONE_NEWNS) != 0) {
        const uid_t uid = ::getuid();
        const gid_t gid = ::getgid();
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            return std::string("no mount namespace (unshare: ") + std::strerror(errno) + ")";
        }
        write_text("/proc/self/setgroups", "deny");
        write_text("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
        write_text("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", where.c_str(), "tmpfs", 0, "size=64m,mode=0700") != 0) {
        return std::string("cannot mount a tmpfs (") + std::strerror(errno) + ")";
    }
    return {};
}

std::uintmax_t free_bytes(const std::filesystem::path& dir)
{
    struct statvfs info {};
    EXPECT_EQ(::statvfs(dir.c_str(), &info), 0);
    return static_cast<std::uintmax_t>(info.f_bavail) * info.f_frsize;
}

constexpr int width = 1200;  // the sim cameras' photos
constexpr int height = 800;

class DiskFull : public KitUnderTest {
protected:
    void SetUp() override
    {
        std::filesystem::create_directories(data_);
        const std::string why = mount_small_disk(data_);
        if (!why.empty()) GTEST_SKIP() << "a small disk cannot be made here: " << why;
        mounted_ = true;
        write_config(
            "[metadata]\ninstitution = \"Test Library\"\n"
            "[commons]\nbook_file = \"none\"\n"  // pages only here
            "[storage]\nmin_free_mb = 0\n"       // the floor would refuse captures first
            "[imaging]\ntiff_compression = \"none\"\n",
            {.width = width, .height = height, .right_seed = 4});
    }

    void TearDown() override
    {
        daemon_.reset();
        if (mounted_) ::umount2(data_.c_str(), MNT_DETACH);
    }

    nlohmann::json book(const std::string& id)
    {
        return nlohmann::json::parse(digikit({"book", "show", id, "--json"}).out);
    }

    bool mounted_ = false;
};

// Fills the card, leaving `room` bytes (for the database's log).
void fill(const std::filesystem::path& disk, const std::filesystem::path& filler, std::uintmax_t room)
{
    std::ofstream out(filler, std::ios::binary);
    const std::string block(1 << 20, 'x');
    const auto free = free_bytes(disk);
    for (auto left = free > room ? free - room : 0; left > 0;) {
        const auto n = std::min<std::uintmax_t>(left, block.size());
        out.write(block.data(), static_cast<std::streamsize>(n));
        left -= n;
    }
}

TEST_F(DiskFull, ShotsThatCannotBeProcessedAreShownThenProcessedOnceThereIsSpace)
{
    const auto created = digikit({"book", "new", "--title", "Full card", "--author", "Jane Example", "--year", "1887"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.find('\n'));
    start();
    ASSERT_EQ(digikit({"press", "new-book"}).exit_code, 0);
    ASSERT_EQ(digikit({"press", "capture"}).exit_code, 0) << log();
    // The card fills up: the next spread's raws still fit, its uncompressed masters do not.
    const auto raw = data_ / "books" / id / "raw";
    const auto raws =
        std::filesystem::file_size(raw / "0001_left.jpg") + std::filesystem::file_size(raw / "0001_right.jpg");
    const std::uintmax_t room = raws * 3 / 2 + 512 * 1024;
    ASSERT_LT(room, std::uintmax_t{width} * height * 3) << "the premise: a master does not fit in what is left";
    fill(data_, data_ / "filler", room);
    ASSERT_EQ(digikit({"press", "capture"}).exit_code, 0) << log();  // its raws are safe
    const auto ended = digikit({"press", "end-book"});               // at once
    ASSERT_EQ(ended.exit_code, 0) << ended.err;

    // The outcome: the shots whose pages could not be written are shown as failed, with
    // the reason, and the book waits for them.
    const auto settled = [&] {
        const auto progress = book(id)["progress"];
        return progress["processing"] == 0 && !progress["failed"].empty();
    };
    ASSERT_TRUE(testing::wait_until(settled, 120s)) << book(id).dump(2) << log();
    const auto shown = book(id);
    EXPECT_EQ(shown["state"], "closing");
    const auto failed = shown["progress"]["failed"];
    for (const auto& shot : failed) {
        EXPECT_NE(shot["reason"].get<std::string>().find("No space left on device"), std::string::npos) << shot;
    }
    const std::string first = failed[0]["shot"];
    EXPECT_NE(digikit({"status"}).out.find("failed:     " + first + ": "), std::string::npos);
    EXPECT_NE(digikit({"book", "show", id}).out.find("failed: " + first + " ("), std::string::npos);
    EXPECT_NE(log().find("processing shot " + first + " of book " + id + " failed"), std::string::npos);
    const auto folder = data_ / "books" / id;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }

    // Space is freed; the daemon restarted processes the failed shots and queues every page.
    EXPECT_EQ(daemon_->stop(SIGTERM), 0);
    std::filesystem::remove(data_ / "filler");
    start();
    ASSERT_TRUE(testing::wait_until([&] { return book(id)["state"] == "closed"; }, 120s)) << book(id).dump(2) << log();
    EXPECT_NE(log().find("processing shot " + first + " of book " + id + " again (it failed: "), std::string::npos);
    std::set<std::string> files;
    for (const auto& item : nlohmann::json::parse(digikit({"queue", "--json"}).out)) {
        files.insert(std::filesystem::path(item["file"].get<std::string>()).filename().string());
    }
    EXPECT_EQ(files,
              (std::set<std::string>{"0001_left_1.jpg", "0001_right_1.jpg", "0002_left_1.jpg", "0002_right_1.jpg"}));
}

}  // namespace
}  // namespace digikit::firmware
