#include "digikit/uploader/sync.hpp"

#include "temp_dir.hpp"
#include "test_transports.hpp"
#include "test_wiki.hpp"

#include <gtest/gtest.h>

namespace digikit::uploader {
namespace {

using digikit::testing::TempDir;
using testing::test_client_options;
using testing::write_noise_jpeg;

// Each test gets its own queue and its own seed range, so no two tests share content.
class SyncTest : public ::testing::Test {
protected:
    static ClientOptions small_chunks()
    {
        auto options = test_client_options();
        options.chunk_size = 8192;
        options.chunked_threshold = 20000;
        return options;
    }

    QueueItem add_page(const std::string& target, std::uint32_t seed, int side, const std::string& text = "")
    {
        const auto path = dir_ / (std::to_string(seed) + ".jpg");
        write_noise_jpeg(path, seed, side, side);
        return queue_.enqueue(path, target,
                              text.empty() ? "Page " + std::to_string(seed) + "\n[[Category:Tests]]" : text);
    }

    // The wiki has exactly one file with this item's content, under the published name.
    void expect_on_wiki_once(CommonsClient& client, const QueueItem& queued)
    {
        const auto item = queue_.get(queued.id);
        ASSERT_EQ(item.state, ItemState::published) << item.target_name << ": " << item.note;
        EXPECT_EQ(client.files_with_sha1(item.sha1), std::vector<std::string>{item.published_name});
        const auto info = client.file_info(item.published_name);
        ASSERT_TRUE(info) << item.published_name;
        EXPECT_EQ(info->size, item.size);
        EXPECT_EQ(info->sha1, item.sha1);
    }

