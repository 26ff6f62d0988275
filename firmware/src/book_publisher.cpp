#include "book_publisher.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "digikit/base/text.hpp"
#include "digikit/metadata/book_file_wikitext.hpp"
#include "digikit/metadata/commons_name.hpp"
#include "digikit/metadata/embedding.hpp"
#include "digikit/metadata/structured_data.hpp"
#include "digikit/metadata/wikitext.hpp"
#include "digikit/uploader/upload_queue.hpp"

namespace digikit::firmware {
namespace {

// One file of a page as it goes to the wiki.
struct PageUpload {
    std::filesystem::path file;
    std::string name;
    std::string description;
};

// The queue items of a book's files, by path.
using ItemsByPath = std::map<std::filesystem::path, uploader::QueueItem>;

ItemsByPath items_of(const std::vector<Page>& pages, const std::vector<uploader::QueueItem>& queued)
{
    std::map<std::filesystem::path, std::filesystem::path> files;  // as the queue stores them -> as pages name them
    for (const auto& page : pages) {
        for (const auto& file : {page.access, page.master}) {
            files[std::filesystem::absolute(file).lexically_normal()] = file;
        }
    }
    ItemsByPath items;
    for (const auto& item : queued) {
        if (const auto file = files.find(item.path); file != files.end()) items[file->second] = item;
    }
    return items;
}

// The name the wiki gave a file as a person reads it: MediaWiki stores titles with "_"
// for spaces, and names digikit gives never hold "_".
std::string readable_name(std::string name)
{
    std::replace(name.begin(), name.end(), '_', ' ');
    return name;
}

// An item whose file the wiki has: it keeps its name and bytes.
const uploader::QueueItem* published_item(const ItemsByPath& items, const std::filesystem::path& file)
{
    const auto it = items.find(file);
    return it != items.end() && it->second.state == uploader::ItemState::published ? &it->second : nullptr;
}

// The default Commons name pattern, with the extension of the first file uploaded. Names
// queued for other files are taken (the wiki holds one file per name).
metadata::CommonsFileNamer namer_for(const Config& config, const std::vector<uploader::QueueItem>& queued,
                                     const ItemsByPath& book_items)
{
    std::string pattern(metadata::default_file_name_pattern);
    metadata::CommonsFileNamer names(pattern.substr(0, pattern.rfind('.')) +
                                     (config.commons.upload == UploadFiles::tiff ? ".tif" : ".jpg"));
    std::set<std::int64_t> renamable;  // the book's own files not yet on the wiki
    for (const auto& [file, item] : book_items) {
        if (item.state != uploader::ItemState::published) renamable.insert(item.id);
    }
    for (const auto& item : queued) {
        if (item.state != uploader::ItemState::dropped && !renamable.contains(item.id)) names.reserve(item.target_name);
    }
    return names;
}

// With a book file, every page is in the book's page category and links to the book file
// (Other versions), which links back to the category.
metadata::DescriptionOptions page_description_options(const metadata::BookMetadata& book, const Config& config)
{
    metadata::DescriptionOptions options;
    if (config.commons.book_file != BookFileFormat::none) {
        options.extra_categories.push_back(metadata::page_category(book));
        options.other_versions = metadata::book_file_link(
            metadata::book_file_name(book, "." + book_file_format_name(config.commons.book_file)));
    }
    return options;
}

// The files of a page that commons.upload names, with their wiki names and descriptions.
// With "both", the TIFF master gets a stem of its own (the wiki refuses "X.tif" beside
// "X.jpg") and each description page links to the other. A file already on the wiki is
// linked under the name it has there. `book_options`: what every page's description has.
std::vector<PageUpload> uploads_of(const Config& config, const metadata::BookMetadata& book,
                                   const metadata::PageInfo& info, const Page& page, metadata::CommonsFileNamer& names,
                                   const ItemsByPath& items, const metadata::DescriptionOptions& book_options)
{
    std::vector<PageUpload> uploads;
    if (config.commons.upload != UploadFiles::tiff) uploads.push_back({page.access, names.name_for(book, info), {}});
    if (config.commons.upload == UploadFiles::tiff) uploads.push_back({page.master, names.name_for(book, info), {}});
    if (config.commons.upload == UploadFiles::both) {
        const auto master = names.sibling_name(uploads[0].name, "master", page.master.extension().string());
        uploads.push_back({page.master, master, {}});
    }
    for (auto& upload : uploads) {
        if (const auto* item = published_item(items, upload.file)) upload.name = readable_name(item->published_name);
    }
    for (auto& upload : uploads) {
        std::vector<std::string> others;
        for (const auto& other : uploads) {
            if (other.file != upload.file) others.push_back(other.name);
        }
        metadata::DescriptionOptions options = book_options;
        const std::string links = metadata::file_links(others);
        if (!links.empty()) {
            options.other_versions = links + (options.other_versions.empty() ? "" : " ") + options.other_versions;
        }
        upload.description = metadata::page_description(book, info, options);
    }
    return uploads;
}

// Whether every file of the page the wiki is to get is queued (or published) with this
// name and description: then its metadata is embedded already and nothing is to change.
bool is_current(const std::vector<PageUpload>& uploads, const ItemsByPath& items, const std::string& structured)
{
    return std::all_of(uploads.begin(), uploads.end(), [&](const PageUpload& upload) {
        const auto item = items.find(upload.file);
        return item != items.end() && item->second.description == upload.description &&
               item->second.structured_data == structured &&
               (item->second.state == uploader::ItemState::published || item->second.target_name == upload.name);
    });
}

// Brings one file of a changed page up to date: the metadata embedded again and its
// queue item renamed and described anew; or, not queued yet and the wiki is to get it,
// queued. A file already on the wiki, or being uploaded right now, is left alone.
void publish_file(uploader::UploadQueue& queue, const ItemsByPath& items, const std::filesystem::path& file,
                  const std::vector<PageUpload>& uploads, const metadata::BookMetadata& book,
                  const metadata::PageInfo& info, const std::string& structured, PublishReport& report)
{
    const auto upload =
        std::find_if(uploads.begin(), uploads.end(), [&](const PageUpload& u) { return u.file == file; });
    const auto item = items.find(file);
    const bool queued = item != items.end();
    if (queued && item->second.state == uploader::ItemState::published) {
        if (upload != uploads.end() && upload->description != item->second.description) {
            report.left_on_wiki.push_back(readable_name(item->second.published_name));
        }
        return;
    }
    if (queued && upload == uploads.end()) return;  // queued under another commons.upload: left as it is
    if (queued && !queue.claim(item->second.id, std::chrono::minutes(5))) {
        report.being_uploaded.push_back(item->second.target_name);
        return;
    }
    // The file is durable (embedding writes atomically) before its row changes or exists.
    metadata::embed_metadata(file, book, info);
    if (queued) {
        queue.replace_content(item->second.id, upload->name, upload->description, structured);
        ++report.updated;
    } else if (upload != uploads.end()) {
        queue.enqueue(file, upload->name, upload->description, structured);
        ++report.queued;
    }
}

// "File:A.jpg, File:B.jpg and 3 more".
std::string file_list(const std::vector<std::string>& names)
{
    constexpr std::size_t shown = 5;
    std::string text;
    for (std::size_t i = 0; i < names.size() && i < shown; ++i) text += (i == 0 ? "File:" : ", File:") + names[i];
    if (names.size() > shown) text += " and " + std::to_string(names.size() - shown) + " more";
    return text;
}

// A page whose number in the book is final: every shot before it has its pages.
struct NumberedPage {
    Page page;
    int number = 0;
};

// Walks the book's shots in book order. The pages before the first shot still
// processing (or failed) have final numbers and go into `ready` when it is given.
ClosingProgress measure(BookStore& store, const std::string& id, std::vector<NumberedPage>* ready)
{
    ClosingProgress progress;
    progress.book_id = id;
    progress.state = store.book_state(id);
    std::map<std::int64_t, std::vector<Page>> pages_by_shot;
    for (auto& page : store.pages_of(id)) pages_by_shot[page.shot_id].push_back(std::move(page));
    bool blocked = false;
    int number = 0;
    for (const auto& shot : store.shots_of(id)) {
        if (shot.dropped) continue;
        if (!shot.processed) {
            blocked = true;
            if (shot.failed()) {
                progress.failed.push_back(shot);
            } else {
                ++progress.processing;
            }
            continue;
        }
        for (const auto& page : pages_by_shot[shot.id]) {
            ++number;
            progress.pages_queued += page.queued ? 1 : 0;
            progress.pages_waiting += page.queued ? 0 : 1;
            if (!blocked && ready != nullptr) ready->push_back({page, number});
        }
    }
    return progress;
}

// Brings each page's queue items in line with the book's metadata (see publish_book),
// then marks the page queued. Names come from one namer walking every ready page in
// order, so a page keeps its name from one call to the next.
PublishReport publish_pages(BookStore& store, const Config& config, const std::string& id,
                            const std::vector<NumberedPage>& pages)
{
    const auto book = store.read_metadata(id);
    uploader::UploadQueue queue(store.data_dir() / "digikit.sqlite");
    const auto queued = queue.list();
    const ItemsByPath items = items_of(store.pages_of(id), queued);
    auto names = namer_for(config, queued, items);
    const std::string structured = metadata::structured_data_json(book);
    const metadata::DescriptionOptions options = page_description_options(book, config);
    PublishReport report;
    for (const auto& [page, number] : pages) {
        metadata::PageInfo info;
        info.book_id = id;
        info.page_number = number;
        info.capture_time = page.captured_at;
        const auto uploads = uploads_of(config, book, info, page, names, items, options);
        if (!is_current(uploads, items, structured)) {
            // Both files carry the metadata, whichever the wiki gets.
            for (const auto& file : {page.access, page.master}) {
                publish_file(queue, items, file, uploads, book, info, structured, report);
            }
        }
        if (!page.queued) store.mark_queued(page.shot_id, page.index);
    }
    return report;
}

// What keeps the book's pages from the queue in its metadata: the fields an upload needs,
// and what is invalid in a book.toml broken by hand.
std::vector<std::string> metadata_gaps(BookStore& store, const std::string& id)
{
    const auto file = store.read_book_file(id);
    auto missing = metadata::missing_for_upload(file.book);
    for (const auto& problem : file.problems) missing.push_back(problem.message);
    return missing;
}

}  // namespace

uploader::ClientOptions client_options(const Config& config)
{
    uploader::ClientOptions options;
    options.api_url = config.commons.api_url;
    options.chunk_size = static_cast<std::uint64_t>(config.commons.chunk_kb) * 1024;
    options.chunked_threshold = options.chunk_size;
    options.credentials = uploader::load_credentials(config.commons.credentials_file);
    return options;
}

PublishReport publish_book(BookStore& store, const Config& config, const std::string& id)
{
    const std::string state = store.book_state(id);
    if ((state != "closing" && state != "closed") || !metadata_gaps(store, id).empty()) return {};
    std::vector<NumberedPage> ready;
    const auto before = measure(store, id, &ready);
    auto report = publish_pages(store, config, id, ready);
    if (state == "closing" && before.processing == 0 && before.failed.empty()) store.finish_closing(id);
    return report;
}

std::string PublishReport::summary() const
{
    std::string text;
    const auto add = [&text](const std::string& part) { text += (text.empty() ? "" : "; ") + part; };
    if (queued > 0 || (updated == 0 && left_on_wiki.empty() && being_uploaded.empty())) {
        add(std::to_string(queued) + " file(s) queued for upload");
    }
    if (updated > 0) add(std::to_string(updated) + " queued file(s) updated (name, description, embedded metadata)");
    if (!left_on_wiki.empty()) {
        add(std::to_string(left_on_wiki.size()) +
            " file(s) already on the wiki not changed (edit their pages there): " + file_list(left_on_wiki));
    }
    if (!being_uploaded.empty()) {
        add(std::to_string(being_uploaded.size()) +
            " file(s) being uploaded right now not changed (run book set again after the sync): " +
            file_list(being_uploaded));
    }
    return text;
}

bool has_unpublished_files(BookStore& store, const std::string& id)
{
    uploader::UploadQueue queue(store.data_dir() / "digikit.sqlite");
    const auto items = items_of(store.pages_of(id), queue.list());
    return std::any_of(items.begin(), items.end(), [](const auto& entry) {
        return entry.second.state != uploader::ItemState::published &&
               entry.second.state != uploader::ItemState::dropped;
    });
}

std::string ClosingProgress::describe() const
{
    if (state != "closing") return state;
    std::vector<std::string> waiting;
    if (processing > 0) waiting.push_back(std::to_string(processing) + " shot(s) still processing");
    if (!failed.empty()) {
        std::vector<std::string> names;
        for (const auto& shot : failed) names.push_back(shot.name());
        waiting.push_back(std::to_string(failed.size()) + " shot(s) failed (" + base::joined(names) + ")");
    }
    if (!missing_metadata.empty()) waiting.push_back("metadata missing (" + base::joined(missing_metadata) + ")");
    if (waiting.empty() && pages_waiting > 0) waiting.push_back(std::to_string(pages_waiting) + " page(s) to queue");
    return "closing: " + (waiting.empty() ? std::string("queueing") : base::joined(waiting, "; "));
}

ClosingProgress closing_progress(BookStore& store, const std::string& id)
{
    auto progress = measure(store, id, nullptr);
    if (progress.state == "closing") progress.missing_metadata = metadata_gaps(store, id);
    return progress;
}

ClosingProgress publish_ready_pages(BookStore& store, const Config& config, const std::string& id)
{
    (void)publish_book(store, config, id);
    return closing_progress(store, id);
}

std::vector<Shot> failed_shots(BookStore& store, const std::string& id)
{
    auto shots = store.shots_of(id);
    std::erase_if(shots, [](const Shot& shot) { return !shot.failed(); });
    return shots;
}

nlohmann::json failed_json(const std::vector<Shot>& failed)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& shot : failed) list.push_back({{"shot", shot.name()}, {"reason", shot.failure}});
    return list;
}

