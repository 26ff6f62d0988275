#pragma once

#include <string>

#include "book_store.hpp"
#include "config.hpp"
#include "control_request.hpp"

namespace digikit::firmware {

struct BookEditResult {
    std::string message;        // what was done, for the person who asked
    bool must_process = false;  // shots were made pending: the processing worker has work
};

// Applies the edit; throws std::runtime_error with one line when it cannot be done (and
// then changes nothing). Closing the daemon's open book is End book: the daemon routes
// that through its state machine first.
BookEditResult apply_book_edit(BookStore& store, const Config& config, const BookEdit& edit);

}  // namespace digikit::firmware
