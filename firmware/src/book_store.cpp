#include "book_store.hpp"

#include <chrono>
#include <ctime>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/base/text.hpp"

namespace digikit::firmware {
namespace {

constexpr const char* schema = R"sql(
CREATE TABLE IF NOT EXISTS books (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('new', 'open', 'closed')),
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE TABLE IF NOT EXISTS shots (
    id INTEGER PRIMARY KEY,
    book_id TEXT NOT NULL REFERENCES books(id),
    sequence INTEGER NOT NULL,
    role TEXT NOT NULL,
    raw_path TEXT NOT NULL UNIQUE,
    captured_at TEXT NOT NULL,
    retaken INTEGER NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS shots_by_book ON shots(book_id, sequence);
CREATE TABLE IF NOT EXISTS pages (
    shot_id INTEGER NOT NULL REFERENCES shots(id),
    page_index INTEGER NOT NULL,
    master_path TEXT NOT NULL,
    access_path TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    warnings TEXT NOT NULL,
    PRIMARY KEY (shot_id, page_index)
);
)sql";

// Version 1: a book is "closing" between End book and the moment every page is queued;
// a shot whose processing failed keeps its reason; a person may leave a shot out
// (dropped); a page remembers that its files are queued for upload.
constexpr const char* migration_to_1 = R"sql(
CREATE TABLE books_v1 (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('new', 'open', 'closing', 'closed')),
    created_at TEXT NOT NULL,
    closed_at TEXT
);
INSERT INTO books_v1 (id, state, created_at, closed_at) SELECT id, state, created_at, closed_at FROM books;
DROP TABLE books;
ALTER TABLE books_v1 RENAME TO books;
ALTER TABLE shots ADD COLUMN failure TEXT;
ALTER TABLE shots ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;
UPDATE shots SET processed = 0, failure = 'no pages (an earlier version did not record why)'
    WHERE processed = 1 AND retaken = 0 AND id NOT IN (SELECT shot_id FROM pages);
PRAGMA user_version = 1;
)sql";

// Version 2: a photo imported from outside the rig (`book add --view --rotate`) keeps how
// it was taken, so that the daemon and a reprocess treat it the same way.
constexpr const char* migration_to_2 = R"sql(
ALTER TABLE shots ADD COLUMN view TEXT NOT NULL DEFAULT '';
ALTER TABLE shots ADD COLUMN rotate INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 2;
)sql";

constexpr const char* shot_columns =
    "SELECT id, book_id, sequence, role, raw_path, captured_at, processed, failure, dropped, view, rotate FROM shots ";
constexpr const char* book_order =
    " ORDER BY sequence, CASE role WHEN 'left' THEN 0 WHEN 'single' THEN 1 ELSE 2 END, id";

std::tm utc_now()
{
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    return tm;
}

std::string utc_timestamp()
{
    const std::tm tm = utc_now();
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

std::string utc_day()
{
    const std::tm tm = utc_now();
    char buffer[16];
    std::strftime(buffer, sizeof buffer, "%Y%m%d", &tm);
    return buffer;
}

std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

}  // namespace

std::string zero_padded(int number, std::size_t width)
{
    std::string text = std::to_string(number);
    return text.size() >= width ? text : std::string(width - text.size(), '0') + text;
}

std::string sequence_stem(int sequence)
{
    return zero_padded(sequence, 4);
}

void check_book_id(const std::string& id)
{
    const bool plain = !id.empty() && id.size() <= 64 &&
                       id.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz-_") == std::string::npos;
    if (!plain) throw std::invalid_argument("'" + id + "' is not a book id (like 20261121-001)");
}

BookStore::BookStore(const std::filesystem::path& data_dir)
    : data_dir_(std::filesystem::absolute(data_dir)),
      db_((std::filesystem::create_directories(data_dir_ / "books"), data_dir_ / "digikit.sqlite"))
{
    db_.execute_script(schema);
    migrate();
}

