#include "book_publisher.hpp"

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

std::size_t queue_book_for_upload(BookStore& store, const Config& config, const std::string& id)
{
    const auto book = store.read_metadata(id);
    const bool jpeg = config.commons.upload != "tiff";
    const bool tiff = config.commons.upload != "jpeg";
    uploader::UploadQueue queue(store.data_dir() / "digikit.sqlite");
    metadata::CommonsFileNamer jpeg_names(pattern_for("x.jpg"));
    metadata::CommonsFileNamer tiff_names(pattern_for("x.tif"));
    const std::string structured = metadata::structured_data_json(book);
    const metadata::DescriptionOptions options = page_description_options(book, config);
    std::size_t queued = 0;
    int number = 0;
    for (const auto& page : store.pages_of(id)) {
        metadata::PageInfo info;
        info.book_id = id;
        info.page_number = ++number;
        info.capture_time = page.captured_at;
        const std::string description = metadata::page_description(book, info, options);
        // The files are durable (embedding writes atomically) before their rows exist.
        if (jpeg) {
            metadata::embed_metadata(page.access, book, info);
            queue.enqueue(page.access, jpeg_names.name_for(book, info), description, structured);
            ++queued;
        }
        if (tiff) {
            metadata::embed_metadata(page.master, book, info);
            queue.enqueue(page.master, tiff_names.name_for(book, info), description, structured);
            ++queued;
        }
    }
    return queued;
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
    const std::size_t queued = queue_book_for_upload(store, config, id);
    return "closed book " + id + "; " + std::to_string(queued) + " file(s) queued for upload";
}

}  // namespace digikit::firmware
