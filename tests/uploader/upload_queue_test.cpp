#include "digikit/uploader/upload_queue.hpp"

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace digikit::uploader {
namespace {

using digikit::testing::TempDir;

class UploadQueueTest : public ::testing::Test {
protected:
    std::filesystem::path make_file(const std::string& name, std::string_view content)
    {
        const auto path = dir_ / name;
        base::write_file_atomically(path, content);
        return path;
    }
    TempDir dir_;
    std::filesystem::path db_ = dir_ / "digikit.sqlite";
};

TEST_F(UploadQueueTest, EnqueueRecordsSha1SizeAndIsIdempotentPerPathAndTarget)
{
    UploadQueue queue(db_);
    const auto page = make_file("p1.jpg", "abc");
    const auto first = queue.enqueue(page, "Book p1.jpg", "== Summary ==");
    EXPECT_EQ(first.sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");  // SHA-1("abc"), FIPS 180 example
    EXPECT_EQ(first.size, 3u);
    EXPECT_EQ(first.state, ItemState::queued);
    EXPECT_EQ(first.description, "== Summary ==");
    EXPECT_GT(first.created_at, 0);

    const auto again = queue.enqueue(page, "Book p1.jpg", "other text");
    EXPECT_EQ(again.id, first.id);
    EXPECT_EQ(again.description, "== Summary ==");
    EXPECT_EQ(queue.list().size(), 1u);

    const auto second = queue.enqueue(make_file("p2.jpg", "abcd"), "Book p2.jpg", "");
    EXPECT_NE(second.id, first.id);
    EXPECT_EQ(queue.list().size(), 2u);
    EXPECT_EQ(queue.pending_count(), 2u);
}

TEST_F(UploadQueueTest, EnqueueRefusesMissingFilesAndTargetsTakenByAnotherFile)
{
    UploadQueue queue(db_);
    EXPECT_THROW(queue.enqueue(dir_ / "absent.jpg", "X.jpg", ""), QueueError);
    queue.enqueue(make_file("a.jpg", "a"), "Same.jpg", "");
    EXPECT_THROW(queue.enqueue(make_file("b.jpg", "b"), "Same.jpg", ""), QueueError);
    EXPECT_THROW(queue.enqueue(make_file("c.jpg", "c"), "", ""), QueueError);
    EXPECT_EQ(queue.list().size(), 1u);
}

TEST_F(UploadQueueTest, NextPrefersInterruptedUploadsThenOldest)
{
    UploadQueue queue(db_);
    const auto a = queue.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    const auto b = queue.enqueue(make_file("b.jpg", "b"), "B.jpg", "");
    ASSERT_TRUE(queue.next());
    EXPECT_EQ(queue.next()->id, a.id);

    queue.mark_uploading(b.id, "key.b", 1024, 1700000000);
    const auto next = queue.next();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->id, b.id);
    EXPECT_EQ(next->state, ItemState::uploading);
    EXPECT_EQ(next->filekey, "key.b");
    EXPECT_EQ(next->offset, 1024u);
    EXPECT_EQ(next->stash_time, 1700000000);

    queue.mark_published(b.id, "B.jpg", "uploaded");
    const auto published = queue.get(b.id);
    EXPECT_EQ(published.state, ItemState::published);
    EXPECT_EQ(published.published_name, "B.jpg");
    EXPECT_TRUE(published.filekey.empty());
    EXPECT_EQ(queue.next()->id, a.id);

    queue.mark_failed(a.id, "exists: File:A.jpg already exists");
    EXPECT_FALSE(queue.next());
    EXPECT_EQ(queue.pending_count(), 0u);
    EXPECT_EQ(queue.get(a.id).attempts, 1);
    EXPECT_EQ(queue.get(a.id).note, "exists: File:A.jpg already exists");
}

TEST_F(UploadQueueTest, RetryAndDropFollowTheStateRules)
{
    UploadQueue queue(db_);
    const auto a = queue.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    const auto b = queue.enqueue(make_file("b.jpg", "b"), "B.jpg", "");
    EXPECT_THROW(queue.retry(a.id), QueueError);  // still queued: nothing to retry
    queue.mark_failed(a.id, "was-deleted");
    queue.retry(a.id, {"was-deleted", "exists"});
    const auto retried = queue.get(a.id);
    EXPECT_EQ(retried.state, ItemState::queued);
    EXPECT_EQ(retried.attempts, 0);
    EXPECT_EQ(retried.accepted_warnings, (std::vector<std::string>{"was-deleted", "exists"}));

    queue.drop(a.id);
    EXPECT_EQ(queue.get(a.id).state, ItemState::dropped);
    queue.retry(a.id);
    EXPECT_EQ(queue.get(a.id).state, ItemState::queued);
    EXPECT_TRUE(queue.get(a.id).accepted_warnings.empty());

    queue.mark_published(b.id, "B.jpg", "uploaded");
    EXPECT_THROW(queue.drop(b.id), QueueError);
    EXPECT_THROW(queue.retry(b.id), QueueError);
    EXPECT_THROW(queue.drop(9999), QueueError);
    EXPECT_THROW(static_cast<void>(queue.get(9999)), QueueError);
}

TEST_F(UploadQueueTest, RestartForgetsTheStash)
{
    UploadQueue queue(db_);
    const auto a = queue.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    queue.mark_uploading(a.id, "k", 10, 5);
    queue.restart_upload(a.id, "stash expired");
    const auto item = queue.get(a.id);
    EXPECT_EQ(item.state, ItemState::queued);
    EXPECT_TRUE(item.filekey.empty());
    EXPECT_EQ(item.offset, 0u);
    EXPECT_EQ(item.note, "stash expired");
}

TEST_F(UploadQueueTest, StateSurvivesReopeningAndUsesWal)
{
    std::int64_t id = 0;
    {
        UploadQueue queue(db_);
        id = queue.enqueue(make_file("a.jpg", "a"), "A.jpg", "text").id;
        queue.mark_uploading(id, "stashed.key", 4096, 1234);
    }
    UploadQueue reopened(db_);
    const auto item = reopened.get(id);
    EXPECT_EQ(item.state, ItemState::uploading);
    EXPECT_EQ(item.filekey, "stashed.key");
    EXPECT_EQ(item.offset, 4096u);

    // Read by a plain SQLite connection, as another part of the daemon would.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db.get(), "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
    sqlite3_finalize(statement);
}

TEST_F(UploadQueueTest, RetryingSeveralItemsIsAllOrNothing)
{
    UploadQueue queue(db_);
    const auto a = queue.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    const auto b = queue.enqueue(make_file("b.jpg", "b"), "B.jpg", "");
    const auto c = queue.enqueue(make_file("c.jpg", "c"), "C.jpg", "");
    queue.mark_failed(a.id, "exists");
    queue.mark_failed(c.id, "exists");
    EXPECT_THROW(queue.retry(std::vector<std::int64_t>{a.id, b.id}), QueueError);  // b is queued
    EXPECT_EQ(queue.get(a.id).state, ItemState::failed);
    EXPECT_EQ(queue.retry_failed({"exists"}), (std::vector<std::int64_t>{a.id, c.id}));
    EXPECT_EQ(queue.get(c.id).state, ItemState::queued);
    EXPECT_EQ(queue.get(c.id).accepted_warnings, std::vector<std::string>{"exists"});
    EXPECT_TRUE(queue.retry_failed().empty());
}

// Two syncs on one database: each item is claimed by one of them only.
TEST_F(UploadQueueTest, AClaimedItemIsNotTakenByAnotherQueue)
{
    UploadQueue first(db_);
    UploadQueue second(db_);
    const auto a = first.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    const auto b = first.enqueue(make_file("b.jpg", "b"), "B.jpg", "");
    const auto claimed = first.claim_next(std::chrono::minutes(15));
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->id, a.id);
    EXPECT_FALSE(claimed->lease_owner.empty());
    const auto other = second.claim_next(std::chrono::minutes(15));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->id, b.id);
    EXPECT_FALSE(second.claim_next(std::chrono::minutes(15)));
    EXPECT_FALSE(second.claim(a.id, std::chrono::minutes(15)));
    EXPECT_EQ(second.pending_held_elsewhere(), 1u);
    // The holder's steps go through; the other queue's are refused.
    first.mark_uploading(a.id, "key", 10, 5);
    EXPECT_THROW(second.mark_published(a.id, "A.jpg", "uploaded"), QueueError);
    EXPECT_EQ(first.get(a.id).state, ItemState::uploading);
    // Released, the interrupted upload is the next item for anyone.
    first.release(a.id);
    second.release(b.id);
    const auto resumed = second.claim_next(std::chrono::minutes(15));
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->id, a.id);
    EXPECT_EQ(resumed->filekey, "key");
    second.mark_published(a.id, "A.jpg", "uploaded");
    EXPECT_EQ(first.get(a.id).state, ItemState::published);
}

