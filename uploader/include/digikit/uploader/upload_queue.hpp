#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace digikit::uploader {

// Where a queued file stands. queued -> uploading -> published is the happy path;
// failed needs a person (retry or drop); dropped is never uploaded.
enum class ItemState { queued, uploading, published, failed, dropped };

[[nodiscard]] std::string_view to_string(ItemState state);
[[nodiscard]] std::optional<ItemState> parse_item_state(std::string_view text);

struct QueueItem {
    std::int64_t id = 0;
    std::filesystem::path path;
    std::string sha1;  // 40 lower-case hex digits
    std::uint64_t size = 0;
    std::string target_name;  // the file name on the wiki, without "File:"
    std::string description;  // the description page's wikitext
    // Structured data for the file's MediaInfo entity (e.g. P6216 copyright status, P275
    // licence) as wbeditentity's `data` JSON, e.g. {"claims":[...]}; empty for none.
    std::string structured_data;
    ItemState state = ItemState::queued;
    std::string filekey;                         // uploading: the wiki's stash key
    std::uint64_t offset = 0;                    // uploading: bytes the stash holds (== size once assembled)
    std::int64_t stash_time = 0;                 // uploading: when the stash was started (Unix seconds)
    std::string published_name;                  // published: the file name the page has on the wiki
    std::string note;                            // failed: the reason; otherwise how the item ended
    int attempts = 0;                            // sync attempts that ended in an error
    std::vector<std::string> accepted_warnings;  // warning codes a person accepted for this item
    std::int64_t created_at = 0;                 // Unix seconds
    std::int64_t updated_at = 0;
    // While a sync (or an edit) works on the item: who holds it, and until when (Unix
    // seconds); empty when nobody does.
    std::string lease_owner;
    std::int64_t lease_until = 0;
};

// Thrown when an operation names an item that does not exist or is in the wrong state.
class QueueError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// SHA-1 of a file's contents as 40 lower-case hex digits (OpenSSL). Throws on read errors.
[[nodiscard]] std::string file_sha1(const std::filesystem::path& path);

// The durable upload queue: table upload_queue in the shared digikit.sqlite (its own
// connection, WAL, synchronous=FULL, so a committed change survives a power cut).
// Every change is one transaction; the object is for one thread.
//
// Any number of queues, in any processes, may work on one database at once: an item is
// claimed with a lease before it is uploaded or edited, and no other queue claims it
// while the lease holds. A lease ends when its holder releases it, when it expires, or
// at once when the holding process is gone (killed, or before a reboot).
class UploadQueue {
public:
    // `clock`: Unix seconds now (tests pass a virtual clock); the system clock by default.
    explicit UploadQueue(const std::filesystem::path& database, std::function<std::int64_t()> clock = {});
    UploadQueue(const UploadQueue&) = delete;
    UploadQueue& operator=(const UploadQueue&) = delete;
    ~UploadQueue();

    // Queues a file that is already durable on disk (checked: it must exist). The SHA-1
    // and size are computed here. Queuing the same path and target again returns the
    // existing row unchanged; a target already queued for another file is a QueueError.
    QueueItem enqueue(const std::filesystem::path& path, std::string_view target_name, std::string_view description,
                      std::string_view structured_data = {});

    [[nodiscard]] std::vector<QueueItem> list() const;
    [[nodiscard]] std::optional<QueueItem> find(std::int64_t id) const;
    [[nodiscard]] QueueItem get(std::int64_t id) const;  // QueueError when absent

    // The next item to work on: an interrupted upload first, then the oldest queued.
    [[nodiscard]] std::optional<QueueItem> next() const;
    // How many items are queued or uploading.
    [[nodiscard]] std::size_t pending_count() const;

    // Like next(), skipping items held by any queue (this one too), and takes the item's lease for
    // `lease` (renewed by every transition below). nullopt when nothing is free.
    [[nodiscard]] std::optional<QueueItem> claim_next(std::chrono::seconds lease);
    // Takes the lease of one item (any state) unless another queue holds it.
    [[nodiscard]] bool claim(std::int64_t id, std::chrono::seconds lease);
    // Gives up this queue's lease on the item, if it holds it.
    void release(std::int64_t id);
    // Items queued or uploading whose lease another live queue holds.
    [[nodiscard]] std::size_t pending_held_elsewhere() const;

    // A person's decisions. retry: failed or dropped -> queued, attempts reset, optionally
    // accepting warning codes (e.g. "was-deleted") for this item only. drop: anything not
    // yet published -> dropped.
    void retry(std::int64_t id, const std::vector<std::string>& accept_warnings = {});
    // retry for several items at once, all or none: a QueueError names the first item
    // that cannot be retried, and then nothing changed.
    void retry(const std::vector<std::int64_t>& ids, const std::vector<std::string>& accept_warnings = {});
    // Every failed item -> queued; returns their ids, oldest first.
    std::vector<std::int64_t> retry_failed(const std::vector<std::string>& accept_warnings = {});
    void drop(std::int64_t id);

    // The item's file was written again after it was queued (e.g. its metadata embedded
    // anew): a new target name, description and structured data, the SHA-1 and size read
    // from the file again, a stash forgotten (it held the old bytes; uploading -> queued),
    // and this queue's lease given up. Only before publishing, and not while another
    // queue holds the item (QueueError).
    void replace_content(std::int64_t id, std::string_view target_name, std::string_view description,
                         std::string_view structured_data);

    // Transitions made by the sync. Each fails with a QueueError when another queue holds
    // the item's lease.
    void mark_uploading(std::int64_t id, std::string_view filekey, std::uint64_t offset, std::int64_t stash_time);
    void restart_upload(std::int64_t id, std::string_view note);  // uploading -> queued, stash forgotten
    void mark_published(std::int64_t id, std::string_view published_name, std::string_view note);
    void mark_failed(std::int64_t id, std::string_view reason);  // attempts + 1
    void record_error(std::int64_t id, std::string_view error);  // attempts + 1, state kept

private:
    [[nodiscard]] std::int64_t now() const;
    // True when the lease `owner` / `until` stops this queue from taking the item.
    [[nodiscard]] bool held_elsewhere(const std::string& owner, std::int64_t until) const;

    struct Connection;
    std::unique_ptr<Connection> db_;
    std::function<std::int64_t()> clock_;
    std::string owner_;               // this queue's name in lease_owner
    std::int64_t lease_seconds_ = 0;  // the length of the leases it takes
};

}  // namespace digikit::uploader