nlohmann::json progress_json(const ClosingProgress& progress)
{
    return {{"state", progress.state},
            {"summary", progress.describe()},
            {"processing", progress.processing},
            {"failed", failed_json(progress.failed)},
            {"missing_metadata", progress.missing_metadata},
            {"pages_queued", progress.pages_queued},
            {"pages_waiting", progress.pages_waiting}};
}

std::string failed_shots_advice(const ClosingProgress& progress)
{
    std::vector<std::string> shots;
    for (const auto& shot : progress.failed) shots.push_back(shot.name() + " (" + shot.failure + ")");
    const std::string& id = progress.book_id;
    return "shots without pages: " + base::joined(shots, ", ") + ": process them again (digikit book reprocess " + id +
           "), leave one out (digikit book drop-shot " + id + " SHOT) or queue the book without them (digikit book " +
           "close " + id + " --without-failed)";
}

std::string end_book(BookStore& store, const Config& config, const std::string& id)
{
    store.begin_closing(id);
    std::filesystem::remove_all(store.retaken_dir(id));
    std::string trouble;
    PublishReport report;
    try {
        report = publish_book(store, config, id);
    } catch (const std::exception& error) {  // the book is ended all the same; its pages wait
        trouble = "; queueing failed: " + std::string(error.what());
    }
    const ClosingProgress progress = closing_progress(store, id);
    if (progress.state == "closed") {
        return "closed book " + id + "; " + std::to_string(progress.pages_queued) + " page(s), " + report.summary();
    }
    std::string message = "ended book " + id + ", " + progress.describe();
    if (progress.processing > 0) message += "; each page is queued as soon as it is processed";
    if (!progress.failed.empty()) message += "; " + failed_shots_advice(progress);
    if (!progress.missing_metadata.empty()) {
        message += "; not queued for upload until its metadata is complete (digikit book set " + id + " KEY=VALUE)";
    }
    return message + trouble;
}

}  // namespace digikit::firmware