TEST_F(UploadQueueTest, AnExpiredLeaseIsTakenAgain)
{
    std::int64_t now = 1'800'000'000;
    const auto clock = [&now] { return now; };
    UploadQueue stalled(db_, clock);
    UploadQueue fresh(db_, clock);
    const auto a = stalled.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    ASSERT_TRUE(stalled.claim_next(std::chrono::seconds(60)));
    now += 30;
    stalled.mark_uploading(a.id, "key", 10, now);  // renews the lease to now + 60
    now += 59;
    EXPECT_FALSE(fresh.claim_next(std::chrono::seconds(60)));
    now += 2;
    const auto taken = fresh.claim_next(std::chrono::seconds(60));
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->id, a.id);
    // The stalled holder has lost the item: its late steps change nothing.
    EXPECT_THROW(stalled.mark_published(a.id, "A.jpg", "uploaded"), QueueError);
    EXPECT_EQ(fresh.get(a.id).state, ItemState::uploading);
}

// A sync killed while it holds an item: the item is free at once, not after the lease.
TEST_F(UploadQueueTest, AKilledHoldersItemIsFreeAtOnce)
{
    UploadQueue queue(db_);
    const auto a = queue.enqueue(make_file("a.jpg", "a"), "A.jpg", "");
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        UploadQueue holder(db_);
        const bool claimed = holder.claim_next(std::chrono::hours(1)).has_value();
        ::_exit(claimed ? 0 : 3);  // no destructor: the lease stays in the database
    }
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT), 0);
    ASSERT_EQ(info.si_status, 0);
    EXPECT_FALSE(queue.get(a.id).lease_owner.empty());
    // Exited but not yet reaped (a zombie) already counts as gone.
    const auto taken = queue.claim_next(std::chrono::minutes(15));
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->id, a.id);
    int status = 0;
    ::waitpid(child, &status, 0);
}

