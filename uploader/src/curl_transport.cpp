// The wiki's API over libcurl: one easy handle for the client's life, so that cookies
// (the login session) and connections carry from one request to the next.
#include "digikit/base/text.hpp"
#include "digikit/uploader/commons_client.hpp"
#include "digikit/uploader/http_transport.hpp"

#include <curl/curl.h>

#include <functional>
#include <memory>
#include <mutex>

#ifndef DIGIKIT_VERSION
#define DIGIKIT_VERSION "0"
#endif

namespace digikit::uploader {
namespace {

struct CurlDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct MimeDeleter {
    void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

void ensure_curl_initialised()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* user)
{
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user)
{
    const std::string_view line(data, size * count);
    constexpr std::string_view retry_after_name = "retry-after:";
    if (line.size() > retry_after_name.size() &&
        base::ascii_lower(line.substr(0, retry_after_name.size())) == retry_after_name) {
        try {
            static_cast<HttpAnswer*>(user)->retry_after = std::stoi(std::string(line.substr(retry_after_name.size())));
        } catch (const std::exception&) {
            // An HTTP date instead of seconds: the normal backoff applies.
        }
    }
    return size * count;
}

// libcurl's progress callback: a non-zero answer aborts the transfer.
int stop_if_asked(void* data, curl_off_t /*unused*/, curl_off_t /*unused*/, curl_off_t /*unused*/,
                  curl_off_t /*unused*/)
{
    const auto& should_stop = *static_cast<const std::function<bool()>*>(data);
    return should_stop && should_stop() ? 1 : 0;
}

class CurlTransport final : public HttpTransport {
public:
    explicit CurlTransport(const ClientOptions& options);
    [[nodiscard]] HttpAnswer send(const HttpRequest& request) override;

private:
    void add_post_fields(curl_mime* mime, const HttpRequest& request);
    [[nodiscard]] std::string url_with_query(const HttpRequest& request);

    std::unique_ptr<CURL, CurlDeleter> handle_;
    std::string api_url_;
    std::string agent_;
    std::string authorization_;  // "Authorization: Bearer ..." with an OAuth 2 token, or empty
    std::function<bool()> should_stop_;
};

CurlTransport::CurlTransport(const ClientOptions& options)
    : api_url_(options.api_url), agent_(CommonsClient::user_agent_for(options)), should_stop_(options.should_stop)
{
    ensure_curl_initialised();
    handle_.reset(curl_easy_init());
    if (!handle_) {
        throw std::runtime_error("libcurl could not be initialised");
    }
    if (!options.credentials.oauth2_token.empty()) {
        // Kept whole so the token never sits in a message or a log line.
        authorization_ = "Authorization: Bearer " + options.credentials.oauth2_token;
    }
    CURL* handle = handle_.get();
    curl_easy_setopt(handle, CURLOPT_USERAGENT, agent_.c_str());
    curl_easy_setopt(handle, CURLOPT_COOKIEFILE, "");  // cookies in memory only
    curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, static_cast<long>(options.request_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &stop_if_asked);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &should_stop_);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &append_body);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &read_header);
}

void CurlTransport::add_post_fields(curl_mime* mime, const HttpRequest& request)
{
    for (const auto& [name, value] : request.fields) {
        curl_mimepart* part = curl_mime_addpart(mime);
        curl_mime_name(part, name.c_str());
        curl_mime_data(part, value.data(), value.size());
    }
    if (const FilePart* file = request.file; file != nullptr) {
        curl_mimepart* part = curl_mime_addpart(mime);
        curl_mime_name(part, file->field.c_str());
        if (file->data.empty()) {
            curl_mime_filedata(part, file->path.c_str());
        } else {
            curl_mime_data(part, file->data.data(), file->data.size());
        }
        curl_mime_filename(part, file->filename.c_str());
        curl_mime_type(part, "application/octet-stream");
    }
}

std::string CurlTransport::url_with_query(const HttpRequest& request)
{
    std::string url = api_url_;
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [name, value] : request.fields) {
        const std::unique_ptr<char, decltype(&curl_free)> escaped(
            curl_easy_escape(handle_.get(), value.c_str(), static_cast<int>(value.size())), &curl_free);
        url += separator + name + "=" + escaped.get();
        separator = '&';
    }
    return url;
}

HttpAnswer CurlTransport::send(const HttpRequest& request)
{
    CURL* handle = handle_.get();
    HttpAnswer answer;
    std::unique_ptr<curl_mime, MimeDeleter> mime;
    std::string url = api_url_;
    if (request.post) {
        mime.reset(curl_mime_init(handle));
        add_post_fields(mime.get(), request);
        curl_easy_setopt(handle, CURLOPT_MIMEPOST, mime.get());
    } else {
        curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
        url = url_with_query(request);
    }
    std::unique_ptr<curl_slist, SlistDeleter> headers(curl_slist_append(nullptr, "Expect:"));
    if (!authorization_.empty()) {
        headers.reset(curl_slist_append(headers.release(), authorization_.c_str()));
    }
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &answer);
    const CURLcode rc = curl_easy_perform(handle);
    // The mime and the header list die with this call.
    curl_easy_setopt(handle, CURLOPT_MIMEPOST, nullptr);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
    if (rc != CURLE_OK) {
        throw NetworkError(std::string("network error: ") + curl_easy_strerror(rc));
    }
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &answer.status);
    const char* content_type = nullptr;
    curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &content_type);
    if (content_type != nullptr) answer.content_type = content_type;
    return answer;
}

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport(const ClientOptions& options)
{
    return std::make_unique<CurlTransport>(options);
}

std::string CommonsClient::user_agent_for(const ClientOptions& options)
{
    return "digikit/" DIGIKIT_VERSION " (" + options.contact + ") libcurl/" +
           curl_version_info(CURLVERSION_NOW)->version;
}

}  // namespace digikit::uploader
