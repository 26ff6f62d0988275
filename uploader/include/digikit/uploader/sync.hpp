#pragma once

// Uploading the queue to the wiki. How the firmware uses it:
//
//   using namespace digikit::uploader;
//   UploadQueue queue(data_dir / "digikit.sqlite");
//   // when a book is closed, for each page file already durable on disk:
//   queue.enqueue(page_path, commons_file_name, description_wikitext, structured_data_json);
//
//   // `digikit sync`, the Sync button, or the daemon when the network is back:
//   ClientOptions options;
//   options.api_url = config.commons.api_url;
//   options.credentials = load_credentials(config.commons.credentials_file);
//   CommonsClient client(options);
//   SyncOptions sync;                       // sync.dry_run = true for `--dry-run`
//   SyncSummary summary = sync_queue(queue, client, sync, [](const SyncEvent& e) { ... });
//   // summary.complete(): nothing left; otherwise summary.stopped_because says why
//   // (e.g. the network is gone) and the next call resumes where this one stopped.
//
// `digikit queue` is queue.list(); `queue retry ID` is queue.retry(id) (with the warning
// codes a person accepts, e.g. {"was-deleted"}); `queue drop ID` is queue.drop(id).
// Nothing here logs; credentials never appear in events, notes or exceptions.

#include "digikit/uploader/commons_client.hpp"
#include "digikit/uploader/upload_queue.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace digikit::uploader {

struct SyncOptions {
    bool dry_run = false;                           // report what would happen; neither the wiki nor the queue changes
    std::string comment = "Uploaded with digikit";  // the upload summary on the wiki
    std::chrono::seconds stash_max_age = std::chrono::hours(48);  // older stashes restart from zero
    std::size_t max_items = 0;                                    // stop after this many items (0: no limit)
    std::function<bool()> should_stop;                            // polled between items and chunks (daemon shutdown)
    // How long an item stays this run's before another may take it (renewed with every
    // step; a killed run's items are free at once). Longer than a whole request may last.
    std::chrono::seconds lease = std::chrono::minutes(15);
};

enum class SyncEventKind { item_started, bytes_sent, item_finished, planned };

struct SyncEvent {
    SyncEventKind kind;
    const QueueItem& item;
    std::uint64_t bytes_done = 0;  // bytes of this item the wiki holds
    std::string message;           // item_finished / planned: what happened or would happen
};

using SyncProgress = std::function<void(const SyncEvent&)>;

struct SyncSummary {
    std::size_t published = 0;        // uploaded by this run
    std::size_t already_on_wiki = 0;  // the same content was found on the wiki: not uploaded again
    std::size_t failed = 0;           // need a person's decision (see each item's note)
    std::size_t remaining = 0;        // still queued or uploading when the run ended, not counting:
    std::size_t held_elsewhere = 0;   // items another run (another `sync`, the daemon) is uploading
    std::vector<std::string> plan;    // dry run: one line per pending item
    std::string stopped_because;      // why the run ended early; empty when it did not
    bool needs_person = false;        // retrying will not help (a wrong api_url, a refused login)

    [[nodiscard]] bool complete() const { return remaining == 0 && stopped_because.empty(); }
};

// Uploads queued items, oldest first, interrupted uploads first of all, each claimed
// with a lease so that any number of runs share the queue (an item another run holds is
// left to it). Every step is
// recorded in the queue before the next one starts, so a kill at any moment loses
// nothing and a later call resumes. A network failure or an overloaded wiki ends the run
// (stopped_because) after the client's retries; so does an address that is not the API
// or a refused login (needs_person), leaving the items as they were. A problem with one
// item fails that item and the run goes on.
SyncSummary sync_queue(UploadQueue& queue, CommonsClient& client, const SyncOptions& options,
                       const SyncProgress& progress = {});

}  // namespace digikit::uploader
