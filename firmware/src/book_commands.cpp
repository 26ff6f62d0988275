// `digikit book ...`: books are read and prepared in place by the CLI; changes to a book
// the daemon may hold (close, set, reprocess, drop-shot) go through the running daemon,
// so the two never disagree.
#include <iostream>
#include <set>

#include <nlohmann/json.hpp>

#include "book_edits.hpp"
#include "book_publisher.hpp"
#include "book_store.hpp"
#include "commands.hpp"
#include "daemon.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/base/text.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "digikit/metadata/book_file_wikitext.hpp"
#include "processing_worker.hpp"

namespace digikit::firmware {
namespace {

BookSummary existing_book(BookStore& store, const std::string& id)
{
    check_book_id(id);
    const auto book = store.find_book(id);
    if (!book) throw CommandError("no book '" + id + "' in " + store.data_dir().string());
    return *book;
}

nlohmann::json metadata_json(const metadata::BookMetadata& m)
{
    return {{"title", m.title},
            {"authors", m.authors},
            {"date", m.date},
            {"language", m.language},
            {"publisher", m.publisher},
            {"place", m.place},
            {"institution", m.institution},
            {"shelfmark", m.shelfmark},
            {"source_url", m.source_url},
            {"wikidata", m.wikidata},
            {"license", m.license},
            {"categories", m.categories}};
}

nlohmann::json summary_json(const BookSummary& b)
{
    return {{"id", b.id},
            {"state", b.state},
            {"created_at", b.created_at},
            {"closed_at", b.closed_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(b.closed_at)},
            {"captures", b.captures},
            {"pages", b.pages}};
}

std::vector<std::string> problem_messages(const metadata::BookFile& file)
{
    std::vector<std::string> messages;
    for (const auto& problem : file.problems) messages.push_back(problem.message);
    return messages;
}

// Lines about the shots that keep a book from closing, and those left out on purpose.
void print_shot_troubles(BookStore& store, const std::string& id)
{
    for (const auto& shot : store.shots_of(id)) {
        if (shot.dropped) {
            std::cout << "  left out: " << shot.name() << "\n";
        } else if (shot.failed()) {
            std::cout << "  failed: " << shot.name() << " (" << shot.failure << ")\n";
        }
    }
}

// With no daemon running, this command holds the daemon's lock while it works, and
// processes what the edit made pending; each page of a closing book is queued as it comes.
void edit_here(const Config& config, const BookEdit& edit)
{
    BookStore store(config.data_dir);
    const auto result = apply_book_edit(store, config, edit);
    std::cout << result.message << "\n";
    const bool closing = store.book_state(edit.book) == "closing";
    if (!result.must_process && !(closing && closing_progress(store, edit.book).processing > 0)) return;
    std::cerr << "processing...\n";
    {
        ProcessingWorker worker(store, pipeline_options(config), camera_pipeline_options(config),
                                config.storage.min_free_bytes(), [&](const Shot& shot) {
                                    if (shot.book_id == edit.book) {
                                        (void)publish_ready_pages(store, config, shot.book_id);
                                    }
                                });
        worker.wait_idle();
    }
    const auto progress = publish_ready_pages(store, config, edit.book);
    std::cout << "book " << edit.book << ": " << progress.describe() << "\n";
    if (!progress.failed.empty()) std::cout << failed_shots_advice(progress) << "\n";
}

int run_book_edit(const Config& config, const BookEdit& edit)
{
    auto lock = DaemonLock::try_take(config.data_dir);
    if (lock) {
        edit_here(config, edit);
        return 0;
    }
    std::string request;
    try {
        request = "book " + to_json(edit).dump();
    } catch (const nlohmann::json::exception&) {
        throw CommandError("book " + edit.command + ": the arguments must be UTF-8 text");
    }
    const auto answer = ask_daemon(config, request);
    if (!answer.value("ok", false)) throw CommandError(answer.value("message", "the daemon refused"));
    std::cout << answer.value("message", "") << "\n";
    return 0;
}

// Imported photos are processed by the daemon when it runs, or here and now.
void process_imported(const Config& config, BookStore& store)
{
    auto lock = DaemonLock::try_take(config.data_dir);
    if (!lock) {
        (void)hardware::send_control_request(control_socket_path(config.data_dir), "wake", std::chrono::seconds(10));
        std::cout << "the running daemon processes them in the background\n";
        return;
    }
    std::cerr << "processing the imported photos...\n";
    ProcessingWorker worker(store, pipeline_options(config), camera_pipeline_options(config),
                            config.storage.min_free_bytes());
    worker.wait_idle();
}

}  // namespace

int book_new_command(const Config& config, const BookNewOptions& options)
{
    metadata::BookMetadata book = new_book_metadata(config);
    const std::pair<const char*, const std::string*> fields[] = {
        {"title", &options.title},     {"authors", &options.author},    {"date", &options.year},
        {"license", &options.license}, {"language", &options.language}, {"institution", &options.institution}};
    for (const auto& [key, value] : fields) {
        if (!value->empty()) metadata::set_field(book, key, *value);
    }
    if (!options.categories.empty()) book.categories = options.categories;
    BookStore store(config.data_dir);
    std::cout << store.create_book(book) << "\n";
    return 0;
}

nlohmann::json books_json(BookStore& store)
{
    nlohmann::json books = nlohmann::json::array();
    for (const auto& summary : store.list_books()) {
        const auto file = store.read_book_file(summary.id);
        auto entry = summary_json(summary);
        entry["title"] = file.book.title;
        entry["problems"] = problem_messages(file);
        entry["progress"] = progress_json(closing_progress(store, summary.id));
        books.push_back(entry);
    }
    return books;
}

int book_list_command(const Config& config, bool json)
{
    BookStore store(config.data_dir);
    const auto books = books_json(store);
    if (json) {
        std::cout << books.dump(2) << "\n";
        return 0;
    }
    if (books.empty()) std::cout << "no books yet (digikit book new --title ...)\n";
    for (const auto& b : books) {
        std::cout << b["id"].get<std::string>() << "  " << b["progress"]["summary"].get<std::string>() << "  "
                  << b["captures"] << " captures  " << b["pages"] << " pages  " << b["title"].get<std::string>();
        if (!b["problems"].empty()) std::cout << "  INVALID: " << b["problems"][0].get<std::string>();
        std::cout << "\n";
    }
    return 0;
}

nlohmann::json book_json(BookStore& store, const std::string& id)
{
    auto entry = summary_json(existing_book(store, id));
    const auto file = store.read_book_file(id);
    entry["metadata"] = metadata_json(file.book);
    entry["problems"] = problem_messages(file);
    entry["missing_for_upload"] = metadata::missing_for_upload(file.book);
    entry["folder"] = store.book_dir(id).string();
    entry["progress"] = progress_json(closing_progress(store, id));
    return entry;
}

int book_show_command(const Config& config, const std::string& id, bool json)
{
    BookStore store(config.data_dir);
    const auto entry = book_json(store, id);
    if (json) {
        std::cout << entry.dump(2) << "\n";
        return 0;
    }
    std::cout << "book " << id << " (" << entry["progress"]["summary"].get<std::string>() << "), " << entry["captures"]
              << " captures, " << entry["pages"] << " pages, in " << entry["folder"].get<std::string>() << "\n";
    for (const auto& problem : entry["problems"]) {
        std::cout << "  INVALID: " << problem.get<std::string>() << " (repair: digikit book set " << id
                  << " KEY=VALUE)\n";
    }
    for (const auto& [key, value] : entry["metadata"].items()) {
        std::cout << "  " << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
    if (!entry["missing_for_upload"].empty()) {
        std::cout << "  missing before upload: " << entry["missing_for_upload"].dump() << "\n";
    }
    print_shot_troubles(store, id);
    return 0;
}

int book_index_command(const Config& config, const std::string& id)
{
    BookStore store(config.data_dir);
    existing_book(store, id);
    const auto book = store.read_metadata(id);
    // With no book file configured the index still names one: the DjVu, the default.
    const auto format =
        config.commons.book_file == BookFileFormat::none ? BookFileFormat::djvu : config.commons.book_file;
    const std::string file = metadata::book_file_name(book, "." + book_file_format_name(format));
    std::cout << metadata::wikisource_index(book, file);
    std::cerr << "paste into Index:" << file << " on Wikisource\n";
    return 0;
}

int book_export_command(const Config& config, const std::string& book, const BookExportRequest& request)
{
    Config local = config;
    std::string id = book;
    if (book.find('/') != std::string::npos) {  // a book folder: <data_dir>/books/<id>
        const auto folder = std::filesystem::weakly_canonical(book);
        if (!std::filesystem::is_regular_file(folder / "book.toml")) {
            throw CommandError(book + ": not a book folder (no book.toml in it)");
        }
        id = folder.filename().string();
        local.data_dir = folder.parent_path().parent_path();
    }
    BookStore store(local.data_dir);
    existing_book(store, id);
    bookfile::ExportOptions options;
    options.log = [](const std::string& line) { std::cerr << line << "\n"; };
    std::cout << describe(export_book_file(store, local, id, request, options)) << "\n";
    return 0;
}

namespace {

bool is_closed(const std::string& state)
{
    return state != "new" && state != "open";
}

}  // namespace

namespace {

// The book's metadata with `fields` set, and what is wrong with them.
std::pair<metadata::BookMetadata, std::vector<FieldError>> with_fields(
    BookStore& store, const std::string& id, const std::vector<std::pair<std::string, std::string>>& fields)
{
    const std::string state = existing_book(store, id).state;
    auto [book, problems] = store.read_book_file(id);
    std::vector<FieldError> errors;
    std::set<std::string_view> assigned;
    for (const auto& [key, value] : fields) {
        try {
            assigned.insert(metadata::set_field(book, key, value));
        } catch (const metadata::MetadataError& error) {
            errors.push_back({key, error.what()});
        }
    }
    // A field that is invalid in book.toml must be given a new value in the same command:
    // writing the book without it would silently drop what was there.
    for (const auto& problem : problems) {
        if (!problem.field.empty() && !assigned.contains(problem.field)) {
            errors.push_back({problem.field, "book " + id + " stays invalid, nothing was changed: " + problem.message +
                                                 " (set " + problem.field + "=... in the same command)"});
        }
    }
    if (!errors.empty()) return {book, errors};
    // A closed book's files not yet on the wiki follow its metadata; they must keep a
    // complete description page.
    const auto missing = metadata::missing_for_upload(book);
    if (is_closed(state) && !missing.empty() && has_unpublished_files(store, id)) {
        errors.push_back({"", "book " + id + " has files queued for upload, which need complete metadata (missing: " +
                                  base::joined(missing) + "); nothing was changed"});
    }
    return {book, errors};
}

}  // namespace

std::vector<FieldError> check_book_fields(BookStore& store, const std::string& id,
                                          const std::vector<std::pair<std::string, std::string>>& fields)
{
    return with_fields(store, id, fields).second;
}

std::vector<FieldError> set_book_fields(BookStore& store, const std::string& id,
                                        const std::vector<std::pair<std::string, std::string>>& fields)
{
    auto [book, errors] = with_fields(store, id, fields);
    if (errors.empty()) store.write_metadata(id, book);  // only once every assignment was valid
    return errors;
}

std::string queue_after_metadata_change(BookStore& store, const Config& config, const std::string& id)
{
    if (!is_closed(existing_book(store, id).state)) return "";
    const auto missing = metadata::missing_for_upload(store.read_metadata(id));
    if (!missing.empty()) return "not queued for upload until complete (missing: " + base::joined(missing) + ")";
    return publish_book(store, config, id).summary();
}

int book_set_command(const Config& config, const std::string& id, const std::vector<std::string>& assignments)
{
    return run_book_edit(config, {"set", id, assignments, false});
}

int book_close_command(const Config& config, const std::string& id, bool without_failed)
{
    return run_book_edit(config, {"close", id, {}, without_failed});
}

int book_reprocess_command(const Config& config, const std::string& id, const std::string& shot)
{
    return run_book_edit(config,
                         {"reprocess", id, shot.empty() ? std::vector<std::string>{} : std::vector{shot}, false});
}

int book_drop_shot_command(const Config& config, const std::string& id, const std::string& shot)
{
    return run_book_edit(config, {"drop-shot", id, {shot}, false});
}

int book_add_command(const Config& config, const std::string& id, const std::vector<std::filesystem::path>& images,
                     bool skip_bad, const ShotView& view)
{
    BookStore store(config.data_dir);
    const auto state = existing_book(store, id).state;
    if (state == "closing" || state == "closed") throw CommandError("book " + id + " is " + state);
    // Every photo is read before any is imported: a book never holds a shot that cannot
    // be processed because of its file.
    std::vector<std::filesystem::path> good;
    std::vector<std::string> bad;
    for (const auto& image : images) {
        std::optional<std::string> problem = image.string() + ": not a .jpg, .jpeg, .png, .tif, .tiff or .webp file";
        if (imaging::is_image_name(image)) problem = imaging::photo_problem(image);
        if (problem) {
            bad.push_back(*problem);
        } else {
            good.push_back(image);
        }
    }
    for (const auto& problem : bad) std::cerr << "digikit: " << (skip_bad ? "skipped " : "") << problem << "\n";
    if (!bad.empty() && !skip_bad) {
        throw CommandError(std::to_string(bad.size()) + " of " + std::to_string(images.size()) +
                           " photo(s) cannot be read; nothing was imported (--skip-bad imports the others)");
    }
    if (good.empty()) throw CommandError("no photo could be read; nothing was imported");
    int sequence = store.last_sequence(id);
    for (const auto& image : good) {
        const auto target = store.raw_dir(id) / (sequence_stem(++sequence) + "_single" + image.extension().string());
        base::AtomicFile file(target);
        std::filesystem::copy_file(image, file.temp_path(), std::filesystem::copy_options::overwrite_existing);
        file.commit();
        store.record_capture(id, sequence, {{"single", target}}, false, view);
    }
    std::cout << "imported " << good.size() << " photo(s) into book " << id;
    if (!bad.empty()) std::cout << ", skipped " << bad.size() << " that cannot be read";
    std::cout << "\n";
    process_imported(config, store);
    return 0;
}

}  // namespace digikit::firmware
