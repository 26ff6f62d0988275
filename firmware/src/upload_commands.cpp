// `digikit queue` and `digikit sync`: the upload queue in digikit.sqlite and the wiki.
#include <unistd.h>

#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "book_publisher.hpp"
#include "commands.hpp"
#include "digikit/uploader/sync.hpp"

namespace digikit::firmware {
namespace {

uploader::UploadQueue open_queue(const Config& config)
{
    std::filesystem::create_directories(config.data_dir);
    return uploader::UploadQueue(config.data_dir / "digikit.sqlite");
}

std::int64_t item_id(const std::string& text)
{
    try {
        std::size_t used = 0;
        const auto id = std::stoll(text, &used);
        if (used == text.size() && id > 0) return id;
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): reported below
    }
    throw CommandError("'" + text + "' is not a queue item id (see digikit queue)");
}

nlohmann::json item_json(const uploader::QueueItem& item)
{
    return {{"id", item.id},
            {"state", uploader::to_string(item.state)},
            {"file", item.path.string()},
            {"target", item.target_name},
            {"description", item.description},
            {"size", item.size},
            {"sha1", item.sha1},
            {"offset", item.offset},
            {"attempts", item.attempts},
            {"note", item.note},
            {"accepted_warnings", item.accepted_warnings},
            {"published_name", item.published_name},
            {"description", item.description}};
}

std::string joined_ids(const std::vector<std::int64_t>& ids)
{
    std::string text;
    for (const auto id : ids) text += (text.empty() ? "" : ", ") + std::to_string(id);
    return text;
}

// A progress line that rewrites itself on a terminal; plain lines otherwise.
void show_upload_progress(const uploader::SyncEvent& event)
{
    static const bool terminal = ::isatty(STDERR_FILENO) != 0;
    const auto& item = event.item;
    if (event.kind == uploader::SyncEventKind::bytes_sent) {
        if (!terminal) return;
        const auto percent = item.size == 0 ? 100 : event.bytes_done * 100 / item.size;
        std::cerr << "\r\033[K#" << item.id << " " << item.target_name << "  " << percent << "%" << std::flush;
        return;
    }
    if (event.kind == uploader::SyncEventKind::item_started) return;
    std::cerr << (terminal ? "\r\033[K" : "") << "#" << item.id << " " << item.target_name << ": " << event.message
              << "\n";
}

}  // namespace

nlohmann::json queue_json(const Config& config)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : open_queue(config).list()) list.push_back(item_json(item));
    return list;
}

int queue_command(const Config& config, bool json)
{
    if (json) {
        std::cout << queue_json(config).dump(2) << "\n";
        return 0;
    }
    const auto items = open_queue(config).list();
    if (items.empty()) std::cout << "the upload queue is empty\n";
    for (const auto& item : items) {
        std::cout << item.id << "  " << uploader::to_string(item.state) << "  " << item.target_name;
        if (!item.note.empty()) std::cout << "  (" << item.note << ")";
        std::cout << "\n";
    }
    return 0;
}

int queue_show_command(const Config& config, const std::string& id, bool json)
{
    const auto item = open_queue(config).get(item_id(id));
    if (json) {
        auto entry = item_json(item);
        entry["structured_data"] = item.structured_data;
        std::cout << entry.dump(2) << "\n";
        return 0;
    }
    std::cout << "item " << item.id << ": " << uploader::to_string(item.state);
    if (!item.note.empty()) std::cout << " (" << item.note << ")";
    std::cout << "\n  target: File:" << item.target_name << "\n";
    if (!item.published_name.empty()) std::cout << "  published as: File:" << item.published_name << "\n";
    std::cout << "  file: " << item.path.string() << " (" << item.size << " bytes, SHA-1 " << item.sha1 << ")\n"
              << "  description:\n"
              << item.description << (item.description.ends_with('\n') ? "" : "\n");
    return 0;
}

int queue_retry_command(const Config& config, const std::vector<std::string>& ids, bool failed,
                        const std::vector<std::string>& accept_warnings)
{
    auto queue = open_queue(config);
    std::vector<std::int64_t> retried;
    if (failed) {
        retried = queue.retry_failed(accept_warnings);
    } else {
        for (const auto& id : ids) retried.push_back(item_id(id));
        queue.retry(retried, accept_warnings);
    }
    if (retried.empty()) {
        std::cout << "no failed items to retry\n";
        return 0;
    }
    std::cout << (retried.size() == 1 ? "queue item " : "queue items ") << joined_ids(retried)
              << " will be uploaded again";
    for (std::size_t i = 0; i < accept_warnings.size(); ++i) {
        std::cout << (i == 0 ? ", accepting the wiki's warning " : ", ") << accept_warnings[i];
    }
    std::cout << "\n";
    return 0;
}

int queue_drop_command(const Config& config, const std::string& id)
{
    open_queue(config).drop(item_id(id));
    std::cout << "queue item " << id << " dropped\n";
    return 0;
}

int sync_command(const Config& config, bool once, bool dry_run)
{
    auto queue = open_queue(config);
    uploader::ClientOptions options;
    options.api_url = config.commons.api_url;
    if (!dry_run) options = client_options(config);  // a dry run needs no credentials
    uploader::CommonsClient client(options);
    uploader::SyncOptions sync;
    sync.dry_run = dry_run;
    for (;;) {
        const auto summary = uploader::sync_queue(queue, client, sync, show_upload_progress);
        for (const auto& line : summary.plan) std::cout << line << "\n";
        std::cout << summary.published << " published, " << summary.already_on_wiki << " already on the wiki, "
                  << summary.failed << " failed, " << summary.remaining << " remaining";
        if (summary.held_elsewhere > 0) {
            std::cout << ", " << summary.held_elsewhere << " being uploaded by another sync";
        }
        std::cout << "\n";
        if (summary.complete() || dry_run) return summary.failed == 0 ? 0 : 1;
        if (once || summary.needs_person) throw CommandError("sync stopped: " + summary.stopped_because);
        std::cerr << "sync paused: " << summary.stopped_because << "; trying again in 30 s\n";
        std::this_thread::sleep_for(std::chrono::seconds(30));
    }
}

}  // namespace digikit::firmware
