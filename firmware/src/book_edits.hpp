#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "book_store.hpp"
#include "config.hpp"

namespace digikit::firmware {

// A change to a book that the daemon may be holding (its open book, or a closing book
// whose pages it queues): `digikit book close|set|reprocess|drop-shot`. The CLI sends it
// to a running daemon, which applies it on its event loop; with no daemon the CLI
// applies it itself. Either way the one function below does it.
struct BookEdit {
    std::string command;                 // close | set | reprocess | drop-shot
    std::string book;                    // the book id
    std::vector<std::string> arguments;  // set: KEY=VALUE...; reprocess: [SHOT]; drop-shot: SHOT
    bool without_failed = false;         // close: leave the failed shots out (a person said so)
};

// As sent over the control socket ("book " + JSON); parsing throws std::invalid_argument
// on anything malformed.
[[nodiscard]] nlohmann::json to_json(const BookEdit& edit);
[[nodiscard]] BookEdit book_edit_from_json(const nlohmann::json& json);

struct BookEditResult {
    std::string message;        // what was done, for the person who asked
    bool must_process = false;  // shots were made pending: the processing worker has work
};

// Applies the edit; throws std::runtime_error with one line when it cannot be done (and
// then changes nothing). Closing the daemon's open book is End book: the daemon routes
// that through its state machine first.
BookEditResult apply_book_edit(BookStore& store, const Config& config, const BookEdit& edit);

}  // namespace digikit::firmware
