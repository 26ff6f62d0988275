#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "database.hpp"
#include "digikit/metadata/book_metadata.hpp"

namespace digikit::firmware {

// One raw file of a capture (a spread from two cameras is two shots with one sequence).
// How a photo imported from outside the rig was taken (`book add --view --rotate`);
// an empty view: as its camera's role says.
struct ShotView {
    std::string view;  // auto | left-page | right-page | spread | single
    int rotate = 0;    // 0 | 90 | 180 | 270
};

struct Shot {
    std::int64_t id = 0;
    std::string book_id;
    int sequence = 0;
    std::string role;
    std::filesystem::path raw;  // absolute
    std::string captured_at;
    bool processed = false;  // its pages are recorded
    std::string failure;     // why its processing failed; empty unless it failed
    bool dropped = false;    // left out of the book by a person (`digikit book drop-shot`)
    ShotView taken;

    // How people name a shot: its raw file's stem, e.g. "0003_left".
    [[nodiscard]] std::string name() const { return raw.stem().string(); }
    // Still without pages because its processing failed (and nobody left it out).
    [[nodiscard]] bool failed() const { return !dropped && !processed && !failure.empty(); }
};

struct Page {
    std::int64_t shot_id = 0;
    int index = 0;  // 1-based within the shot, reading order
    std::filesystem::path master;
    std::filesystem::path access;
    int width = 0;
    int height = 0;
    std::vector<std::string> warnings;
    std::string captured_at;  // of its shot, ISO 8601 UTC
    bool queued = false;      // its files are in the upload queue
};

struct BookSummary {
    std::string id;
    std::string state;  // new (prepared) | open | closing (ended, pages still to queue) | closed
    std::string created_at;
    std::string closed_at;
    int captures = 0;  // current (not retaken) sequences
    int pages = 0;     // of the shots not dropped
};

// The books on disk and their index in digikit.sqlite:
//   <data>/books/<id>/book.toml, raw/, pages/, retaken/
// Files are made durable before the rows that point to them.
class BookStore {
public:
    explicit BookStore(const std::filesystem::path& data_dir);

    [[nodiscard]] const std::filesystem::path& data_dir() const { return data_dir_; }
    [[nodiscard]] std::filesystem::path book_dir(const std::string& id) const;
    [[nodiscard]] std::filesystem::path raw_dir(const std::string& id) const { return book_dir(id) / "raw"; }
    [[nodiscard]] std::filesystem::path pages_dir(const std::string& id) const { return book_dir(id) / "pages"; }
    [[nodiscard]] std::filesystem::path retaken_dir(const std::string& id) const { return book_dir(id) / "retaken"; }

    // Writes book.toml, then the index row; returns the new id (YYYYMMDD-NNN).
    std::string create_book(const metadata::BookMetadata& book);
    // The oldest book prepared with `digikit book new` and not yet started, if any.
    [[nodiscard]] std::optional<std::string> prepared_book();
    void start_book(const std::string& id);
    // book.toml as the tolerant reader sees it: valid fields and the problems of the rest
    // (a hand edit, an unreadable file). For showing and repairing a book; never throws
    // for the file's content.
    [[nodiscard]] metadata::BookFile read_book_file(const std::string& id) const;
    // The book's metadata; throws MetadataError naming the first problem.
    [[nodiscard]] metadata::BookMetadata read_metadata(const std::string& id) const;
    // Writes the book as metadata::to_toml normalizes it (throws before writing anything
    // when a value is invalid). A book.toml that did not read cleanly is kept beside it as
    // book.toml.invalid, so a hand edit is never lost.
    void write_metadata(const std::string& id, const metadata::BookMetadata& book);

    [[nodiscard]] std::optional<std::string> open_book();
    [[nodiscard]] std::vector<BookSummary> list_books();
    [[nodiscard]] std::optional<BookSummary> find_book(const std::string& id);
    [[nodiscard]] std::string book_state(const std::string& id);  // "" for no such book
    [[nodiscard]] std::vector<std::string> closing_books();
    // End book: new or open -> closing (no more captures; pages are queued as they come).
    void begin_closing(const std::string& id);
    // closing -> closed, once every page is queued.
    void finish_closing(const std::string& id);

    [[nodiscard]] int last_sequence(const std::string& id);
    // Records the shots of one capture in one transaction (their files are durable).
    // With `retake`, the shots already at `sequence` are marked retaken and their pages
    // forgotten in the same transaction. `view`: for photos imported from outside the rig.
    void record_capture(const std::string& id, int sequence,
                        const std::vector<std::pair<std::string, std::filesystem::path>>& role_and_raw, bool retake,
                        const ShotView& view = {});
    [[nodiscard]] std::vector<Shot> shots_of(const std::string& id, int sequence);
    // Every current (not retaken) shot of a book, dropped ones too, in book order.
    [[nodiscard]] std::vector<Shot> shots_of(const std::string& id);

    // Shots waiting for processing: not processed, not failed, not dropped.
    [[nodiscard]] std::vector<Shot> unprocessed_shots();
    [[nodiscard]] std::size_t unprocessed_count();
    // False when the shot was retaken meanwhile (nothing recorded).
    bool record_pages(std::int64_t shot_id, const std::vector<Page>& pages);
    // A failed processing is recorded with its reason; the shot waits for a person (or
    // the next start-up). False when the shot was retaken or processed meanwhile.
    bool record_failure(std::int64_t shot_id, const std::string& reason);
    // Failed shots (of one book, or of all with an empty id) become pending again;
    // returns them as they were, reasons included.
    std::vector<Shot> retry_failed_shots(const std::string& id = {});
    // Forgets a shot's pages and makes it pending again.
    void reprocess_shot(std::int64_t shot_id);
    // A person leaves the shot out of the book on purpose.
    void drop_shot(std::int64_t shot_id);
    // Pages of the shots not dropped, in book order.
    [[nodiscard]] std::vector<Page> pages_of(const std::string& id);
    void mark_queued(std::int64_t shot_id, int page_index);

private:
    void migrate();
    [[nodiscard]] std::vector<Shot> shots_where(const std::string& condition,
                                                const std::vector<Database::Value>& params);
    [[nodiscard]] std::filesystem::path relative(const std::filesystem::path& path) const;
    [[nodiscard]] Shot shot_from(const Database::Row& row) const;
    [[nodiscard]] BookSummary summary_from(const Database::Row& row);

    std::filesystem::path data_dir_;
    std::mutex mutex_;  // the daemon's threads share one connection
    Database db_;
};

// "0042": sequence numbers name raw files (0042_left.jpg) and sort as text.
[[nodiscard]] std::string sequence_stem(int sequence);
[[nodiscard]] std::string zero_padded(int number, std::size_t width);

// Throws std::invalid_argument unless `id` is a plain book id (no path tricks).
void check_book_id(const std::string& id);

}  // namespace digikit::firmware
