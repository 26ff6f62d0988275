#include "digikit/uploader/sync.hpp"

#include <algorithm>
#include <set>

#include "unix_time.hpp"

namespace digikit::uploader {
namespace {

enum class Outcome { published, already_on_wiki, failed };

// Raised inside one item's sync to end the whole run without touching the item further.
struct StopRequested {};

class ItemSync {
public:
    ItemSync(UploadQueue& queue, CommonsClient& client, const SyncOptions& options, const SyncProgress& progress,
             QueueItem item)
        : queue_(queue), client_(client), options_(options), progress_(progress), item_(std::move(item))
    {
    }

    Outcome run()
    {
        if (auto problem = local_problem()) {
            return fail(*problem);
        }
        if (auto found = find_on_wiki()) {
            return *found;
        }
        UploadResponse response;
        if (item_.size <= client_.options().chunked_threshold && item_.filekey.empty()) {
            response = client_.upload_plain(item_.path, item_.target_name, item_.description, options_.comment);
        } else {
            const std::string filekey = stash_in_chunks();
            response = client_.publish_stashed(filekey, item_.target_name, item_.description, options_.comment);
        }
        return finish(response);
    }

private:
    // The file must still be the one that was queued: same size, same SHA-1.
    [[nodiscard]] std::optional<std::string> local_problem() const
    {
        std::error_code error;
        const auto size = std::filesystem::file_size(item_.path, error);
        if (error) {
            return "file " + item_.path.string() + " is missing: " + error.message();
        }
        if (size != item_.size || file_sha1(item_.path) != item_.sha1) {
            return "file " + item_.path.string() + " changed since it was queued (size or SHA-1 differs)";
        }
        return std::nullopt;
    }

    // The wiki already has this content (maybe from a run that was killed after publishing).
    std::optional<Outcome> find_on_wiki()
    {
        const auto names = client_.files_with_sha1(item_.sha1);
        if (names.empty()) {
            return std::nullopt;
        }
        const bool same_name = std::find(names.begin(), names.end(), wiki_name(item_.target_name)) != names.end();
        const std::string name = same_name ? wiki_name(item_.target_name) : names.front();
        const std::string note =
            same_name ? "already on the wiki (same SHA-1); not uploaded again"
                      : "same content already on the wiki as File:" + name + " (same SHA-1); not uploaded again";
        queue_.mark_published(item_.id, name, note);
        finished(note);
        return Outcome::already_on_wiki;
    }

    // MediaWiki stores names with underscores and a capital first letter.
    static std::string wiki_name(std::string name)
    {
        std::replace(name.begin(), name.end(), ' ', '_');
        if (!name.empty() && name[0] >= 'a' && name[0] <= 'z') {
            name[0] = static_cast<char>(name[0] - 'a' + 'A');
        }
        return name;
    }

    // Sends the missing chunks, resuming a stored stash when the wiki still has it;
    // returns the filekey of the complete stashed file.
    std::string stash_in_chunks()
    {
        std::string filekey = resumable_filekey();
        if (!filekey.empty() && item_.offset == item_.size) {
            return filekey;
        }
        std::int64_t stash_time = filekey.empty() ? unix_seconds() : item_.stash_time;
        std::uint64_t offset = filekey.empty() ? 0 : item_.offset;
        int restarts = 0;
        while (offset < item_.size) {
            check_stop();
            const std::uint64_t length = std::min(client_.options().chunk_size, item_.size - offset);
            UploadResponse response;
            try {
                response = client_.upload_chunk(item_.path, item_.size, item_.target_name, filekey, offset, length);
            } catch (const ApiError& error) {
                // A chunk may have landed before its connection dropped: ask the wiki where the stash is.
                const auto server = filekey.empty() ? std::nullopt : client_.stash_offset(filekey);
                if (server && *server != offset && *server <= item_.size) {
                    offset = *server;
                    queue_.mark_uploading(item_.id, filekey, offset, stash_time);
                    continue;
                }
                if (++restarts > 2) {
                    throw;
                }
                filekey.clear();
                offset = 0;
                stash_time = unix_seconds();
                queue_.restart_upload(item_.id, std::string("stash restarted after: ") + error.what());
                continue;
            }
            if (response.result != "Continue" && response.result != "Success") {
                throw ApiError("unexpected-chunk-result",
                               "chunk answer '" + response.result + "' for " + item_.target_name);
            }
            filekey = response.filekey;
            offset = response.result == "Success" ? item_.size : response.offset;
            queue_.mark_uploading(item_.id, filekey, offset, stash_time);
            if (progress_) {
                progress_(SyncEvent{SyncEventKind::bytes_sent, item_, offset, {}});
            }
        }
        return filekey;
    }

