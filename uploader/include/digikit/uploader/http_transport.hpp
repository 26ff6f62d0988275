#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace digikit::uploader {

// The file part of a multipart POST: a whole file from disk, or bytes in memory.
struct FilePart {
    std::string field;
    std::filesystem::path path;  // used when data is empty
    std::string data;
    std::string filename;
};

// One request to the wiki's API: a GET with the fields in its query, or a multipart POST
// of the fields and, optionally, one file part.
struct HttpRequest {
    bool post = false;
    std::vector<std::pair<std::string, std::string>> fields;
    const FilePart* file = nullptr;  // POST only; owned by the caller
};

struct HttpAnswer {
    long status = 0;
    std::string content_type;
    std::string body;
    std::optional<int> retry_after;  // seconds, from a Retry-After header
};

// No answer came (no connection, a timeout, a stalled transfer, a stop asked for):
// worth trying again.
class NetworkError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What CommonsClient sends its requests through: libcurl on the kit
// (make_curl_transport in commons_client.hpp), a scripted wiki in tests, so that the
// client's retries and sessions can be tested with answers no real wiki gives on demand.
// The client keeps its transport for its whole life and calls it from one thread.
class HttpTransport {
public:
    virtual ~HttpTransport() = default;

    // Sends one request to the API and returns whatever HTTP answer came, of any status;
    // throws NetworkError when none came.
    [[nodiscard]] virtual HttpAnswer send(const HttpRequest& request) = 0;
};

}  // namespace digikit::uploader
