#pragma once

#include "digikit/uploader/http_transport.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace digikit::uploader {

// A bot password ("User@App" + password) or an OAuth 2 bearer token. Never logged.
struct Credentials {
    std::string username;
    std::string password;
    std::string oauth2_token;
};

// Reads credentials.toml: `username` + `password`, or `oauth2_token`, quoted strings.
// Refuses a file other users may read or write (anything but the owner's alone, 0600 or
// 0400), naming the chmod that fixes it. Throws naming the file, the line and the key;
// the values never appear in messages.
[[nodiscard]] Credentials load_credentials(const std::filesystem::path& file);
// The file-mode rule of load_credentials alone, for other readers of the same file (the
// console's password): throws with the chmod that fixes it.
void check_credentials_mode(const std::filesystem::path& file);

struct ClientOptions {
    std::string api_url = "https://commons.wikimedia.org/w/api.php";
    Credentials credentials;
    // Wikimedia's User-Agent policy asks for a way to reach the operator of the tool.
    std::string contact = "https://commons.wikimedia.org/wiki/Commons:Digikit";
    std::uint64_t chunk_size = std::uint64_t{5} * 1024 * 1024;         // bytes per chunk of a chunked upload
    std::uint64_t chunked_threshold = std::uint64_t{5} * 1024 * 1024;  // files larger than this go in chunks
    int maxlag = 5;                                                    // seconds, sent with every request
    int max_attempts = 8;                                              // per request, for transient errors
    std::chrono::milliseconds backoff_base{1000};                      // first retry delay, doubled each time
    std::chrono::milliseconds backoff_max{60000};
    std::chrono::seconds connect_timeout{15};
    std::chrono::seconds stall_timeout{60};  // abort a transfer slower than 1 byte/s for this long
    std::chrono::seconds request_timeout{600};
    // Polled during each transfer and each wait between retries: when it answers true the
    // request ends at once with TransientError (the daemon stopping mid-upload).
    std::function<bool()> should_stop;
};

// An error answer of the API that retrying will not fix (e.g. permissiondenied).
class ApiError : public std::runtime_error {
public:
    ApiError(std::string code, const std::string& info);
    [[nodiscard]] const std::string& code() const { return code_; }

private:
    std::string code_;
};

// The wiki could not be reached or kept failing (network, 5xx, maxlag, ratelimited)
// after every retry: stop and try again later; nothing is lost.
class TransientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The address does not answer like a MediaWiki API (HTTP 404, an HTML page, a redirect):
// commons.api_url is wrong, or something such as a captive portal stands in between.
// Retrying will not help; a person must fix the address.
class EndpointError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The answer of action=upload (plain, a chunk, or publishing a stashed file).
struct UploadResponse {
    std::string result;  // Success, Warning, Continue, Poll
    std::string filekey;
    std::uint64_t offset = 0;                     // Continue: bytes the stash holds now
    std::string filename;                         // Success: the published file name
    std::map<std::string, std::string> warnings;  // code -> detail (e.g. the other file's name)
};

// What the wiki knows about a file page.
struct RemoteFile {
    std::string name;  // without "File:"
    std::uint64_t size = 0;
    std::string sha1;
    std::string url;
    std::string description_url;
    std::size_t versions = 0;  // uploads in the file's history
    std::int64_t page_id = 0;  // the file page's id; its MediaInfo entity is "M<page_id>"
};

// The transport the one-argument CommonsClient uses: libcurl, one handle that keeps the
// session's cookies and connections, the options' timeouts, User-Agent, OAuth 2 token and
// should_stop.
[[nodiscard]] std::unique_ptr<HttpTransport> make_curl_transport(const ClientOptions& options);

// The MediaWiki Action API: login, tokens, retries, uploads. One thread.
class CommonsClient {
public:
    // Over libcurl (make_curl_transport).
    explicit CommonsClient(const ClientOptions& options);
    // Over any transport (tests: a scripted wiki, or libcurl wrapped to count requests).
    CommonsClient(ClientOptions options, std::unique_ptr<HttpTransport> transport);
    CommonsClient(const CommonsClient&) = delete;
    CommonsClient& operator=(const CommonsClient&) = delete;
    ~CommonsClient();

    [[nodiscard]] const ClientOptions& options() const;
    // "digikit/VERSION (CONTACT) libcurl/VERSION", as Wikimedia's User-Agent policy asks
    // (defined beside the libcurl transport, which sends it).
    [[nodiscard]] std::string user_agent() const;
    [[nodiscard]] static std::string user_agent_for(const ClientOptions& options);

    // Bot-password login (action=login), or nothing with an OAuth 2 token. Called by
    // every write on first use and again when the session is lost.
    void login();

    // The names of the files whose content has this SHA-1 (list=allimages&aisha1).
    [[nodiscard]] std::vector<std::string> files_with_sha1(std::string_view sha1);
    [[nodiscard]] std::optional<RemoteFile> file_info(std::string_view name);
    [[nodiscard]] std::optional<std::string> page_wikitext(std::string_view title);

    // A plain upload of a whole file. ignore_warnings only for codes a person accepted.
    UploadResponse upload_plain(const std::filesystem::path& file, std::string_view name, std::string_view text,
                                std::string_view comment, bool ignore_warnings = false);
    // One chunk into the stash: offset 0 starts a new stash (filekey empty).
    UploadResponse upload_chunk(const std::filesystem::path& file, std::uint64_t file_size, std::string_view name,
                                std::string_view filekey, std::uint64_t offset, std::uint64_t length);
    // Publishes a complete stashed file under `name` with the description `text`.
    UploadResponse publish_stashed(std::string_view filekey, std::string_view name, std::string_view text,
                                   std::string_view comment, bool ignore_warnings = false);
    // The offset of an unfinished chunked stash (checkstatus), nullopt when the wiki no
    // longer knows it.
    [[nodiscard]] std::optional<std::uint64_t> stash_offset(std::string_view filekey);
    // Whether a complete stashed file still exists (prop=stashimageinfo).
    [[nodiscard]] bool stash_exists(std::string_view filekey);

    // Whether the wiki offers an API module, e.g. "wbeditentity" (Wikibase/MediaInfo on
    // Commons); remembered per client.
    [[nodiscard]] bool has_module(const std::string& module);
    // Adds structured data to a file's MediaInfo entity ("M<page_id>") with wbeditentity.
    void edit_entity(std::string_view entity_id, std::string_view data_json, std::string_view summary);

    // Deletes a file page (needs the delete right); for tests and maintenance.
    void delete_page(std::string_view title, std::string_view reason);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace digikit::uploader
