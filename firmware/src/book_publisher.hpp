#pragma once

#include <string>
#include <vector>

#include "book_store.hpp"
#include "config.hpp"

#include <nlohmann/json.hpp>

#include "digikit/uploader/commons_client.hpp"

namespace digikit::firmware {

// The wiki client the configuration describes (api_url, credentials_file). Throws
// naming the credentials file when it cannot be read.
[[nodiscard]] uploader::ClientOptions client_options(const Config& config);

// Where a closing book stands: what still keeps some of its pages out of the queue.
struct ClosingProgress {
    std::string book_id;
    std::string state;                          // the book's state after the call
    int processing = 0;                         // shots still to be processed
    std::vector<Shot> failed;                   // shots whose processing failed (not dropped)
    std::vector<std::string> missing_metadata;  // what the metadata lacks for an upload
    int pages_queued = 0;                       // pages whose files are in the upload queue
    int pages_waiting = 0;                      // processed pages not queued yet

    // "closing: 3 shots still processing; ..." for a closing book, else the state.
    [[nodiscard]] std::string describe() const;
};

// End book (and `digikit book close`): the book takes no more captures, its retaken
// raws are dropped, and every page already processed is queued (see publish_ready_pages).
// Returns one line for the operator: closed, or what the book is still waiting for.
std::string end_book(BookStore& store, const Config& config, const std::string& id);

// Queues the pages of a closing book that are ready, in book order: each page's
// metadata is embedded, then its files (commons.upload: jpeg, tiff or both) are queued,
// then the page is marked queued. Pages are numbered in book order, so the pages behind
// a shot that is still processing or that failed wait for it (or for a person to drop
// it). Once every page is queued the book is closed. Safe to repeat: nothing is queued
// twice. Does nothing for a book that is not closing.
ClosingProgress publish_ready_pages(BookStore& store, const Config& config, const std::string& id);

// The same figures, read only.
[[nodiscard]] ClosingProgress closing_progress(BookStore& store, const std::string& id);

// {"state", "summary" (describe()), "processing", "failed": [{"shot", "reason"}],
//  "missing_metadata", "pages_queued", "pages_waiting"}
[[nodiscard]] nlohmann::json progress_json(const ClosingProgress& progress);

// One line naming the failed shots and the three ways out, for End book and `book close`.
[[nodiscard]] std::string failed_shots_advice(const ClosingProgress& progress);

}  // namespace digikit::firmware
