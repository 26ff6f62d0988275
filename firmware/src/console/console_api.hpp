#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "book_edits.hpp"
#include "book_store.hpp"
#include "commands.hpp"
#include "config.hpp"
#include "console_server.hpp"

namespace digikit::firmware {

// What the console's /api/ answers, from the functions the CLI uses (status and press go
// through the control socket's protocol; books, queue and devices through commands.hpp).
// Throws CommandError (or std::invalid_argument for a malformed id) for what a person got
// wrong: the server answers those with the message.
class ConsoleApi {
public:
    ConsoleApi(Config config, ControlRequest control);

    [[nodiscard]] nlohmann::json status();                          // status --json
    [[nodiscard]] nlohmann::json press(const std::string& button);  // {"ok", "message"} as press
    // The Kit page: status, pages per hour of the open book, the queue's counts.
    [[nodiscard]] nlohmann::json kit();
    [[nodiscard]] nlohmann::json devices();
    [[nodiscard]] nlohmann::json books();
    // book show, with "page_images" (URLs, size, warnings, the shot each page came from).
    [[nodiscard]] nlohmann::json book(const std::string& id);
    // `fields`: {"title": "...", ...} as book.toml keys; lists as book set takes them.
    std::vector<FieldError> set_book(const std::string& id, const nlohmann::json& fields);
    std::string close(const std::string& id);
    // `book reprocess ID [SHOT]`, through the daemon: its message, or CommandError.
    std::string reprocess(const std::string& id, const std::string& shot);
    [[nodiscard]] nlohmann::json queue();
    void retry(const std::string& item);
    void drop(const std::string& item);
    std::size_t retry_failed();
    // A page image (access copy or thumbnail) of a book: nullopt for any other name.
    [[nodiscard]] std::optional<std::filesystem::path> page_image(const std::string& book, const std::string& name);

private:
    [[nodiscard]] nlohmann::json ask(const std::string& request);
    std::string edit(const BookEdit& request);

    Config config_;
    ControlRequest control_;
    BookStore store_;
};

// Pages per hour over the last hour of captures (ISO 8601 UTC times); nullopt with too
// few pages to tell.
[[nodiscard]] std::optional<double> pages_per_hour(const std::vector<std::string>& captured_at,
                                                   std::chrono::system_clock::time_point now);

}  // namespace digikit::firmware
