#include "cli.hpp"

#include <iostream>

#include <spdlog/spdlog.h>
// GCC 12 at -O2 reports a "potential null pointer dereference" inside CLI11's own
// CLI::detail::split (StringTools.hpp, a vector<string> growing): a false positive in a
// third-party header that -Werror would turn into a failed build of the default type.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <CLI/CLI.hpp>
#pragma GCC diagnostic pop

#include "commands.hpp"
#include "daemon.hpp"
#include "digikit/bookfile/book_file.hpp"

namespace digikit::firmware {
namespace {

constexpr const char* default_config = "/etc/digikit/digikit.toml";

struct GlobalOptions {
    std::string config_file;
    std::string data_dir;
};

Config load(const GlobalOptions& global)
{
    Config config =
        load_config(global.config_file.empty() ? default_config : global.config_file, !global.config_file.empty());
    if (!global.data_dir.empty()) config.data_dir = global.data_dir;
    config.data_dir = std::filesystem::absolute(config.data_dir);
    return config;
}

// Every option's value, alive from parsing to running the chosen subcommand.
struct Values {
    BookNewOptions book_new;
    ProcessOptions process;
    ShotView import_view;
    std::string id;
    std::vector<std::string> ids;
    bool failed = false;
    std::string shot;
    bool without_failed = false;
    std::vector<std::string> accept_warnings;
    std::string button;
    std::string device;
    std::filesystem::path out;
    std::vector<std::string> assignments;
    std::vector<std::filesystem::path> images;
    BookExportRequest book_export;
    bool index = false;
    bool json = false;
    bool once = false;
    bool dry_run = false;
    bool skip_bad = false;
};

// The chosen subcommand's callback stores what to run; it returns the exit status.
using Action = std::function<int(const Config&)>;

// What the camera saw and how it was mounted, for photos taken outside the kit's rig.
void add_view_options(CLI::App* command, std::string& view, int& rotate)
{
    command->add_option("--view", view, "What the photos show: auto | left-page | right-page | spread | single")
        ->check(CLI::IsMember({"auto", "left-page", "right-page", "spread", "single"}));
    command
        ->add_option("--rotate", rotate, "Degrees the photos must turn clockwise to stand upright: 0 | 90 | 180 | 270")
        ->check(CLI::IsMember({0, 90, 180, 270}));
}

void add_book_commands(CLI::App& app, Values& v, Action& action)
{
    auto* book = app.add_subcommand("book", "Create, list, show, edit, close books and import photos into them");
    book->require_subcommand(1);

    auto* add_new = book->add_subcommand("new", "Prepare a new book; prints its id");
    add_new->add_option("--title", v.book_new.title, "Title of the book")->required();
    add_new->add_option("--author", v.book_new.author, "Author(s), comma-separated");
    add_new->add_option("--year", v.book_new.year, "Year or date of publication");
    add_new->add_option("--license", v.book_new.license, "Licence key, e.g. PD-old-70 (default from the config)");
    add_new->add_option("--language", v.book_new.language, "Language code, e.g. en");
    add_new->add_option("--institution", v.book_new.institution, "Holding institution (default from the config)");
    add_new->add_option("--category", v.book_new.categories, "Commons category (repeatable)");
    add_new->callback([&action, &v] { action = [&v](const Config& c) { return book_new_command(c, v.book_new); }; });

    auto* list = book->add_subcommand("list", "List the books on this kit");
    list->add_flag("--json", v.json, "Print JSON");
    list->callback([&action, &v] { action = [&v](const Config& c) { return book_list_command(c, v.json); }; });

    auto* show = book->add_subcommand("show", "Show a book's metadata and progress");
    show->add_option("ID", v.id, "Book id")->required();
    show->add_flag("--json", v.json, "Print JSON");
    show->add_flag("--index", v.index, "Print the wikitext of a Wikisource Index: page for the book file");
    show->callback([&action, &v] {
        action = [&v](const Config& c) {
            return v.index ? book_index_command(c, v.id) : book_show_command(c, v.id, v.json);
        };
    });

    auto* set = book->add_subcommand("set", "Set metadata fields: KEY=VALUE...");
    set->add_option("ID", v.id, "Book id")->required();
    set->add_option("ASSIGNMENT", v.assignments, "KEY=VALUE, e.g. title=\"Flora\" year=1887")->required();
    set->callback(
        [&action, &v] { action = [&v](const Config& c) { return book_set_command(c, v.id, v.assignments); }; });

    auto* close = book->add_subcommand(
        "close", "End a book (as End book does); each page is queued once processed and the metadata is complete");
    close->add_option("ID", v.id, "Book id")->required();
    close->add_flag("--without-failed", v.without_failed,
                    "Leave out the shots whose processing failed and queue the rest (see book show)");
    close->callback(
        [&action, &v] { action = [&v](const Config& c) { return book_close_command(c, v.id, v.without_failed); }; });

    auto* reprocess = book->add_subcommand("reprocess", "Process a book's failed shots (or the given shot) again");
    reprocess->add_option("ID", v.id, "Book id")->required();
    reprocess->add_option("SHOT", v.shot, "A shot, as book show names it (e.g. 0003_left); default: the failed ones");
    reprocess->callback(
        [&action, &v] { action = [&v](const Config& c) { return book_reprocess_command(c, v.id, v.shot); }; });

    auto* drop_shot = book->add_subcommand("drop-shot", "Leave a shot out of a book, on purpose");
    drop_shot->add_option("ID", v.id, "Book id")->required();
    drop_shot->add_option("SHOT", v.shot, "The shot, as book show names it (e.g. 0003_left)")->required();
    drop_shot->callback(
        [&action, &v] { action = [&v](const Config& c) { return book_drop_shot_command(c, v.id, v.shot); }; });

    auto* book_export =
        book->add_subcommand("export", "Build the whole book as one DjVu or PDF with an OCR text layer");
    book_export->add_option("ID", v.id, "Book id, or a book folder (DATA/books/ID)")->required();
    book_export->add_option("--format", v.book_export.format, "djvu | pdf")
        ->required()
        ->check(CLI::IsMember({"djvu", "pdf"}));
    book_export->add_option("--out", v.book_export.out, "Where to write it (default: the book folder)");
    auto* ocr = book_export->add_option("--ocr", v.book_export.ocr,
                                        "OCR language(s), e.g. en or eng+fra (default: the book's)");
    book_export->add_flag("--no-ocr", v.book_export.no_ocr, "No text layer")->excludes(ocr);
    book_export->add_option("--ppi", v.book_export.ppi, "DjVu: encode the pages at this resolution (default 300)")
        ->check(CLI::Range(50, 1200));
    book_export->callback(
        [&action, &v] { action = [&v](const Config& c) { return book_export_command(c, v.id, v.book_export); }; });

    auto* add = book->add_subcommand("add", "Import photos (e.g. from a camera card) as captures of a book");
    add->add_option("ID", v.id, "Book id")->required();
    add->add_option("IMAGE", v.images, "Photos (JPEG, PNG, TIFF or WebP)")->required()->check(CLI::ExistingFile);
    add->add_flag("--skip-bad", v.skip_bad, "Import the photos that can be read and list the others");
    add_view_options(add, v.import_view.view, v.import_view.rotate);
    add->callback([&action, &v] {
        // --rotate alone: the finder still decides what the photos show.
        if (v.import_view.view.empty() && v.import_view.rotate != 0) v.import_view.view = "auto";
        action = [&v](const Config& c) { return book_add_command(c, v.id, v.images, v.skip_bad, v.import_view); };
    });
}

void add_queue_commands(CLI::App& app, Values& v, Action& action)
{
    auto* queue = app.add_subcommand("queue", "Show the upload queue; show, retry or drop items");
    queue->add_flag("--json", v.json, "Print JSON");
    queue->callback([&action, &v] {
        if (!action) action = [&v](const Config& c) { return queue_command(c, v.json); };
    });
    auto* show = queue->add_subcommand("show", "Show one item: its state, target name and description page");
    show->add_option("ID", v.id, "Queue item id")->required();
    show->add_flag("--json", v.json, "Print JSON");
    show->callback([&action, &v] { action = [&v](const Config& c) { return queue_show_command(c, v.id, v.json); }; });
    auto* retry = queue->add_subcommand("retry", "Queue failed (or dropped) items again");
    auto* ids = retry->add_option("ID", v.ids, "Queue item ids");
    retry->add_flag("--failed", v.failed, "Every failed item")->excludes(ids);
    // The warnings a person can overrule; a bad file name or a case clash needs a rename instead.
    retry
        ->add_option("--accept-warning", v.accept_warnings,
                     "Upload despite this wiki warning (the item's note names it); repeatable")
        ->check(CLI::IsMember({"exists", "duplicate-archive", "was-deleted"}));
    retry->callback([&action, &v] {
        if (v.ids.empty() && !v.failed) throw CLI::ValidationError("queue retry", "give item ids or --failed");
        action = [&v](const Config& c) { return queue_retry_command(c, v.ids, v.failed, v.accept_warnings); };
    });
    auto* drop = queue->add_subcommand("drop", "Drop an item from the queue");
    drop->add_option("ID", v.id, "Queue item id")->required();
    drop->callback([&action, &v] { action = [&v](const Config& c) { return queue_drop_command(c, v.id); }; });

    auto* sync = app.add_subcommand("sync", "Upload what is queued to Commons");
    sync->add_flag("--once", v.once, "Upload everything queued, then exit with a summary");
    sync->add_flag("--dry-run", v.dry_run, "Show what would be uploaded, upload nothing");
    sync->callback([&action, &v] { action = [&v](const Config& c) { return sync_command(c, v.once, v.dry_run); }; });
}

void add_commands(CLI::App& app, Values& v, Action& action)
{
    app.add_subcommand("run", "Run the kit daemon in the foreground (systemd runs it)")->callback([&action] {
        action = [](const Config& c) { return run_daemon(c); };
    });

    auto* press = app.add_subcommand("press", "Press a button of the running daemon; returns once it has acted");
    press->add_option("BUTTON", v.button, "capture | retake | new-book | end-book | sync")
        ->required()
        ->check(CLI::IsMember({"capture", "retake", "new-book", "end-book", "sync"}));
    press->callback([&action, &v] { action = [&v](const Config& c) { return press_command(c, v.button); }; });

    auto* status = app.add_subcommand("status", "State, current book, last capture, processing backlog, disk");
    status->add_flag("--json", v.json, "Print JSON");
    status->callback([&action, &v] { action = [&v](const Config& c) { return status_command(c, v.json); }; });

    auto* devices = app.add_subcommand("devices", "Cameras, scanners and buttons found");
    devices->add_flag("--json", v.json, "Print JSON");
    devices->callback([&action, &v] { action = [&v](const Config& c) { return devices_command(c, v.json); }; });

    auto* capture = app.add_subcommand("capture", "Capture one picture now, outside any book");
    capture->add_option("--device", v.device, "Device id or serial (default: the first device)");
    capture->add_option("--out", v.out, "Where to write the picture")->required();
    capture->callback(
        [&action, &v] { action = [&v](const Config& c) { return capture_command(c, v.device, v.out); }; });

    add_book_commands(app, v, action);

    auto* process = app.add_subcommand("process", "Find, straighten and crop the pages of photos");
    process->add_option("INPUT", v.process.inputs, "Photos or folders of photos")->required();
    process->add_option("--out", v.process.out_dir, "Folder for the page masters and access copies")->required();
    process->add_option("--report", v.process.report, "Write a JSON report to this file");
    process->add_option("--threads", v.process.threads, "Worker threads (default from the config)")
        ->check(CLI::Range(1, 64));
    process->add_option("--split", v.process.split, "Split spreads: auto | never | always")
        ->check(CLI::IsMember({"auto", "never", "always"}));
    add_view_options(process, v.process.view, v.process.rotate);
    process
        ->add_flag("--turn-by-print", v.process.turn_by_print,
                   "Turn each page to read upright when its print says so clearly, for photos whose mounting is "
                   "not known (Tesseract's orientation detection: about 0.2 s and 60 MB more)")
        ->excludes("--rotate");
    process->callback([&action, &v] { action = [&v](const Config& c) { return process_command(c, v.process); }; });

    add_queue_commands(app, v, action);

    app.add_subcommand("doctor", "Check an installed kit; one line per thing to fix")->callback([&action] {
        action = [](const Config& c) { return doctor_command(c); };
    });
}

}  // namespace

int run_cli(int argc, char** argv)
{
    CLI::App app{"digikit: the controller of a book digitization kit"};
    app.name("digikit");
    app.require_subcommand(1);
    app.fallthrough();  // --config and --data may come after the subcommand too
    GlobalOptions global;
    app.add_option("--config", global.config_file, std::string("Configuration file (default ") + default_config + ")");
    app.add_option("--data", global.data_dir, "Data folder (default from the configuration, /var/lib/digikit)");
    Values values;
    Action action;
    add_commands(app, values, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "digikit: " << e.what() << " (see digikit --help)\n";
        return 2;
    }

    // The daemon and `book export` OCR: Tesseract's OpenMP threads must be one per worker,
    // which only the environment at process start can say.
    if (app.got_subcommand("run") ||
        (app.got_subcommand("book") && app.get_subcommand("book")->got_subcommand("export"))) {
        bookfile::limit_openmp_threads(argv);
    }
    try {
        return action(load(global));
    } catch (const std::exception& error) {
        std::cerr << "digikit: " << error.what() << "\n";
        return 1;
    }
}

}  // namespace digikit::firmware
