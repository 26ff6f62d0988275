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
struct Shot {
    std::int64_t id = 0;
    std::string book_id;
    int sequence = 0;
    std::string role;
    std::filesystem::path raw;  // absolute
    std::string captured_at;
    bool processed = false;
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
};

struct BookSummary {
    std::string id;
    std::string state;  // new (prepared) | open | closed
    std::string created_at;
    std::string closed_at;
    int captures = 0;  // current (not retaken) sequences
    int pages = 0;
};

// The books on disk and their index in digikit.sqlite:
//   <data>/books/<id>/book.toml, raw/, pages/, retaken/
// Files are made durable before the rows that point to them.
class BookStore {
public:
    explicit BookStore(std::filesystem::path data_dir);

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
    void close_book(const std::string& id);

    [[nodiscard]] int last_sequence(const std::string& id);
    // Records the shots of one capture in one transaction (their files are durable).
    // With `retake`, the shots already at `sequence` are marked retaken and their pages
    // forgotten in the same transaction.
    void record_capture(const std::string& id, int sequence,
                        const std::vector<std::pair<std::string, std::filesystem::path>>& role_and_raw, bool retake);
    [[nodiscard]] std::vector<Shot> shots_of(const std::string& id, int sequence);

    [[nodiscard]] std::vector<Shot> unprocessed_shots();
    // False when the shot was retaken meanwhile (nothing recorded).
    bool record_pages(std::int64_t shot_id, const std::vector<Page>& pages);
    [[nodiscard]] std::vector<Page> pages_of(const std::string& id);

private:
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
