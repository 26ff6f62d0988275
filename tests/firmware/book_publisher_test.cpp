// A closing book's pages are queued as they come, in book order, each once.
#include "book_publisher.hpp"

#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "digikit/base/atomic_file.hpp"
#include "digikit/uploader/upload_queue.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

class BookPublisher : public ::testing::Test {
protected:
    void SetUp() override
    {
        config_.data_dir = dir_.path();
        metadata::BookMetadata book;
        book.title = "Flora";
        book.authors = {"Jane Example"};
        book.date = "1887";
        book.institution = "Test Library";
        book.license = "PD-old-70";
        id_ = store_.create_book(book);
        store_.start_book(id_);
    }

    // One capture of one shot; returns the shot.
    Shot capture(int sequence)
    {
        const auto raw = store_.raw_dir(id_) / (sequence_stem(sequence) + "_single.jpg");
        base::write_file_atomically(raw, "raw");
        store_.record_capture(id_, sequence, {{"single", raw}}, false);
        return store_.shots_of(id_, sequence).at(0);
    }

    void process(const Shot& shot)
    {
        const auto stem = store_.pages_dir(id_) / (shot.name() + "_1");
        const cv::Mat page(40, 30, CV_8UC3, cv::Scalar(200, 210, 220));
        ASSERT_TRUE(cv::imwrite(stem.string() + ".jpg", page));
        ASSERT_TRUE(cv::imwrite(stem.string() + ".tif", page));
        ASSERT_TRUE(store_.record_pages(
            shot.id,
            {Page{shot.id, 1, stem.string() + ".tif", stem.string() + ".jpg", 30, 40, {}, "2026-01-01T00:00:00Z"}}));
    }

    std::vector<std::string> queued_names()
    {
        std::vector<std::string> names;
        for (const auto& item : uploader::UploadQueue(dir_ / "digikit.sqlite").list()) {
            names.push_back(item.target_name);
        }
        return names;
    }

    testing::TempDir dir_;
    Config config_;
    BookStore store_{dir_.path()};
    std::string id_;
};

TEST_F(BookPublisher, PagesAreQueuedAsTheyComeInBookOrder)
{
    const auto first = capture(1);
    const auto second = capture(2);
    const auto third = capture(3);
    process(first);
    process(third);  // done before the second: it waits for it, for its page number

    const std::string ended = end_book(store_, config_, id_);
    EXPECT_EQ(ended, "ended book " + id_ +
                         ", closing: 1 shot(s) still processing; each page is queued as soon as it is processed");
    EXPECT_EQ(queued_names(), std::vector<std::string>{"Flora (1887) - page 0001.jpg"});
    EXPECT_EQ(store_.book_state(id_), "closing");

    process(second);
    const auto progress = publish_ready_pages(store_, config_, id_);
    EXPECT_EQ(progress.state, "closed");
    EXPECT_EQ(progress.pages_queued, 3);
    EXPECT_EQ(queued_names(), (std::vector<std::string>{"Flora (1887) - page 0001.jpg", "Flora (1887) - page 0002.jpg",
                                                        "Flora (1887) - page 0003.jpg"}));
    (void)publish_ready_pages(store_, config_, id_);  // again: nothing twice
    EXPECT_EQ(queued_names().size(), 3U);
}

TEST_F(BookPublisher, AFailedShotBlocksTheBookUntilAPersonDecides)
{
    process(capture(1));
    const auto failed = capture(2);
    process(capture(3));
    ASSERT_TRUE(store_.record_failure(failed.id, "cannot decode 0002_single.jpg"));

    const std::string ended = end_book(store_, config_, id_);
    EXPECT_NE(ended.find("1 shot(s) failed (0002_single)"), std::string::npos) << ended;
    EXPECT_NE(ended.find("0002_single (cannot decode 0002_single.jpg)"), std::string::npos) << ended;
    EXPECT_NE(ended.find("digikit book reprocess " + id_), std::string::npos) << ended;
    EXPECT_NE(ended.find("digikit book drop-shot " + id_ + " SHOT"), std::string::npos) << ended;
    EXPECT_NE(ended.find("--without-failed"), std::string::npos) << ended;
    EXPECT_EQ(queued_names().size(), 1U);
    const auto progress = closing_progress(store_, id_);
    ASSERT_EQ(progress.failed.size(), 1U);
    EXPECT_EQ(progress.describe(), "closing: 1 shot(s) failed (0002_single)");

    store_.drop_shot(failed.id);  // the person's choice
    EXPECT_EQ(publish_ready_pages(store_, config_, id_).state, "closed");
    EXPECT_EQ(queued_names(),
              (std::vector<std::string>{"Flora (1887) - page 0001.jpg", "Flora (1887) - page 0002.jpg"}));
}

TEST_F(BookPublisher, IncompleteMetadataKeepsTheBookClosing)
{
    auto book = store_.read_metadata(id_);
    book.authors.clear();
    store_.write_metadata(id_, book);
    process(capture(1));
    const std::string ended = end_book(store_, config_, id_);
    EXPECT_NE(ended.find("closing: metadata missing (authors"), std::string::npos) << ended;
    EXPECT_TRUE(queued_names().empty());

    book.authors = {"Jane Example"};
    store_.write_metadata(id_, book);
    EXPECT_EQ(publish_ready_pages(store_, config_, id_).state, "closed");
    EXPECT_EQ(queued_names().size(), 1U);
}

TEST_F(BookPublisher, AnEmptyBookClosesAtOnce)
{
    EXPECT_EQ(end_book(store_, config_, id_), "closed book " + id_ + "; 0 page(s), 0 file(s) queued for upload");
}

}  // namespace
}  // namespace digikit::firmware
