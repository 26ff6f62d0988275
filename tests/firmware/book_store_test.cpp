#include "book_store.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

metadata::BookMetadata titled(const std::string& title)
{
    metadata::BookMetadata book;
    book.title = title;
    book.license = "PD-old-70";
    return book;
}

std::filesystem::path make_raw(BookStore& store, const std::string& id, const std::string& name)
{
    const auto path = store.raw_dir(id) / name;
    base::write_file_atomically(path, "jpeg bytes");
    return path;
}

TEST(BookStore, NewBookHasTheLayoutOfTheSpec)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    const std::string id = store.create_book(titled("Flora"));
    EXPECT_TRUE(std::filesystem::exists(dir / "digikit.sqlite"));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "books" / id / "book.toml"));
    EXPECT_TRUE(std::filesystem::is_directory(dir / "books" / id / "raw"));
    EXPECT_TRUE(std::filesystem::is_directory(dir / "books" / id / "pages"));
    EXPECT_EQ(store.read_metadata(id).title, "Flora");
    EXPECT_EQ(store.find_book(id)->state, "new");
}

TEST(BookStore, IdsAreUniqueAndOrdered)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    const auto a = store.create_book(titled("A"));
    const auto b = store.create_book(titled("B"));
    EXPECT_NE(a, b);
    EXPECT_LT(a, b);
    EXPECT_EQ(store.prepared_book(), a);  // the oldest prepared book opens first
}

TEST(BookStore, CapturesAndRetakesAreCounted)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    const auto id = store.create_book(titled("A"));
    store.start_book(id);
    EXPECT_EQ(store.open_book(), id);
    store.record_capture(
        id, 1, {{"left", make_raw(store, id, "0001_left.jpg")}, {"right", make_raw(store, id, "0001_right.jpg")}},
        false);
    store.record_capture(
        id, 2, {{"left", make_raw(store, id, "0002_left.jpg")}, {"right", make_raw(store, id, "0002_right.jpg")}},
        false);
    store.record_capture(
        id, 2, {{"left", make_raw(store, id, "0002r1_left.jpg")}, {"right", make_raw(store, id, "0002r1_right.jpg")}},
        true);
    EXPECT_EQ(store.last_sequence(id), 2);
    EXPECT_EQ(store.find_book(id)->captures, 2);
    const auto shots = store.shots_of(id, 2);
    ASSERT_EQ(shots.size(), 2U);
    EXPECT_EQ(shots[0].raw.filename(), "0002r1_left.jpg");
    EXPECT_EQ(store.unprocessed_shots().size(), 4U);  // the retaken ones are not processed
}

TEST(BookStore, PagesOfARetakenShotAreRefused)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    const auto id = store.create_book(titled("A"));
    store.record_capture(id, 1, {{"single", make_raw(store, id, "0001_single.jpg")}}, false);
    const auto shot = store.shots_of(id, 1).at(0);
    store.record_capture(id, 1, {{"single", make_raw(store, id, "0001r1_single.jpg")}}, true);
    EXPECT_FALSE(store.record_pages(
        shot.id, {Page{shot.id, 1, store.pages_dir(id) / "x.tif", store.pages_dir(id) / "x.jpg", 10, 20, {}, ""}}));
    EXPECT_TRUE(store.pages_of(id).empty());
}

TEST(BookStore, StateSurvivesReopening)
{
    testing::TempDir dir;
    std::string id;
    {
        BookStore store(dir.path());
        id = store.create_book(titled("A"));
        store.start_book(id);
        store.record_capture(id, 1, {{"single", make_raw(store, id, "0001_single.jpg")}}, false);
        const auto shot = store.shots_of(id, 1).at(0);
        ASSERT_TRUE(store.record_pages(shot.id, {Page{shot.id,
                                                      1,
                                                      store.pages_dir(id) / "0001_single_1.tif",
                                                      store.pages_dir(id) / "0001_single_1.jpg",
                                                      10,
                                                      20,
                                                      {"dark"},
                                                      ""}}));
    }
    BookStore again(dir.path());
    EXPECT_EQ(again.open_book(), id);
    const auto pages = again.pages_of(id);
    ASSERT_EQ(pages.size(), 1U);
    EXPECT_EQ(pages[0].master, dir / "books" / id / "pages" / "0001_single_1.tif");
    EXPECT_EQ(pages[0].warnings, std::vector<std::string>{"dark"});
    EXPECT_TRUE(again.unprocessed_shots().empty());
}