// The daemon and the CLI may open the store at once: the first to take the write lock
// migrates, the other finds the new version. Foreign keys are off while the books table
// is rebuilt (SQLite cannot change a CHECK in place).
void BookStore::migrate()
{
    const auto version = [this] { return as_int(db_.query("PRAGMA user_version")[0][0]); };
    if (version() >= 2) return;
    db_.execute_script("PRAGMA foreign_keys=OFF");
    try {
        Database::Transaction transaction(db_);
        if (version() < 1) db_.execute_script(migration_to_1);
        if (version() < 2) db_.execute_script(migration_to_2);
        transaction.commit();
    } catch (...) {
        db_.execute_script("PRAGMA foreign_keys=ON");
        throw;
    }
    db_.execute_script("PRAGMA foreign_keys=ON");
}

std::filesystem::path BookStore::book_dir(const std::string& id) const
{
    check_book_id(id);
    return data_dir_ / "books" / id;
}

std::filesystem::path BookStore::relative(const std::filesystem::path& path) const
{
    return path.lexically_relative(data_dir_);
}

std::string BookStore::create_book(const metadata::BookMetadata& book)
{
    const std::string text = metadata::to_toml(book);  // an invalid book throws before anything exists
    const std::lock_guard lock(mutex_);
    const std::string day = utc_day();
    const auto rows = db_.query("SELECT COUNT(*) FROM books WHERE id LIKE ?", {day + "-%"});
    int number = static_cast<int>(as_int(rows.at(0).at(0))) + 1;
    std::string id;
    do {
        id = day + "-" + zero_padded(number++, 3);
    } while (std::filesystem::exists(book_dir(id)));

    for (const char* sub : {"raw", "pages", "retaken"}) std::filesystem::create_directories(book_dir(id) / sub);
    base::write_file_atomically(book_dir(id) / "book.toml", text);
    base::fsync_directory(data_dir_ / "books");
    db_.execute("INSERT INTO books (id, state, created_at) VALUES (?, ?, ?)",
                {id, std::string("new"), utc_timestamp()});
    return id;
}

metadata::BookFile BookStore::read_book_file(const std::string& id) const
{
    const auto path = book_dir(id) / "book.toml";
    std::string text;
    try {
        text = base::read_file(path);
    } catch (const std::system_error& error) {
        return {{}, {{"", path.string() + ": cannot be read (" + error.code().message() + ")"}}};
    }
    return metadata::read_book_toml(text, path.string());
}

metadata::BookMetadata BookStore::read_metadata(const std::string& id) const
{
    auto file = read_book_file(id);
    if (!file.problems.empty()) throw metadata::MetadataError(file.problems.front().message);
    return std::move(file.book);
}

void BookStore::write_metadata(const std::string& id, const metadata::BookMetadata& book)
{
    const std::string text = metadata::to_toml(book);
    const auto path = book_dir(id) / "book.toml";
    const auto old = base::read_file_if_exists(path);
    if (old && !metadata::read_book_toml(*old, path.string()).problems.empty()) {
        base::write_file_atomically(path.string() + ".invalid", *old);
    }
    base::write_file_atomically(path, text);
}

