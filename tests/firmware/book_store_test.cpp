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

TEST(BookStore, RejectsPathLikeIds)
{
    testing::TempDir dir;
    BookStore store(dir.path());
    EXPECT_THROW((void)store.book_dir("../etc"), std::invalid_argument);
    EXPECT_THROW((void)store.book_dir(""), std::invalid_argument);
}

}  // namespace
}  // namespace digikit::firmware