    // The stored filekey when the stash is young enough and the wiki still knows it;
    // otherwise forgets it (the upload restarts from zero). item_.offset is updated.
    std::string resumable_filekey()
    {
        if (item_.state != ItemState::uploading || item_.filekey.empty()) {
            return {};
        }
        std::string why;
        if (unix_seconds() - item_.stash_time > options_.stash_max_age.count()) {
            why = "stash older than " + std::to_string(options_.stash_max_age.count() / 3600) + " h; restarted";
        } else if (item_.offset >= item_.size) {
            if (client_.stash_exists(item_.filekey)) {
                return item_.filekey;
            }
            why = "the wiki no longer has the stashed file; restarted";
        } else if (const auto server = client_.stash_offset(item_.filekey); server && *server <= item_.size) {
            item_.offset = *server;
            queue_.mark_uploading(item_.id, item_.filekey, item_.offset, item_.stash_time);
            return item_.filekey;
        } else {
            why = "the wiki no longer has the unfinished stash; restarted";
        }
        queue_.restart_upload(item_.id, why);
        item_.filekey.clear();
        item_.offset = 0;
        return {};
    }

    Outcome finish(const UploadResponse& response)
    {
        if (response.result == "Success") {
            const std::string name = response.filename.empty() ? wiki_name(item_.target_name) : response.filename;
            const std::string note = "uploaded" + add_structured_data(name);
            queue_.mark_published(item_.id, name, note);
            finished("uploaded as File:" + name + (note == "uploaded" ? "" : note.substr(8)));
            return Outcome::published;
        }
        if (response.result == "Warning") {
            return handle_warnings(response);
        }
        if (response.result == "Poll") {
            // Published asynchronously: the next sync confirms it by SHA-1 before anything else.
            throw TransientError("the wiki is still publishing " + item_.target_name + "; it is confirmed next sync");
        }
        return fail("unexpected upload result '" + response.result + "'");
    }

    // Structured data goes to the new file's MediaInfo entity where the wiki has Wikibase
    // (Commons); elsewhere it is skipped with a note. A failure here never unpublishes the
    // file: it is recorded in the note for a person to redo.
    std::string add_structured_data(const std::string& name)
    {
        if (item_.structured_data.empty()) {
            return {};
        }
        try {
            if (!client_.has_module("wbeditentity")) {
                return "; structured data skipped: the wiki has no wbeditentity";
            }
            const auto info = client_.file_info(name);
            if (!info || info->page_id == 0) {
                return "; structured data not added: the file page was not found";
            }
            client_.edit_entity("M" + std::to_string(info->page_id), item_.structured_data, options_.comment);
            return "; structured data added";
        } catch (const std::exception& error) {
            return std::string("; structured data not added: ") + error.what();
        }
    }