TEST(BookStore, AFailedShotIsNeverDone)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    const auto id = store.create_book(titled("A"));
    store.record_capture(id, 1, {{"single", make_raw(store, id, "0001_single.jpg")}}, false);
    const auto shot = store.shots_of(id, 1).at(0);
    EXPECT_EQ(shot.name(), "0001_single");
    ASSERT_TRUE(store.record_failure(shot.id, "No space left on device"));
    EXPECT_TRUE(store.unprocessed_shots().empty());  // not retried behind a person's back
    const auto failed = store.shots_of(id).at(0);
    EXPECT_FALSE(failed.processed);
    EXPECT_EQ(failed.failure, "No space left on device");

    const auto retried = store.retry_failed_shots(id);  // reprocess, or the next start-up
    ASSERT_EQ(retried.size(), 1U);
    EXPECT_EQ(retried[0].failure, "No space left on device");
    EXPECT_EQ(store.unprocessed_shots().size(), 1U);
    EXPECT_TRUE(store.shots_of(id).at(0).failure.empty());

    store.drop_shot(shot.id);  // a person leaves it out
    EXPECT_TRUE(store.unprocessed_shots().empty());
    EXPECT_TRUE(store.shots_of(id).at(0).dropped);
}

TEST(BookStore, ABookClosesThroughClosing)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    const auto id = store.create_book(titled("A"));
    store.start_book(id);
    store.begin_closing(id);
    EXPECT_EQ(store.book_state(id), "closing");
    EXPECT_EQ(store.open_book(), std::nullopt);  // the operator may start the next book
    EXPECT_EQ(store.closing_books(), std::vector<std::string>{id});
    store.finish_closing(id);
    EXPECT_EQ(store.find_book(id)->state, "closed");
    EXPECT_FALSE(store.find_book(id)->closed_at.empty());
    EXPECT_EQ(store.book_state("20000101-999"), "");
}

// A data dir written before shots could fail: the books table gains the closing state, and
// a processed shot without pages (a failure recorded as done) shows as failed.
TEST(BookStore, OlderDatabaseIsMigrated)
{
    testing::TempDir dir;
    {
        Database old(dir / "digikit.sqlite");
        old.execute_script(R"sql(
CREATE TABLE books (id TEXT PRIMARY KEY, state TEXT NOT NULL CHECK (state IN ('new', 'open', 'closed')),
                    created_at TEXT NOT NULL, closed_at TEXT);
CREATE TABLE shots (id INTEGER PRIMARY KEY, book_id TEXT NOT NULL REFERENCES books(id), sequence INTEGER NOT NULL,
                    role TEXT NOT NULL, raw_path TEXT NOT NULL UNIQUE, captured_at TEXT NOT NULL,
                    retaken INTEGER NOT NULL DEFAULT 0, processed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE pages (shot_id INTEGER NOT NULL REFERENCES shots(id), page_index INTEGER NOT NULL,
                    master_path TEXT NOT NULL, access_path TEXT NOT NULL, width INTEGER NOT NULL,
                    height INTEGER NOT NULL, warnings TEXT NOT NULL, PRIMARY KEY (shot_id, page_index));
INSERT INTO books VALUES ('20250101-001', 'open', '2025-01-01T00:00:00Z', NULL);
INSERT INTO shots VALUES (1, '20250101-001', 1, 'left', 'books/20250101-001/raw/0001_left.jpg', 'x', 0, 1);
INSERT INTO shots VALUES (2, '20250101-001', 1, 'right', 'books/20250101-001/raw/0001_right.jpg', 'x', 0, 1);
INSERT INTO pages VALUES (1, 1, 'books/20250101-001/pages/0001_left_1.tif', 'books/20250101-001/pages/0001_left_1.jpg',
                          10, 20, '');
)sql");
    }
    BookStore store(dir.path());
    EXPECT_EQ(store.open_book(), "20250101-001");
    const auto shots = store.shots_of("20250101-001");
    ASSERT_EQ(shots.size(), 2U);
    EXPECT_TRUE(shots[0].processed);
    EXPECT_FALSE(shots[1].processed);
    EXPECT_NE(shots[1].failure.find("no pages"), std::string::npos) << shots[1].failure;
    EXPECT_EQ(store.pages_of("20250101-001").size(), 1U);
    store.begin_closing("20250101-001");
    EXPECT_EQ(store.book_state("20250101-001"), "closing");
    BookStore again(dir.path());  // migrating twice changes nothing
    EXPECT_EQ(again.book_state("20250101-001"), "closing");
}

TEST(BookStore, RejectsPathLikeIds)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    EXPECT_THROW((void)store.book_dir("../etc"), std::invalid_argument);
    EXPECT_THROW((void)store.book_dir(""), std::invalid_argument);
}

}  // namespace
}  // namespace digikit::firmware
