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

// What publish_book did to a book's files.
struct PublishReport {
    std::size_t queued = 0;                   // files queued for the first time
    std::size_t updated = 0;                  // queued files renamed and described anew
    std::vector<std::string> left_on_wiki;    // files the wiki has, whose description is now another:
                                              // they keep their name and content
    std::vector<std::string> being_uploaded;  // files another sync holds right now: not changed

    // One line for the person, e.g. "4 file(s) queued for upload".
    [[nodiscard]] std::string summary() const;
};

// Makes what a closing or closed book publishes match its metadata, page by page in
// book order, once the metadata is complete: every page's master and access copy get the
// metadata embedded, and the files commons.upload names (jpeg, tiff or both) are queued
// under their names and descriptions, or, already queued, renamed and described anew
// (re-embedding changes the SHA-1 the queue holds). Files the wiki already has are left
// as they are, and named. A page whose files are queued as they would be now is not
// touched: called again with unchanged metadata, it changes nothing. Pages are numbered
// in book order, so the pages behind a shot that is still processing or that failed wait
// for it (or for a person to drop it); once every page of a closing book is queued, the
// book is closed. Does nothing for a book that is open.
PublishReport publish_book(BookStore& store, const Config& config, const std::string& id);

// Whether any file of the book waits in the queue (not published, not dropped).
[[nodiscard]] bool has_unpublished_files(BookStore& store, const std::string& id);

// End book (and `digikit book close`): the book takes no more captures, its retaken
// raws are dropped, and every page already processed is queued (see publish_ready_pages).
// Returns one line for the operator: closed, or what the book is still waiting for.
std::string end_book(BookStore& store, const Config& config, const std::string& id);

// publish_book, and where the book stands after it. Safe to repeat: nothing is queued
// twice.
ClosingProgress publish_ready_pages(BookStore& store, const Config& config, const std::string& id);

// The same figures, read only.
[[nodiscard]] ClosingProgress closing_progress(BookStore& store, const std::string& id);

// The shots of a book whose processing failed and that are not dropped, in book order.
[[nodiscard]] std::vector<Shot> failed_shots(BookStore& store, const std::string& id);

// [{"shot", "reason"}] for each of `failed`.
[[nodiscard]] nlohmann::json failed_json(const std::vector<Shot>& failed);

// {"state", "summary" (describe()), "processing", "failed": [{"shot", "reason"}],
//  "missing_metadata", "pages_queued", "pages_waiting"}
[[nodiscard]] nlohmann::json progress_json(const ClosingProgress& progress);

// One line naming the failed shots and the three ways out, for End book and `book close`.
[[nodiscard]] std::string failed_shots_advice(const ClosingProgress& progress);

}  // namespace digikit::firmware
