#include "digikit/uploader/upload_queue.hpp"

#include "lease_owner.hpp"
#include "unix_time.hpp"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <fstream>
#include <sstream>
#include <utility>

#include "digikit/base/sqlite.hpp"
#include "digikit/base/text.hpp"

namespace digikit::uploader {
namespace {

constexpr std::array<std::string_view, 5> state_names = {"queued", "uploading", "published", "failed", "dropped"};

std::vector<std::string> split(std::string_view text)
{
    std::vector<std::string> out;
    std::stringstream stream{std::string(text)};
    std::string part;
    while (std::getline(stream, part, ',')) {
        if (!part.empty()) {
            out.push_back(part);
        }
    }
    return out;
}

using Statement = base::SqliteStatement;

constexpr std::string_view item_columns =
    "id, path, sha1, size, target_name, description, state, filekey, offset, stash_time, published_name, note, "
    "attempts, accepted_warnings, created_at, updated_at, structured_data, lease_owner, lease_until";

QueueItem read_item(const Statement& row)
{
    QueueItem item;
    item.id = row.integer(0);
    item.path = row.text(1);
    item.sha1 = row.text(2);
    item.size = static_cast<std::uint64_t>(row.integer(3));
    item.target_name = row.text(4);
    item.description = row.text(5);
    item.state = parse_item_state(row.text(6)).value_or(ItemState::failed);
    item.filekey = row.text(7);
    item.offset = static_cast<std::uint64_t>(row.integer(8));
    item.stash_time = row.integer(9);
    item.published_name = row.text(10);
    item.note = row.text(11);
    item.attempts = static_cast<int>(row.integer(12));
    item.accepted_warnings = split(row.text(13));
    item.created_at = row.integer(14);
    item.updated_at = row.integer(15);
    item.structured_data = row.text(16);
    item.lease_owner = row.text(17);
    item.lease_until = row.integer(18);
    return item;
}

}  // namespace

std::string_view to_string(ItemState state)
{
    return state_names.at(static_cast<std::size_t>(state));
}

std::optional<ItemState> parse_item_state(std::string_view text)
{
    for (std::size_t i = 0; i < state_names.size(); ++i) {
        if (state_names[i] == text) {
            return static_cast<ItemState>(i);
        }
    }
    return std::nullopt;
}

std::string file_sha1(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + path.string());
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha1(), nullptr) != 1) {
        throw std::runtime_error("SHA-1 unavailable in OpenSSL");
    }
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got > 0) {
            EVP_DigestUpdate(context.get(), buffer.data(), got);
        }
    }
    if (in.bad()) {
        throw std::runtime_error("error reading " + path.string());
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context.get(), digest.data(), &length);
    static constexpr char hex_digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += hex_digits[digest[i] >> 4];
        hex += hex_digits[digest[i] & 0x0f];
    }
    return hex;
}

// The queue's connection is base's SQLite helper (WAL, synchronous=FULL, the busy timeout
// for the daemon and CLI beside it); the public header only names it.
struct UploadQueue::Connection : base::SqliteDatabase {
    using SqliteDatabase::SqliteDatabase;
};

UploadQueue::UploadQueue(const std::filesystem::path& database, std::function<std::int64_t()> clock)
    : db_(std::make_unique<Connection>(database)), clock_(std::move(clock)), owner_(new_lease_owner())
{
    db_->execute_script(R"sql(
        CREATE TABLE IF NOT EXISTS upload_queue (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            sha1 TEXT NOT NULL,
            size INTEGER NOT NULL,
            target_name TEXT NOT NULL,
            description TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'uploading', 'published', 'failed', 'dropped')),
            filekey TEXT NOT NULL DEFAULT '',
            offset INTEGER NOT NULL DEFAULT 0,
            stash_time INTEGER NOT NULL DEFAULT 0,
            published_name TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            attempts INTEGER NOT NULL DEFAULT 0,
            accepted_warnings TEXT NOT NULL DEFAULT '',
            structured_data TEXT NOT NULL DEFAULT '',
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            lease_owner TEXT NOT NULL DEFAULT '',
            lease_until INTEGER NOT NULL DEFAULT 0,
            UNIQUE (path, target_name))
    )sql");
    // A queue made before leases existed gets their columns (once, whoever comes first).
    db_->run_in_transaction([&] {
        auto columns =
            db_->prepare("SELECT COUNT(*) FROM pragma_table_info('upload_queue') WHERE name = 'lease_owner'");
        columns.step();
        if (columns.integer(0) == 0) {
            db_->execute_script("ALTER TABLE upload_queue ADD COLUMN lease_owner TEXT NOT NULL DEFAULT ''");
            db_->execute_script("ALTER TABLE upload_queue ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0");
        }
    });
}

