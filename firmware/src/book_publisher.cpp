#include "book_publisher.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "digikit/metadata/book_file_wikitext.hpp"
#include "digikit/metadata/commons_name.hpp"
#include "digikit/metadata/embedding.hpp"
#include "digikit/metadata/structured_data.hpp"
#include "digikit/metadata/wikitext.hpp"
#include "digikit/uploader/upload_queue.hpp"

namespace digikit::firmware {
namespace {

std::string joined(const std::vector<std::string>& items)
{
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

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
        for (const auto& file : {page.access, page.master})
            files[std::filesystem::absolute(file).lexically_normal()] = file;
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
                                     (config.commons.upload == "tiff" ? ".tif" : ".jpg"));
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
    if (config.commons.book_file != "none") {
        options.extra_categories.push_back(metadata::page_category(book));
        options.other_versions =
            metadata::book_file_link(metadata::book_file_name(book, "." + config.commons.book_file));
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
    if (config.commons.upload != "tiff") uploads.push_back({page.access, names.name_for(book, info), {}});
    if (config.commons.upload == "tiff") uploads.push_back({page.master, names.name_for(book, info), {}});
    if (config.commons.upload == "both") {
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
        if (!links.empty())
            options.other_versions = links + (options.other_versions.empty() ? "" : " ") + options.other_versions;
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
    const auto book = store.read_metadata(id);
    uploader::UploadQueue queue(store.data_dir() / "digikit.sqlite");
    const auto pages = store.pages_of(id);
    const auto queued = queue.list();
    const ItemsByPath items = items_of(pages, queued);
    auto names = namer_for(config, queued, items);
    const std::string structured = metadata::structured_data_json(book);
    const metadata::DescriptionOptions options = page_description_options(book, config);
    PublishReport report;
    int number = 0;
    for (const auto& page : pages) {
        metadata::PageInfo info;
        info.book_id = id;
        info.page_number = ++number;
        info.capture_time = page.captured_at;
        const auto uploads = uploads_of(config, book, info, page, names, items, options);
        if (is_current(uploads, items, structured)) continue;
        // Both files carry the metadata, whichever the wiki gets.
        for (const auto& file : {page.access, page.master}) {
            publish_file(queue, items, file, uploads, book, info, structured, report);
        }
    }
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

std::string finish_book(BookStore& store, const Config& config, const std::string& id)
{
    store.close_book(id);
    std::filesystem::remove_all(store.retaken_dir(id));
    const auto file = store.read_book_file(id);
    auto missing = metadata::missing_for_upload(file.book);
    for (const auto& problem : file.problems) missing.push_back(problem.message);
    if (!missing.empty()) {
        return "closed book " + id +
               "; not queued for upload until its metadata is complete (missing: " + joined(missing) + ")";
    }
    return "closed book " + id + "; " + publish_book(store, config, id).summary();
}

}  // namespace digikit::firmware