    // Every warning code has a deliberate outcome; nothing is ignored wholesale.
    Outcome handle_warnings(const UploadResponse& response)
    {
        // A file with this content may have appeared meanwhile (a run killed after publishing).
        if (auto found = find_on_wiki()) {
            return *found;
        }
        const auto& warnings = response.warnings;
        if (warnings.contains("nochange") || warnings.contains("duplicate")) {
            const std::string other =
                warnings.contains("duplicate") ? first_name(warnings.at("duplicate")) : wiki_name(item_.target_name);
            const std::string note = "same content already on the wiki as File:" + other + "; not uploaded again";
            queue_.mark_published(item_.id, other, note);
            finished(note);
            return Outcome::already_on_wiki;
        }
        std::set<std::string> accepted(item_.accepted_warnings.begin(), item_.accepted_warnings.end());
        std::string reasons;
        for (const auto& [code, detail] : warnings) {
            if (accepted.contains(code)) {
                continue;
            }
            reasons += (reasons.empty() ? "" : "; ") + explain_warning(code, detail);
        }
        if (reasons.empty() && !response.filekey.empty()) {
            // Every warning was accepted by a person for this item: publish the stashed file.
            const auto again =
                client_.publish_stashed(response.filekey, item_.target_name, item_.description, options_.comment, true);
            if (again.result == "Success") {
                const std::string name = again.filename.empty() ? wiki_name(item_.target_name) : again.filename;
                std::string codes;
                for (const auto& entry : warnings) {
                    codes += (codes.empty() ? "" : ", ") + entry.first;
                }
                const std::string note = "uploaded as File:" + name + " accepting warnings: " + codes;
                queue_.mark_published(item_.id, name, note);
                finished(note);
                return Outcome::published;
            }
            return fail("the wiki refused the upload after accepting its warnings (result " + again.result + ")");
        }
        return fail(reasons.empty() ? "the wiki warned but gave no stash to publish" : reasons);
    }

    static std::string first_name(const std::string& list) { return list.substr(0, list.find(", ")); }

    static std::string explain_warning(const std::string& code, const std::string& detail)
    {
        if (code == "exists") {
            return "exists: File:" + detail +
                   " already exists with other content; not overwritten "
                   "(rename the target, or retry accepting 'exists' to upload a new version)";
        }
        if (code == "exists-normalized") {
            return "exists-normalized: File:" + detail + " differs only in the case of the extension; not uploaded";
        }
        if (code == "duplicate-archive") {
            return "duplicate-archive: the same content was deleted from the wiki as File:" + detail +
                   "; not uploaded again unless a person accepts 'duplicate-archive'";
        }
        if (code == "was-deleted") {
            return "was-deleted: a file named " + detail +
                   " was deleted from the wiki; not uploaded unless a person accepts 'was-deleted'";
        }
        if (code == "badfilename") {
            return "badfilename: the wiki would rename the file to " + detail + "; fix the target name";
        }
        return code + ": " + detail;
    }

    Outcome fail(const std::string& reason)
    {
        queue_.mark_failed(item_.id, reason);
        finished("failed: " + reason);
        return Outcome::failed;
    }

    void finished(const std::string& message)
    {
        if (progress_) {
            progress_(SyncEvent{SyncEventKind::item_finished, item_, item_.size, message});
        }
    }

    void check_stop() const
    {
        if (options_.should_stop && options_.should_stop()) {
            throw StopRequested{};
        }
    }

