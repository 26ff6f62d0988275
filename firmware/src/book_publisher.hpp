#pragma once

#include <string>
#include <vector>

#include "book_store.hpp"
#include "config.hpp"

#include "digikit/uploader/commons_client.hpp"

namespace digikit::firmware {

// The wiki client the configuration describes (api_url, credentials_file). Throws
// naming the credentials file when it cannot be read.
[[nodiscard]] uploader::ClientOptions client_options(const Config& config);

// Closes a book (End book, `digikit book close`): retaken raws are dropped, and when the
// metadata is complete every page gets it embedded and is queued for upload. Returns
// one line saying what happened.
std::string finish_book(BookStore& store, const Config& config, const std::string& id);

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

// Makes what a closed book publishes match its metadata: every page's master and access
// copy get the metadata embedded, and the files commons.upload names (jpeg, tiff or
// both) are queued under their names and descriptions, or, already queued, renamed and
// described anew (re-embedding changes the SHA-1 the queue holds). Files the wiki already
// has are left as they are, and named. A page whose files are queued as they would be
// now is not touched: called again with unchanged metadata, it changes nothing.
PublishReport publish_book(BookStore& store, const Config& config, const std::string& id);

// Whether any file of the book waits in the queue (not published, not dropped).
[[nodiscard]] bool has_unpublished_files(BookStore& store, const std::string& id);

}  // namespace digikit::firmware