std::int64_t UploadQueue::now() const
{
    return clock_ ? clock_() : unix_seconds();
}

bool UploadQueue::held_elsewhere(const std::string& owner, std::int64_t until) const
{
    return !owner.empty() && owner != owner_ && until > now() && !lease_owner_is_gone(owner);
}

UploadQueue::~UploadQueue() = default;

QueueItem UploadQueue::enqueue(const std::filesystem::path& path, std::string_view target_name,
                               std::string_view description, std::string_view structured_data)
{
    if (target_name.empty()) {
        throw QueueError("cannot queue " + path.string() + ": empty target name");
    }
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        throw QueueError("cannot queue " + path.string() + ": no such file");
    }
    const std::string absolute = std::filesystem::absolute(path).lexically_normal().string();
    {
        auto existing = db_->prepare("SELECT id, path FROM upload_queue WHERE target_name = ? AND state != 'dropped'");
        existing.bind(target_name);
        while (existing.step()) {
            if (existing.text(1) == absolute) {
                return get(existing.integer(0));
            }
            throw QueueError("cannot queue " + absolute + ": target name '" + std::string(target_name) +
                             "' is already queued for " + existing.text(1));
        }
    }
    const std::string sha1 = file_sha1(absolute);
    const auto size = std::filesystem::file_size(absolute);
    const std::int64_t created = now();
    auto insert = db_->prepare(
        "INSERT INTO upload_queue (path, sha1, size, target_name, description, structured_data, created_at, "
        "updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path, target_name) DO NOTHING");
    insert.bind(absolute).bind(sha1).bind(static_cast<std::int64_t>(size)).bind(target_name).bind(description);
    insert.bind(structured_data);
    insert.bind(created).bind(created);
    insert.step();
    auto select = db_->prepare("SELECT id FROM upload_queue WHERE path = ? AND target_name = ?");
    select.bind(absolute).bind(target_name);
    if (!select.step()) {
        throw std::runtime_error("upload queue: row for " + absolute + " vanished");
    }
    return get(select.integer(0));
}

std::vector<QueueItem> UploadQueue::list() const
{
    auto select = db_->prepare("SELECT " + std::string(item_columns) + " FROM upload_queue ORDER BY id");
    std::vector<QueueItem> items;
    while (select.step()) {
        items.push_back(read_item(select));
    }
    return items;
}

std::optional<QueueItem> UploadQueue::find(std::int64_t id) const
{
    auto select = db_->prepare("SELECT " + std::string(item_columns) + " FROM upload_queue WHERE id = ?");
    select.bind(id);
    if (!select.step()) {
        return std::nullopt;
    }
    return read_item(select);
}

QueueItem UploadQueue::get(std::int64_t id) const
{
    auto item = find(id);
    if (!item) {
        throw QueueError("no upload queue item " + std::to_string(id));
    }
    return *item;
}

std::optional<QueueItem> UploadQueue::next() const
{
    auto select = db_->prepare("SELECT " + std::string(item_columns) +
                               " FROM upload_queue WHERE state IN ('uploading', 'queued') "
                               "ORDER BY state = 'uploading' DESC, id LIMIT 1");
    if (!select.step()) {
        return std::nullopt;
    }
    return read_item(select);
}

std::size_t UploadQueue::pending_count() const
{
    auto select = db_->prepare("SELECT COUNT(*) FROM upload_queue WHERE state IN ('uploading', 'queued')");
    select.step();
    return static_cast<std::size_t>(select.integer(0));
}

