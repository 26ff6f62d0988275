#pragma once

#include <string>

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

// Embeds the book's metadata into its pages and queues the files the configuration
// uploads (commons.upload: jpeg, tiff or both). Queueing twice adds nothing. Returns how
// many files are queued.
std::size_t queue_book_for_upload(BookStore& store, const Config& config, const std::string& id);

}  // namespace digikit::firmware