// Several processes claiming from one queue at once: every item is handled by exactly one.
TEST_F(UploadQueueTest, ConcurrentProcessesEachTakeDifferentItems)
{
    std::vector<std::int64_t> ids;
    {
        UploadQueue queue(db_);
        for (int i = 0; i < 40; ++i) {
            ids.push_back(
                queue.enqueue(make_file(std::to_string(i) + ".jpg", std::to_string(i)), std::to_string(i) + ".jpg", "")
                    .id);
        }
    }
    std::vector<pid_t> children;
    for (int worker = 0; worker < 3; ++worker) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            int code = 0;
            try {
                UploadQueue queue(db_);
                while (const auto item = queue.claim_next(std::chrono::minutes(15))) {
                    queue.mark_published(item->id, item->target_name, "by worker " + std::to_string(worker));
                    queue.release(item->id);
                }
            } catch (const std::exception& error) {
                std::fprintf(stderr, "worker %d: %s\n", worker, error.what());  // the parent's failure says why
                code = 4;
            }
            ::_exit(code);
        }
        children.push_back(child);
    }
    for (const pid_t child : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
    UploadQueue queue(db_);
    for (const auto id : ids) {
        const auto item = queue.get(id);
        EXPECT_EQ(item.state, ItemState::published);
        EXPECT_TRUE(item.lease_owner.empty());
    }
}

// A database made before leases existed is upgraded in place, its items kept.
TEST_F(UploadQueueTest, AnOlderDatabaseGetsTheLeaseColumns)
{
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
        std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
        ASSERT_EQ(sqlite3_exec(db.get(), R"sql(
            CREATE TABLE upload_queue (
                id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, sha1 TEXT NOT NULL,
                size INTEGER NOT NULL, target_name TEXT NOT NULL, description TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'queued', filekey TEXT NOT NULL DEFAULT '',
                offset INTEGER NOT NULL DEFAULT 0, stash_time INTEGER NOT NULL DEFAULT 0,
                published_name TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
                attempts INTEGER NOT NULL DEFAULT 0, accepted_warnings TEXT NOT NULL DEFAULT '',
                structured_data TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL, UNIQUE (path, target_name));
            INSERT INTO upload_queue (path, sha1, size, target_name, description, created_at, updated_at)
                VALUES ('/x/a.jpg', 'abc', 3, 'A.jpg', 'old', 1, 1);)sql",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
    }
    UploadQueue queue(db_);
    const auto item = queue.claim_next(std::chrono::minutes(1));
    ASSERT_TRUE(item);
    EXPECT_EQ(item->target_name, "A.jpg");
    EXPECT_FALSE(item->lease_owner.empty());
}

TEST(FileSha1, MatchesKnownDigestsAndNamesUnreadableFiles)
{
    TempDir dir;
    base::write_file_atomically(dir / "empty", std::string_view());
    EXPECT_EQ(file_sha1(dir / "empty"), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_THROW(static_cast<void>(file_sha1(dir / "absent")), std::runtime_error);
}

TEST(ItemStateNames, RoundTrip)
{
    for (auto state :
         {ItemState::queued, ItemState::uploading, ItemState::published, ItemState::failed, ItemState::dropped}) {
        EXPECT_EQ(parse_item_state(to_string(state)), state);
    }
    EXPECT_FALSE(parse_item_state("bogus"));
}

}  // namespace
}  // namespace digikit::uploader
