#include "digikit/uploader/upload_queue.hpp"

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

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