std::optional<std::string> BookStore::prepared_book()
{
    const std::lock_guard lock(mutex_);
    const auto rows = db_.query("SELECT id FROM books WHERE state = 'new' ORDER BY id LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

void BookStore::start_book(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    db_.execute("UPDATE books SET state = 'open' WHERE id = ? AND state = 'new'", {id});
}

std::optional<std::string> BookStore::open_book()
{
    const std::lock_guard lock(mutex_);
    const auto rows = db_.query("SELECT id FROM books WHERE state = 'open' ORDER BY created_at DESC LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return as_text(rows[0][0]);
}

BookSummary BookStore::summary_from(const Database::Row& row)
{
    BookSummary summary{as_text(row[0]), as_text(row[1]), as_text(row[2]), as_text(row[3]), 0, 0};
    summary.captures = static_cast<int>(as_int(
        db_.query("SELECT COUNT(DISTINCT sequence) FROM shots WHERE book_id = ? AND retaken = 0", {summary.id})[0][0]));
    summary.pages =
        static_cast<int>(as_int(db_.query("SELECT COUNT(*) FROM pages JOIN shots ON shots.id = pages.shot_id "
                                          "WHERE shots.book_id = ? AND shots.retaken = 0 AND shots.dropped = 0",
                                          {summary.id})[0][0]));
    return summary;
}

std::vector<BookSummary> BookStore::list_books()
{
    const std::lock_guard lock(mutex_);
    std::vector<BookSummary> books;
    for (const auto& row : db_.query("SELECT id, state, created_at, closed_at FROM books ORDER BY id")) {
        books.push_back(summary_from(row));
    }
    return books;
}

std::optional<BookSummary> BookStore::find_book(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    const auto rows = db_.query("SELECT id, state, created_at, closed_at FROM books WHERE id = ?", {id});
    if (rows.empty()) return std::nullopt;
    return summary_from(rows[0]);
}

std::string BookStore::book_state(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    const auto rows = db_.query("SELECT state FROM books WHERE id = ?", {id});
    return rows.empty() ? std::string() : as_text(rows[0][0]);
}

std::vector<std::string> BookStore::closing_books()
{
    const std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    for (const auto& row : db_.query("SELECT id FROM books WHERE state = 'closing' ORDER BY id")) {
        ids.push_back(as_text(row[0]));
    }
    return ids;
}

void BookStore::begin_closing(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    db_.execute("UPDATE books SET state = 'closing' WHERE id = ? AND state IN ('new', 'open')", {id});
}

void BookStore::finish_closing(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    db_.execute("UPDATE books SET state = 'closed', closed_at = ? WHERE id = ? AND state = 'closing'",
                {utc_timestamp(), id});
}

int BookStore::last_sequence(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    return static_cast<int>(
        as_int(db_.query("SELECT COALESCE(MAX(sequence), 0) FROM shots WHERE book_id = ?", {id})[0][0]));
}

void BookStore::record_capture(const std::string& id, int sequence,
                               const std::vector<std::pair<std::string, std::filesystem::path>>& role_and_raw,
                               bool retake, const ShotView& view)
{
    const std::lock_guard lock(mutex_);
    Database::Transaction transaction(db_);
    if (retake) {
        const std::vector<Database::Value> key{id, std::int64_t{sequence}};
        db_.execute(
            "DELETE FROM pages WHERE shot_id IN "
            "(SELECT id FROM shots WHERE book_id = ? AND sequence = ? AND retaken = 0)",
            key);
        db_.execute("UPDATE shots SET retaken = 1 WHERE book_id = ? AND sequence = ? AND retaken = 0", key);
    }
    const std::string now = utc_timestamp();
    for (const auto& [role, raw] : role_and_raw) {
        db_.execute(
            "INSERT INTO shots (book_id, sequence, role, raw_path, captured_at, view, rotate) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {id, std::int64_t{sequence}, role, relative(raw).string(), now, view.view, std::int64_t{view.rotate}});
    }
    transaction.commit();
}

Shot BookStore::shot_from(const Database::Row& row) const
{
    return Shot{as_int(row[0]),
                as_text(row[1]),
                static_cast<int>(as_int(row[2])),
                as_text(row[3]),
                data_dir_ / as_text(row[4]),
                as_text(row[5]),
                as_int(row[6]) != 0,
                as_text(row[7]),
                as_int(row[8]) != 0,
                {as_text(row[9]), static_cast<int>(as_int(row[10]))}};
}

std::vector<Shot> BookStore::shots_where(const std::string& condition, const std::vector<Database::Value>& params)
{
    const std::lock_guard lock(mutex_);
    std::vector<Shot> shots;
    for (const auto& row : db_.query(shot_columns + condition, params)) shots.push_back(shot_from(row));
    return shots;
}

std::vector<Shot> BookStore::shots_of(const std::string& id, int sequence)
{
    return shots_where("WHERE book_id = ? AND sequence = ? AND retaken = 0 ORDER BY role",
                       {id, std::int64_t{sequence}});
}

std::vector<Shot> BookStore::shots_of(const std::string& id)
{
    return shots_where(std::string("WHERE book_id = ? AND retaken = 0") + book_order, {id});
}

namespace {
constexpr const char* waiting_for_processing =
    "WHERE processed = 0 AND retaken = 0 AND dropped = 0 AND failure IS NULL";
}

std::vector<Shot> BookStore::unprocessed_shots()
{
    return shots_where(std::string(waiting_for_processing) + " ORDER BY id", {});
}

std::size_t BookStore::unprocessed_count()
{
    const std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        as_int(db_.query(std::string("SELECT COUNT(*) FROM shots ") + waiting_for_processing)[0][0]));
}

bool BookStore::record_failure(std::int64_t shot_id, const std::string& reason)
{
    const std::lock_guard lock(mutex_);
    db_.execute("UPDATE shots SET failure = ? WHERE id = ? AND retaken = 0 AND processed = 0",
                {reason.empty() ? std::string("unknown error") : reason, shot_id});
    return as_int(db_.query("SELECT changes()")[0][0]) > 0;
}

std::vector<Shot> BookStore::retry_failed_shots(const std::string& id)
{
    auto failed = shots_where(std::string("WHERE failure IS NOT NULL AND retaken = 0 AND dropped = 0") +
                                  (id.empty() ? "" : " AND book_id = ?") + " ORDER BY id",
                              id.empty() ? std::vector<Database::Value>{} : std::vector<Database::Value>{id});
    const std::lock_guard lock(mutex_);
    for (const auto& shot : failed) db_.execute("UPDATE shots SET failure = NULL WHERE id = ?", {shot.id});
    return failed;
}

void BookStore::reprocess_shot(std::int64_t shot_id)
{
    const std::lock_guard lock(mutex_);
    Database::Transaction transaction(db_);
    db_.execute("DELETE FROM pages WHERE shot_id = ?", {shot_id});
    db_.execute("UPDATE shots SET processed = 0, failure = NULL WHERE id = ?", {shot_id});
    transaction.commit();
}

void BookStore::drop_shot(std::int64_t shot_id)
{
    const std::lock_guard lock(mutex_);
    db_.execute("UPDATE shots SET dropped = 1 WHERE id = ?", {shot_id});
}

bool BookStore::record_pages(std::int64_t shot_id, const std::vector<Page>& pages)
{
    const std::lock_guard lock(mutex_);
    Database::Transaction transaction(db_);
    // A retake may have retired the shot while it was being processed: then its pages are
    // not part of the book any more.
    const auto live = db_.query("SELECT retaken FROM shots WHERE id = ?", {shot_id});
    if (live.empty() || as_int(live[0][0]) != 0) return false;
    for (const auto& page : pages) {
        db_.execute(
            "INSERT OR REPLACE INTO pages (shot_id, page_index, master_path, access_path, width, height, warnings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {shot_id, std::int64_t{page.index}, relative(page.master).string(), relative(page.access).string(),
             std::int64_t{page.width}, std::int64_t{page.height}, base::joined(page.warnings, "\n")});
    }
    db_.execute("UPDATE shots SET processed = 1 WHERE id = ?", {shot_id});
    transaction.commit();
    return true;
}

std::vector<Page> BookStore::pages_of(const std::string& id)
{
    const std::lock_guard lock(mutex_);
    std::vector<Page> pages;
    for (const auto& row :
         db_.query("SELECT pages.shot_id, page_index, master_path, access_path, width, height, warnings, captured_at, "
                   "queued FROM pages JOIN shots ON shots.id = pages.shot_id "
                   "WHERE shots.book_id = ? AND shots.retaken = 0 AND shots.dropped = 0 "
                   "ORDER BY shots.sequence, CASE shots.role WHEN 'left' THEN 0 WHEN 'single' THEN 1 ELSE 2 END, "
                   "shots.id, page_index",
                   {id})) {
        pages.push_back(Page{as_int(row[0]), static_cast<int>(as_int(row[1])), data_dir_ / as_text(row[2]),
                             data_dir_ / as_text(row[3]), static_cast<int>(as_int(row[4])),
                             static_cast<int>(as_int(row[5])), split_lines(as_text(row[6])), as_text(row[7]),
                             as_int(row[8]) != 0});
    }
    return pages;
}

void BookStore::mark_queued(std::int64_t shot_id, int page_index)
{
    const std::lock_guard lock(mutex_);
    db_.execute("UPDATE pages SET queued = 1 WHERE shot_id = ? AND page_index = ?",
                {shot_id, std::int64_t{page_index}});
}

}  // namespace digikit::firmware
