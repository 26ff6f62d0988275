#include "book_publisher.hpp"

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

std::string joined(const std::vector<std::string>& items, const char* separator = ", ")
{
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

// The default Commons name pattern, with the file's own extension.
std::string pattern_for(const std::filesystem::path& file)
{
    std::string pattern(metadata::default_file_name_pattern);
    return pattern.substr(0, pattern.rfind('.')) + file.extension().string();
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
            if (shot.failure.empty()) {
                ++progress.processing;
            } else {
                progress.failed.push_back(shot);
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

// Embeds the metadata into the page's files and queues the ones commons.upload names.
// Names come from one namer walking the pages in order, so a page keeps its name from
// one call to the next.
void queue_pages(BookStore& store, const Config& config, const std::string& id, const std::vector<NumberedPage>& pages)
{
    const auto book = store.read_metadata(id);
    const bool jpeg = config.commons.upload != "tiff";
    const bool tiff = config.commons.upload != "jpeg";
    uploader::UploadQueue queue(store.data_dir() / "digikit.sqlite");
    std::set<std::filesystem::path> in_queue;  // queued before a crash, not yet marked on the page
    for (const auto& item : queue.list()) in_queue.insert(item.path);
    metadata::CommonsFileNamer jpeg_names(pattern_for("x.jpg"));
    metadata::CommonsFileNamer tiff_names(pattern_for("x.tif"));
    const std::string structured = metadata::structured_data_json(book);
    const metadata::DescriptionOptions options = page_description_options(book, config);
    for (const auto& [page, number] : pages) {
        metadata::PageInfo info;
        info.book_id = id;
        info.page_number = number;
        info.capture_time = page.captured_at;
        const std::string jpeg_name = jpeg_names.name_for(book, info);
        const std::string tiff_name = tiff_names.name_for(book, info);
        if (page.queued) continue;
        const std::string description = metadata::page_description(book, info, options);
        // The files are durable (embedding writes atomically) before their rows exist.
        for (const auto& [wanted, file, name] :
             {std::tuple{jpeg, page.access, jpeg_name}, std::tuple{tiff, page.master, tiff_name}}) {
            if (!wanted) continue;
            if (in_queue.count(file) == 0) metadata::embed_metadata(file, book, info);
            queue.enqueue(file, name, description, structured);
        }
        store.mark_queued(page.shot_id, page.index);
    }
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

std::string ClosingProgress::describe() const
{
    if (state != "closing") return state;
    std::vector<std::string> waiting;
    if (processing > 0) waiting.push_back(std::to_string(processing) + " shot(s) still processing");
    if (!failed.empty()) {
        std::vector<std::string> names;
        for (const auto& shot : failed) names.push_back(shot.name());
        waiting.push_back(std::to_string(failed.size()) + " shot(s) failed (" + joined(names) + ")");
    }
    if (!missing_metadata.empty()) waiting.push_back("metadata missing (" + joined(missing_metadata) + ")");
    if (waiting.empty() && pages_waiting > 0) waiting.push_back(std::to_string(pages_waiting) + " page(s) to queue");
    return "closing: " + (waiting.empty() ? std::string("queueing") : joined(waiting, "; "));
}

ClosingProgress closing_progress(BookStore& store, const std::string& id)
{
    auto progress = measure(store, id, nullptr);
    if (progress.state == "closing") progress.missing_metadata = metadata::missing_for_upload(store.read_metadata(id));
    return progress;
}

ClosingProgress publish_ready_pages(BookStore& store, const Config& config, const std::string& id)
{
    if (store.book_state(id) != "closing" || !metadata::missing_for_upload(store.read_metadata(id)).empty()) {
        return closing_progress(store, id);
    }
    std::vector<NumberedPage> ready;
    const auto before = measure(store, id, &ready);
    queue_pages(store, config, id, ready);
    if (before.processing == 0 && before.failed.empty()) store.finish_closing(id);
    return closing_progress(store, id);
}

nlohmann::json progress_json(const ClosingProgress& progress)
{
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& shot : progress.failed) failed.push_back({{"shot", shot.name()}, {"reason", shot.failure}});
    return {{"state", progress.state},
            {"summary", progress.describe()},
            {"processing", progress.processing},
            {"failed", failed},
            {"missing_metadata", progress.missing_metadata},
            {"pages_queued", progress.pages_queued},
            {"pages_waiting", progress.pages_waiting}};
}

std::string failed_shots_advice(const ClosingProgress& progress)
{
    std::vector<std::string> shots;
    for (const auto& shot : progress.failed) shots.push_back(shot.name() + " (" + shot.failure + ")");
    const std::string& id = progress.book_id;
    return "shots without pages: " + joined(shots, ", ") + ": process them again (digikit book reprocess " + id +
           "), leave one out (digikit book drop-shot " + id + " SHOT) or queue the book without them (digikit book " +
           "close " + id + " --without-failed)";
}

std::string end_book(BookStore& store, const Config& config, const std::string& id)
{
    store.begin_closing(id);
    std::filesystem::remove_all(store.retaken_dir(id));
    std::string trouble;
    ClosingProgress progress;
    try {
        progress = publish_ready_pages(store, config, id);
    } catch (const std::exception& error) {  // the book is ended all the same; its pages wait
        progress = closing_progress(store, id);
        trouble = "; queueing failed: " + std::string(error.what());
    }
    if (progress.state == "closed") {
        return "closed book " + id + "; " + std::to_string(progress.pages_queued) + " page(s) queued for upload";
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
