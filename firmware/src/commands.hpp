#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "book_file_builder.hpp"
#include "book_store.hpp"
#include "config.hpp"

namespace digikit::firmware {

// A failure the command reports as one line on stderr, exit status 1.
class CommandError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct BookNewOptions {
    std::string title;
    std::string author;
    std::string year;
    std::string license;
    std::string language;
    std::string institution;
    std::vector<std::string> categories;
};

struct ProcessOptions {
    std::vector<std::filesystem::path> inputs;
    std::filesystem::path out_dir;
    std::filesystem::path report;
    int threads = 0;    // 0: from the configuration
    std::string split;  // empty: from the configuration
    std::string view;   // empty: auto
    int rotate = 0;
    bool turn_by_print = false;  // each page turned upright by its print
};

// What the commands show, as JSON: the CLI prints it (--json) and the console serves it.
class BookStore;
[[nodiscard]] nlohmann::json books_json(BookStore& store);                        // book list
[[nodiscard]] nlohmann::json book_json(BookStore& store, const std::string& id);  // book show
[[nodiscard]] nlohmann::json queue_json(const Config& config);                    // queue
// devices: `cameras` as the daemon's status lists them, and the configured buttons.
[[nodiscard]] nlohmann::json devices_json(const Config& config, const nlohmann::json& cameras);

// `book set`: sets every field or, when any value is invalid, none; one error per bad field.
struct FieldError {
    std::string key;
    std::string message;  // names the field, e.g. "license: unknown licence 'CC-XX'"
};
std::vector<FieldError> set_book_fields(BookStore& store, const std::string& id,
                                        const std::vector<std::pair<std::string, std::string>>& fields);
// The same checks, changing nothing.
[[nodiscard]] std::vector<FieldError> check_book_fields(BookStore& store, const std::string& id,
                                                        const std::vector<std::pair<std::string, std::string>>& fields);
// After `book set`: a closed book's pages are queued once its metadata is complete; says
// what happened ("" for a book still open).
std::string queue_after_metadata_change(BookStore& store, const Config& config, const std::string& id);

// Sends one request line to the daemon running on config.data_dir and returns its JSON
// answer; CommandError when no daemon runs there or it does not answer within `timeout`
// (a press or a book edit waits its turn behind a capture).
[[nodiscard]] nlohmann::json ask_daemon(const Config& config, const std::string& request,
                                        std::chrono::milliseconds timeout = std::chrono::minutes(5));

// Each returns the exit status and prints its own output.
int press_command(const Config& config, const std::string& button);
int status_command(const Config& config, bool json);
int devices_command(const Config& config, bool json);
int capture_command(const Config& config, const std::string& device, const std::filesystem::path& out);
int book_new_command(const Config& config, const BookNewOptions& options);
int book_list_command(const Config& config, bool json);
int book_show_command(const Config& config, const std::string& id, bool json);
// The wikitext of the book file's Wikisource Index: page.
int book_index_command(const Config& config, const std::string& id);
// `book` is an id, or a book folder (<data_dir>/books/<id>) of any data dir.
int book_export_command(const Config& config, const std::string& book, const BookExportRequest& request);
int book_set_command(const Config& config, const std::string& id, const std::vector<std::string>& assignments);
// `without_failed`: the failed shots are left out and the rest is queued (a person chose so).
int book_close_command(const Config& config, const std::string& id, bool without_failed);
// `shot` empty: every failed shot of the book.
int book_reprocess_command(const Config& config, const std::string& id, const std::string& shot);
int book_drop_shot_command(const Config& config, const std::string& id, const std::string& shot);
// Checks every photo first: one that cannot be read stops the import (nothing imported),
// or with `skip_bad` is listed and left out.
// `view`: how the photos were taken (empty view: as a camera of role "single").
int book_add_command(const Config& config, const std::string& id, const std::vector<std::filesystem::path>& images,
                     bool skip_bad, const ShotView& view);
int process_command(const Config& config, const ProcessOptions& options);
int queue_command(const Config& config, bool json);
int queue_show_command(const Config& config, const std::string& id, bool json);
// The items `ids`, or every failed item with `failed`; `accept_warnings`: wiki warning
// codes a person accepts for these items (e.g. was-deleted).
int queue_retry_command(const Config& config, const std::vector<std::string>& ids, bool failed,
                        const std::vector<std::string>& accept_warnings);
int queue_drop_command(const Config& config, const std::string& id);
int sync_command(const Config& config, bool once, bool dry_run);
// Checks an installed kit; one line per thing to fix, exit 1 when there is any.
int doctor_command(const Config& config);

}  // namespace digikit::firmware
