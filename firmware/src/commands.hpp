#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "book_file_builder.hpp"
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
};

// Sends one request line to the daemon running on config.data_dir and returns its JSON
// answer; CommandError when no daemon runs there.
[[nodiscard]] nlohmann::json ask_daemon(const Config& config, const std::string& request);

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
int book_add_command(const Config& config, const std::string& id, const std::vector<std::filesystem::path>& images);
int process_command(const Config& config, const ProcessOptions& options);
int queue_command(const Config& config, bool json);
// `accept_warnings`: wiki warning codes a person accepts for this item (e.g. was-deleted).
int queue_retry_command(const Config& config, const std::string& id, const std::vector<std::string>& accept_warnings);
int queue_drop_command(const Config& config, const std::string& id);
int sync_command(const Config& config, bool once, bool dry_run);

}  // namespace digikit::firmware