    TempDir dir_;
    UploadQueue queue_{dir_ / "digikit.sqlite"};
};

TEST_F(SyncTest, ATwentyPageBookIsPublishedPlainAndChunkedWithItsWikitext)
{
    std::vector<QueueItem> pages;
    for (std::uint32_t page = 1; page <= 20; ++page) {
        // Odd pages small (plain upload), even pages above the threshold (3-4 chunks).
        const int side = page % 2 == 1 ? 64 : 160;
        pages.push_back(
            add_page("Test book p" + std::to_string(page) + ".jpg", 1000 + page, side,
                     "{{Information|description=Page " + std::to_string(page) + "}}\n[[Category:Test book]]"));
    }
    CommonsClient client(small_chunks());
    std::size_t chunk_events = 0;
    const auto summary = sync_queue(queue_, client, {}, [&](const SyncEvent& event) {
        chunk_events += event.kind == SyncEventKind::bytes_sent ? 1 : 0;
    });
    EXPECT_TRUE(summary.complete()) << summary.stopped_because;
    EXPECT_EQ(summary.published, 20u);
    EXPECT_EQ(summary.failed, 0u);
    EXPECT_GE(chunk_events, 30u);  // the ten large pages went in chunks
    for (const auto& page : pages) {
        expect_on_wiki_once(client, page);
        EXPECT_EQ(client.page_wikitext("File:" + page.target_name), page.description);
    }
}

TEST_F(SyncTest, TheSameContentIsNeverUploadedTwice)
{
    const auto first = add_page("Original.jpg", 2001, 64);
    CommonsClient client(test_client_options());
    EXPECT_EQ(sync_queue(queue_, client, {}).published, 1u);

    // The same file queued under another name, e.g. a book queued twice.
    const auto copy = queue_.enqueue(first.path, "Copy of original.jpg", "copy");
    const auto summary = sync_queue(queue_, client, {});
    EXPECT_EQ(summary.published, 0u);
    EXPECT_EQ(summary.already_on_wiki, 1u);
    const auto item = queue_.get(copy.id);
    EXPECT_EQ(item.state, ItemState::published);
    EXPECT_EQ(item.published_name, "Original.jpg");
    EXPECT_NE(item.note.find("Original.jpg"), std::string::npos) << item.note;
    EXPECT_FALSE(client.file_info("Copy of original.jpg"));
    EXPECT_EQ(client.files_with_sha1(first.sha1).size(), 1u);
}

TEST_F(SyncTest, ANameTakenByOtherContentFailsUntilAPersonAcceptsANewVersion)
{
    CommonsClient client(test_client_options());
    TempDir other;
    write_noise_jpeg(other / "theirs.jpg", 3001, 64, 64);
    ASSERT_EQ(client.upload_plain(other / "theirs.jpg", "Taken name.jpg", "theirs", "test").result, "Success");

    const auto mine = add_page("Taken name.jpg", 3002, 64);
    const auto summary = sync_queue(queue_, client, {});
    EXPECT_EQ(summary.failed, 1u);
    auto item = queue_.get(mine.id);
    EXPECT_EQ(item.state, ItemState::failed);
    EXPECT_EQ(item.note.rfind("exists:", 0), 0u) << item.note;
    EXPECT_EQ(client.file_info("Taken name.jpg")->sha1, file_sha1(other / "theirs.jpg"));

    queue_.retry(mine.id, {"exists"});
    EXPECT_EQ(sync_queue(queue_, client, {}).published, 1u);
    item = queue_.get(mine.id);
    EXPECT_EQ(item.state, ItemState::published) << item.note;
    EXPECT_NE(item.note.find("accepting warnings: exists"), std::string::npos) << item.note;
    EXPECT_EQ(client.file_info("Taken name.jpg")->sha1, mine.sha1);
}

TEST_F(SyncTest, DeletedNamesAndDeletedContentAreNotUploadedAgainUnlessAccepted)
{
    CommonsClient client(test_client_options());
    CommonsClient admin(testing::admin_client_options());
    TempDir old;
    write_noise_jpeg(old / "old.jpg", 4001, 64, 64);
    ASSERT_EQ(client.upload_plain(old / "old.jpg", "Deleted name.jpg", "old", "test").result, "Success");
    admin.delete_page("File:Deleted name.jpg", "test");

    // New content under a deleted name: was-deleted.
    const auto renamed = add_page("Deleted name.jpg", 4002, 64);
    // Deleted content under a new name: duplicate-archive.
    const auto again = queue_.enqueue(old / "old.jpg", "Brand new name.jpg", "again");
    const auto summary = sync_queue(queue_, client, {});
    EXPECT_EQ(summary.failed, 2u);
    EXPECT_EQ(queue_.get(renamed.id).note.rfind("was-deleted:", 0), 0u) << queue_.get(renamed.id).note;
    EXPECT_EQ(queue_.get(again.id).note.rfind("duplicate-archive:", 0), 0u) << queue_.get(again.id).note;
    EXPECT_FALSE(client.file_info("Deleted name.jpg"));
    EXPECT_FALSE(client.file_info("Brand new name.jpg"));

    queue_.retry(renamed.id, {"was-deleted"});
    EXPECT_EQ(sync_queue(queue_, client, {}).published, 1u);
    expect_on_wiki_once(client, renamed);
    EXPECT_EQ(queue_.get(again.id).state, ItemState::failed);
}

TEST_F(SyncTest, AnInterruptedChunkedUploadResumesFromTheStoredStash)
{
    const auto page = add_page("Resumed.jpg", 5001, 200);  // ~36 KB: five 8 KiB chunks
    {
        CommonsClient client(small_chunks());
        std::size_t chunks = 0;
        SyncOptions options;
        options.should_stop = [&] { return chunks >= 2; };
        const auto summary = sync_queue(queue_, client, options, [&](const SyncEvent& event) {
            chunks += event.kind == SyncEventKind::bytes_sent ? 1 : 0;
        });
        EXPECT_EQ(summary.stopped_because, "stop requested");
    }
    const auto interrupted = queue_.get(page.id);
    ASSERT_EQ(interrupted.state, ItemState::uploading);
    EXPECT_EQ(interrupted.offset, 2u * 8192u);
    EXPECT_FALSE(interrupted.filekey.empty());

    CommonsClient fresh(small_chunks());  // a new process: new session, same user
    std::vector<std::uint64_t> offsets;
    const auto summary = sync_queue(queue_, fresh, {}, [&](const SyncEvent& event) {
        if (event.kind == SyncEventKind::bytes_sent) {
            offsets.push_back(event.bytes_done);
        }
    });
    EXPECT_TRUE(summary.complete());
    ASSERT_FALSE(offsets.empty());
    EXPECT_EQ(offsets.front(), 3u * 8192u);  // the first chunk sent after the resume is the third
    expect_on_wiki_once(fresh, page);
}

TEST_F(SyncTest, AnExpiredOrVanishedStashRestartsFromZero)
{
    const auto old_stash = add_page("Old stash.jpg", 6001, 160);
    const auto lost_stash = add_page("Lost stash.jpg", 6002, 160);
    CommonsClient client(small_chunks());
    // A real stash, but started three days ago.
    const auto first = client.upload_chunk(old_stash.path, old_stash.size, "Old stash.jpg", "", 0, 8192);
    ASSERT_EQ(first.result, "Continue");
    const auto three_days_ago =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() -
        std::int64_t{3} * 24 * 3600;
    queue_.mark_uploading(old_stash.id, first.filekey, 8192, three_days_ago);
    // A stash the wiki never heard of.
    queue_.mark_uploading(lost_stash.id, "1a2b3c.nosuch.jpg", 8192, three_days_ago + std::int64_t{3} * 24 * 3600);

    std::vector<std::uint64_t> first_offsets;
    const auto summary = sync_queue(queue_, client, {}, [&](const SyncEvent& event) {
        if (event.kind == SyncEventKind::item_started) {
            first_offsets.push_back(0);
        } else if (event.kind == SyncEventKind::bytes_sent && first_offsets.back() == 0) {
            first_offsets.back() = event.bytes_done;
        }
    });
    EXPECT_TRUE(summary.complete()) << summary.stopped_because;
    EXPECT_EQ(first_offsets, (std::vector<std::uint64_t>{8192, 8192}));  // both began again at byte 0
    expect_on_wiki_once(client, old_stash);
    expect_on_wiki_once(client, lost_stash);
}

TEST_F(SyncTest, StructuredDataIsSkippedWithANoteWhereTheWikiHasNoWikibase)
{
    const auto path = dir_ / "sd.jpg";
    write_noise_jpeg(path, 7501, 64, 64);
    const std::string claims = R"({"claims":[{"mainsnak":{"snaktype":"value","property":"P275",)"
                               R"("datavalue":{"value":{"entity-type":"item","id":"Q20007257"},)"
                               R"("type":"wikibase-entityid"}},"type":"statement","rank":"normal"}]})";
    const auto item = queue_.enqueue(path, "Structured.jpg", "sd", claims);
    EXPECT_EQ(item.structured_data, claims);
    CommonsClient client(test_client_options());
    EXPECT_FALSE(client.has_module("wbeditentity"));
    EXPECT_TRUE(client.has_module("upload"));
    EXPECT_EQ(sync_queue(queue_, client, {}).published, 1u);
    const auto published = queue_.get(item.id);
    EXPECT_EQ(published.state, ItemState::published);
    EXPECT_EQ(published.note, "uploaded; structured data skipped: the wiki has no wbeditentity");
    expect_on_wiki_once(client, item);
}

TEST_F(SyncTest, ADryRunChangesNothing)
{
    const auto small = add_page("Dry small.jpg", 7001, 64);
    const auto large = add_page("Dry large.jpg", 7002, 160);
    auto counter = std::make_unique<testing::CountingTransport>(small_chunks());
    const auto& requests = *counter;
    CommonsClient client(small_chunks(), std::move(counter));
    SyncOptions options;
    options.dry_run = true;
    const auto summary = sync_queue(queue_, client, options);
    ASSERT_EQ(summary.plan.size(), 2u);
    EXPECT_NE(summary.plan[0].find("would upload)"), std::string::npos) << summary.plan[0];
    EXPECT_NE(summary.plan[1].find("would upload in chunks"), std::string::npos) << summary.plan[1];
    EXPECT_EQ(summary.remaining, 2u);
    EXPECT_EQ(requests.sent(), 0u);
    EXPECT_EQ(queue_.get(small.id).state, ItemState::queued);
    EXPECT_EQ(queue_.get(large.id).state, ItemState::queued);
}

TEST_F(SyncTest, AFileChangedOrRemovedAfterQueuingFailsWithoutUpload)
{
    const auto page = add_page("Changed.jpg", 8001, 64);
    write_noise_jpeg(page.path, 8002, 64, 64);
    const auto gone = add_page("Gone.jpg", 8003, 64);
    std::filesystem::remove(gone.path);
    CommonsClient client(test_client_options());
    const auto summary = sync_queue(queue_, client, {});
    EXPECT_EQ(summary.failed, 2u);
    EXPECT_NE(queue_.get(page.id).note.find("changed since it was queued"), std::string::npos);
    EXPECT_NE(queue_.get(gone.id).note.find("missing"), std::string::npos);
    EXPECT_FALSE(client.file_info("Changed.jpg"));
}

// A wrong api_url on the wiki's own server: a missing script (404), a web page and a
// script instead of the API (200). The run stops at the first answer, with one line
// naming the address, and no item is touched: the next run with the right address
// uploads everything.
TEST_F(SyncTest, AnAddressThatIsNotTheApiStopsTheRunAndLeavesEveryItemQueued)
{
    const auto first = add_page("Wrong address 1.jpg", 8101, 64);
    const auto second = add_page("Wrong address 2.jpg", 8102, 64);
    const std::string server = "http://127.0.0.1:" + std::to_string(testing::test_wiki().port);
    for (const auto& [path, answer] : {std::pair{"/w/api.php", "HTTP 404"},
                                       std::pair{"/index.php/Special:BlankPage", "an HTML page instead of JSON"},
                                       std::pair{"/load.php", "a text/javascript document instead of JSON"}}) {
        auto counter = std::make_unique<testing::CountingTransport>(test_client_options(server + path));
        const auto& requests = *counter;
        CommonsClient client(test_client_options(server + path), std::move(counter));
        const auto summary = sync_queue(queue_, client, {});
        EXPECT_FALSE(summary.complete());
        EXPECT_TRUE(summary.needs_person);
        EXPECT_EQ(summary.stopped_because, "the wiki at " + server + path + " answered " + answer +
                                               ", not the MediaWiki API: check commons.api_url");
        EXPECT_EQ(summary.failed, 0u);
        EXPECT_EQ(summary.remaining, 2u);
        EXPECT_EQ(requests.sent(), 1u) << "an address that is not the API is not retried";
        for (const auto& queued : {first, second}) {
            const auto item = queue_.get(queued.id);
            EXPECT_EQ(item.state, ItemState::queued);
            EXPECT_EQ(item.attempts, 0);
            EXPECT_EQ(item.note, "");
        }
    }
    CommonsClient client(test_client_options());
    EXPECT_TRUE(sync_queue(queue_, client, {}).complete());
    expect_on_wiki_once(client, first);
    expect_on_wiki_once(client, second);
}

}  // namespace
}  // namespace digikit::uploader
