#include "digikit/uploader/sync.hpp"

#include "temp_dir.hpp"
#include "test_wiki.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

namespace digikit::uploader {
namespace {

using digikit::testing::TempDir;

ClientOptions kill_test_options()
{
    auto options = testing::test_client_options();
    options.chunk_size = 8192;
    options.chunked_threshold = 20000;
    return options;
}

// One sync in a child process, as the daemon would run it; the parent kills it.
pid_t start_sync_child(const std::filesystem::path& database)
{
    const pid_t pid = ::fork();
    if (pid == 0) {
        int code = 1;
        try {
            UploadQueue queue(database);
            CommonsClient client(kill_test_options());
            code = sync_queue(queue, client, {}).complete() ? 0 : 1;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);  // no gtest or static teardown in the child
    }
    return pid;
}

TEST(KillRestart, EveryPageIsPublishedExactlyOnceAcrossTwentyKills)
{
    TempDir dir;
    const auto database = dir / "digikit.sqlite";
    std::vector<QueueItem> pages;
    // Adds pages: two of three are chunked (~20 KB in 8 KiB chunks), one plain.
    const auto add_pages = [&](std::uint32_t count) {
        UploadQueue queue(database);
        for (std::uint32_t i = 0; i < count; ++i) {
            const auto page = static_cast<std::uint32_t>(pages.size()) + 1;
            const auto path = dir / ("page" + std::to_string(page) + ".jpg");
            const int side = page % 3 == 0 ? 64 : 150;
            testing::write_noise_jpeg(path, 9000 + page, side, side);
            pages.push_back(queue.enqueue(path, "Killed book p" + std::to_string(page) + ".jpg", "page"));
        }
    };
    add_pages(24);
    CommonsClient client(kill_test_options());
    client.login();
    // Kill moments span a child's first ~20 requests, however loaded the machine is.
    const auto lookup_start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        static_cast<void>(client.files_with_sha1(pages.front().sha1));
    }
    const auto request_ms = std::max<long>(
        5,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - lookup_start).count() /
            3);
    RecordProperty("request_ms", static_cast<int>(request_ms));

    std::mt19937 random(12345);
    std::uniform_int_distribution<long> delay_ms(request_ms, 20 * request_ms);
    int kills = 0;
    for (int rounds = 0; kills < 20 && rounds < 80; ++rounds) {
        const pid_t child = start_sync_child(database);
        ASSERT_GT(child, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
        ::kill(child, SIGKILL);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        if (WIFSIGNALED(status)) {
            ++kills;
        } else {
            ASSERT_EQ(WEXITSTATUS(status), 0) << "a sync child failed on its own";
            add_pages(6);  // the queue emptied between two kills: more work for the next child
        }
    }
    EXPECT_GE(kills, 20);

    UploadQueue queue(database);
    // The killed children did real work (otherwise this test would prove nothing).
    std::size_t published_by_children = 0;
    for (const auto& item : queue.list()) {
        published_by_children += item.state == ItemState::published ? 1 : 0;
    }
    RecordProperty("published_by_killed_children", static_cast<int>(published_by_children));
    RecordProperty("kills", kills);
    EXPECT_GT(published_by_children, 0u);
    const auto summary = sync_queue(queue, client, {});
    EXPECT_TRUE(summary.complete()) << summary.stopped_because;
    EXPECT_EQ(summary.failed, 0u);
    for (const auto& page : pages) {
        const auto item = queue.get(page.id);
        ASSERT_EQ(item.state, ItemState::published) << item.target_name << ": " << item.note;
        EXPECT_EQ(client.files_with_sha1(item.sha1).size(), 1u) << item.target_name;
        const auto info = client.file_info(item.published_name);
        ASSERT_TRUE(info) << item.published_name;
        EXPECT_EQ(info->versions, 1u) << item.published_name << " was uploaded more than once";
        EXPECT_EQ(info->sha1, item.sha1);
        EXPECT_EQ(info->size, item.size);
    }
}

}  // namespace
}  // namespace digikit::uploader