    UploadQueue& queue_;
    CommonsClient& client_;
    const SyncOptions& options_;
    const SyncProgress& progress_;
    QueueItem item_;
};

std::string plan_line(const QueueItem& item, const CommonsClient& client, const SyncOptions& options)
{
    std::string line = std::string("#").append(std::to_string(item.id)) + " " + item.path.string() +
                       " -> File:" + item.target_name + " (" + std::to_string(item.size) + " bytes, ";
    if (!std::filesystem::exists(item.path)) {
        return line + "would fail: the file is missing)";
    }
    if (item.state == ItemState::uploading && !item.filekey.empty()) {
        if (unix_seconds() - item.stash_time > options.stash_max_age.count()) {
            return line + "would restart: stash too old)";
        }
        return line + "would resume at byte " + std::to_string(item.offset) + ")";
    }
    const bool chunked = item.size > client.options().chunked_threshold;
    return line + (chunked ? "would upload in chunks)" : "would upload)") +
           ", unless the wiki has the same SHA-1 already";
}

// After an error answer: whether the wiki has the item's content after all.
bool confirm_by_sha1(UploadQueue& queue, CommonsClient& client, const QueueItem& item, SyncSummary& summary,
                     const SyncProgress& progress)
{
    std::vector<std::string> names;
    try {
        names = client.files_with_sha1(item.sha1);
    } catch (const std::exception&) {
        return false;
    }
    if (names.empty()) {
        return false;
    }
    const std::string note = "on the wiki as File:" + names.front() + " (confirmed by SHA-1 after an error answer)";
    queue.mark_published(item.id, names.front(), note);
    ++summary.published;
    if (progress) {
        progress(SyncEvent{SyncEventKind::item_finished, item, item.size, note});
    }
    return true;
}

// Gives the item's lease back however its sync ends.
class HeldLease {
public:
    HeldLease(UploadQueue& queue, std::int64_t id) : queue_(queue), id_(id) {}
    HeldLease(const HeldLease&) = delete;
    HeldLease& operator=(const HeldLease&) = delete;
    ~HeldLease()
    {
        try {
            queue_.release(id_);
        } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the lease then expires
        }
    }

private:
    UploadQueue& queue_;
    std::int64_t id_;
};

// One claimed item through ItemSync, its outcome counted; false when the whole run must stop.
bool sync_item(UploadQueue& queue, CommonsClient& client, const SyncOptions& options, const SyncProgress& progress,
               const QueueItem& item, SyncSummary& summary)
{
    try {
        switch (ItemSync(queue, client, options, progress, item).run()) {
            case Outcome::published: ++summary.published; break;
            case Outcome::already_on_wiki: ++summary.already_on_wiki; break;
            case Outcome::failed: ++summary.failed; break;
        }
    } catch (const StopRequested&) {
        summary.stopped_because = "stop requested";
        return false;
    } catch (const TransientError& error) {
        queue.record_error(item.id, error.what());
        summary.stopped_because = error.what();
        return false;
    } catch (const EndpointError& error) {
        summary.stopped_because = error.what();  // not the item's fault: it stays as it was
        summary.needs_person = true;
        return false;
    } catch (const ApiError& error) {
        if (error.code() == "login-failed") {
            summary.stopped_because = error.what();  // every item would fail the same way
            summary.needs_person = true;
            return false;
        }
        // E.g. fileexists-no-change: a publish that landed although its answer was lost.
        if (!confirm_by_sha1(queue, client, item, summary, progress)) {
            queue.mark_failed(item.id, error.what());
            ++summary.failed;
        }
    }
    return true;
}

}  // namespace

SyncSummary sync_queue(UploadQueue& queue, CommonsClient& client, const SyncOptions& options,
                       const SyncProgress& progress)
{
    SyncSummary summary;
    if (options.dry_run) {
        for (const auto& item : queue.list()) {
            if (item.state == ItemState::queued || item.state == ItemState::uploading) {
                summary.plan.push_back(plan_line(item, client, options));
                if (progress) {
                    progress(SyncEvent{SyncEventKind::planned, item, item.offset, summary.plan.back()});
                }
            }
        }
        summary.remaining = summary.plan.size();
        return summary;
    }
    std::size_t handled = 0;
    for (;;) {
        if (options.should_stop && options.should_stop()) {
            summary.stopped_because = "stop requested";
            break;
        }
        if (options.max_items != 0 && handled == options.max_items) {
            summary.stopped_because = "item limit reached";
            break;
        }
        const auto item = queue.claim_next(options.lease);
        if (!item) {
            break;
        }
        ++handled;
        const HeldLease held(queue, item->id);
        if (progress) {
            progress(SyncEvent{SyncEventKind::item_started, *item, item->offset, {}});
        }
        try {
            if (!sync_item(queue, client, options, progress, *item, summary)) {
                break;
            }
        } catch (const QueueError& error) {
            // A person dropped the item meanwhile, or another sync took it over: theirs now.
            if (progress) {
                progress(SyncEvent{SyncEventKind::item_finished, *item, item->offset,
                                   std::string("left alone: ") + error.what()});
            }
        }
    }
    summary.held_elsewhere = queue.pending_held_elsewhere();
    const std::size_t pending = queue.pending_count();
    summary.remaining = pending > summary.held_elsewhere ? pending - summary.held_elsewhere : 0;
    return summary;
}

}  // namespace digikit::uploader