std::optional<QueueItem> UploadQueue::claim_next(std::chrono::seconds lease)
{
    std::optional<QueueItem> claimed;
    db_->run_in_transaction([&] {
        auto select = db_->prepare("SELECT " + std::string(item_columns) +
                                   " FROM upload_queue WHERE state IN ('uploading', 'queued') "
                                   "ORDER BY state = 'uploading' DESC, id");
        while (select.step()) {
            QueueItem item = read_item(select);
            const bool mine = item.lease_owner == owner_ && item.lease_until > now();
            if (mine || held_elsewhere(item.lease_owner, item.lease_until)) continue;
            claimed = std::move(item);
            break;
        }
        if (claimed && !claim(claimed->id, lease)) claimed.reset();
    });
    if (claimed) claimed = get(claimed->id);
    return claimed;
}

bool UploadQueue::claim(std::int64_t id, std::chrono::seconds lease)
{
    bool taken = false;
    db_->run_in_transaction([&] {
        const QueueItem item = get(id);
        if (held_elsewhere(item.lease_owner, item.lease_until)) return;
        lease_seconds_ = lease.count();
        auto update = db_->prepare("UPDATE upload_queue SET lease_owner = ?, lease_until = ? WHERE id = ?");
        update.bind(owner_).bind(now() + lease_seconds_).bind(id);
        update.step();
        taken = true;
    });
    return taken;
}

void UploadQueue::release(std::int64_t id)
{
    auto update =
        db_->prepare("UPDATE upload_queue SET lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?");
    update.bind(id).bind(owner_);
    update.step();
}

std::size_t UploadQueue::pending_held_elsewhere() const
{
    std::size_t held = 0;
    auto select = db_->prepare(
        "SELECT lease_owner, lease_until FROM upload_queue "
        "WHERE state IN ('uploading', 'queued') AND lease_owner != ''");
    while (select.step()) {
        if (held_elsewhere(select.text(0), select.integer(1))) ++held;
    }
    return held;
}

namespace {

// Who may make a change: anyone (a person's decision), or only a queue whose lease
// is not overruled by another's (the sync's transitions, which renew that lease).
struct LeaseRule {
    const std::string* owner = nullptr;  // nullptr: a person's decision
    std::int64_t renewed_until = 0;
};

// Runs an UPDATE guarded by a state condition; names the item and its state when it did not apply.
template <typename Bind>
void update_item(UploadQueue& queue, base::SqliteDatabase& db, std::int64_t id, std::string_view set_clause,
                 std::string_view allowed_states, std::string_view action, Bind&& bind_values,
                 const LeaseRule& lease = {})
{
    std::string sql = "UPDATE upload_queue SET " + std::string(set_clause) + ", updated_at = ?";
    if (lease.owner != nullptr) sql += ", lease_until = CASE WHEN lease_owner = ? THEN ? ELSE lease_until END";
    sql += " WHERE id = ? AND state IN (" + std::string(allowed_states) + ")";
    if (lease.owner != nullptr) sql += " AND lease_owner IN ('', ?)";
    auto update = db.prepare(sql);
    bind_values(update);
    update.bind(unix_seconds());
    if (lease.owner != nullptr) update.bind(*lease.owner).bind(lease.renewed_until);
    update.bind(id);
    if (lease.owner != nullptr) update.bind(*lease.owner);
    update.step();
    if (db.changes() == 0) {
        const auto item = queue.find(id);
        if (!item) {
            throw QueueError("no upload queue item " + std::to_string(id));
        }
        if (lease.owner != nullptr && !item->lease_owner.empty() && item->lease_owner != *lease.owner) {
            throw QueueError("cannot " + std::string(action) + " item " + std::to_string(id) +
                             ": another sync has taken it over");
        }
        throw QueueError("cannot " + std::string(action) + " item " + std::to_string(id) + ": it is " +
                         std::string(to_string(item->state)));
    }
}

}  // namespace

void UploadQueue::retry(std::int64_t id, const std::vector<std::string>& accept_warnings)
{
    update_item(*this, *db_, id,
                "state = 'queued', attempts = 0, note = '', filekey = '', offset = 0, stash_time = 0, "
                "accepted_warnings = ?",
                "'failed', 'dropped'", "retry", [&](Statement& s) { s.bind(base::joined(accept_warnings, ",")); });
}

