#pragma once

#include <string>
#include <string_view>

namespace digikit::uploader {

// What an HTTP answer to an API request means for the client, decided from the answer
// alone (no I/O: tests and fuzzers call it directly).
enum class AnswerKind {
    api,              // a JSON document: parse it (it may still carry an API error)
    retry,            // the wiki is busy or the answer was cut short: try again later
    not_the_api,      // the address does not serve the MediaWiki API (404, an HTML page,
                      // a redirect): retrying will not help, a person must fix the address
    request_refused,  // the server refused this one request (e.g. 413, too large)
};

struct AnswerClass {
    AnswerKind kind = AnswerKind::api;
    std::string what;  // for the three error kinds: what the answer was, e.g. "HTTP 404"
};

// `status`: the HTTP status code; `content_type`: the Content-Type header (may be empty);
// `body`: the answer's body.
[[nodiscard]] AnswerClass classify_answer(long status, std::string_view content_type, std::string_view body);

// What an API error code (the "error.code" of an answer) means for the client.
enum class ApiErrorKind {
    fatal,          // retrying will not fix it (e.g. permissiondenied, fileexists-no-change)
    busy,           // maxlag, ratelimited, readonly, internal_api_error_*: back off, try again
    token_expired,  // badtoken: fetch a new CSRF token and try again at once
    session_lost,   // assertuserfailed, assertnameduserfailed, notloggedin: log in again at once
};
[[nodiscard]] ApiErrorKind classify_api_error(std::string_view code);

// `url` without any "user:password@" part, for messages.
[[nodiscard]] std::string url_for_messages(std::string_view url);

}  // namespace digikit::uploader