void UploadQueue::retry(const std::vector<std::int64_t>& ids, const std::vector<std::string>& accept_warnings)
{
    db_->run_in_transaction([&] {
        for (const auto id : ids) retry(id, accept_warnings);
    });
}

std::vector<std::int64_t> UploadQueue::retry_failed(const std::vector<std::string>& accept_warnings)
{
    std::vector<std::int64_t> ids;
    db_->run_in_transaction([&] {
        auto select = db_->prepare("SELECT id FROM upload_queue WHERE state = 'failed' ORDER BY id");
        while (select.step()) ids.push_back(select.integer(0));
        for (const auto id : ids) retry(id, accept_warnings);
    });
    return ids;
}

void UploadQueue::drop(std::int64_t id)
{
    update_item(*this, *db_, id, "state = 'dropped', note = 'dropped by request'", "'queued', 'uploading', 'failed'",
                "drop", [](Statement&) {});
}

void UploadQueue::replace_content(std::int64_t id, std::string_view target_name, std::string_view description,
                                  std::string_view structured_data)
{
    if (target_name.empty()) {
        throw QueueError("cannot rename item " + std::to_string(id) + ": empty target name");
    }
    const auto item = get(id);
    const std::string sha1 = file_sha1(item.path);
    const auto size = static_cast<std::int64_t>(std::filesystem::file_size(item.path));
    db_->run_in_transaction([&] {
        auto taken =
            db_->prepare("SELECT path FROM upload_queue WHERE target_name = ? AND id != ? AND state != 'dropped'");
        taken.bind(target_name).bind(id);
        if (taken.step()) {
            throw QueueError("cannot rename item " + std::to_string(id) + ": target name '" + std::string(target_name) +
                             "' is already queued for " + taken.text(0));
        }
        update_item(
            *this, *db_, id,
            "target_name = ?, description = ?, structured_data = ?, sha1 = ?, size = ?, filekey = '', "
            "offset = 0, stash_time = 0, state = CASE state WHEN 'uploading' THEN 'queued' ELSE state END",
            "'queued', 'uploading', 'failed', 'dropped'", "change",
            [&](Statement& s) { s.bind(target_name).bind(description).bind(structured_data).bind(sha1).bind(size); },
            LeaseRule{&owner_, now()});
        release(id);
    });
}

void UploadQueue::mark_uploading(std::int64_t id, std::string_view filekey, std::uint64_t offset,
                                 std::int64_t stash_time)
{
    update_item(
        *this, *db_, id, "state = 'uploading', filekey = ?, offset = ?, stash_time = ?", "'queued', 'uploading'",
        "mark uploading",
        [&](Statement& s) { s.bind(filekey).bind(static_cast<std::int64_t>(offset)).bind(stash_time); },
        LeaseRule{&owner_, now() + lease_seconds_});
}

void UploadQueue::restart_upload(std::int64_t id, std::string_view note)
{
    update_item(
        *this, *db_, id, "state = 'queued', filekey = '', offset = 0, stash_time = 0, note = ?",
        "'queued', 'uploading'", "restart", [&](Statement& s) { s.bind(note); },
        LeaseRule{&owner_, now() + lease_seconds_});
}

void UploadQueue::mark_published(std::int64_t id, std::string_view published_name, std::string_view note)
{
    update_item(
        *this, *db_, id, "state = 'published', published_name = ?, note = ?, filekey = '', offset = 0, stash_time = 0",
        "'queued', 'uploading'", "publish", [&](Statement& s) { s.bind(published_name).bind(note); },
        LeaseRule{&owner_, now() + lease_seconds_});
}

void UploadQueue::mark_failed(std::int64_t id, std::string_view reason)
{
    update_item(
        *this, *db_, id, "state = 'failed', note = ?, attempts = attempts + 1", "'queued', 'uploading'", "fail",
        [&](Statement& s) { s.bind(reason); }, LeaseRule{&owner_, now() + lease_seconds_});
}

void UploadQueue::record_error(std::int64_t id, std::string_view error)
{
    update_item(
        *this, *db_, id, "note = ?, attempts = attempts + 1", "'queued', 'uploading'", "record an error on",
        [&](Statement& s) { s.bind(error); }, LeaseRule{&owner_, now() + lease_seconds_});
}

}  // namespace digikit::uploader
