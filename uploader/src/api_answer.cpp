#include "digikit/uploader/api_answer.hpp"

#include <algorithm>
#include <cctype>

#include "digikit/base/text.hpp"

namespace digikit::uploader {
namespace {

char first_visible(std::string_view body)
{
    const auto it =
        std::find_if(body.begin(), body.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) == 0; });
    return it == body.end() ? '\0' : *it;
}

// The media type alone, lower case: "text/html; charset=UTF-8" -> "text/html".
std::string media_type(std::string_view content_type)
{
    std::string type = base::ascii_lower(content_type.substr(0, content_type.find(';')));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    return type;
}

}  // namespace

AnswerClass classify_answer(long status, std::string_view content_type, std::string_view body)
{
    const std::string http = "HTTP " + std::to_string(status);
    if (status == 408 || status == 429 || (status >= 500 && status <= 599)) return {AnswerKind::retry, http};
    if (status == 413 || status == 414) return {AnswerKind::request_refused, http};
    if (status < 200 || status > 299) {
        return {AnswerKind::not_the_api, status >= 300 && status <= 399 ? http + ", a redirect" : http};
    }
    const std::string type = media_type(content_type);
    const bool json_type = type.empty() || type.find("json") != std::string::npos;
    if (json_type && first_visible(body) == '{') return {AnswerKind::api, {}};
    if (type == "text/html" || (type.empty() && first_visible(body) == '<')) {
        return {AnswerKind::not_the_api, "an HTML page instead of JSON"};
    }
    if (!json_type) return {AnswerKind::not_the_api, "a " + type + " document instead of JSON"};
    // JSON announced but empty or cut short: a connection that broke mid-answer.
    return {AnswerKind::retry, "an answer that is not JSON"};
}

ApiErrorKind classify_api_error(std::string_view code)
{
    if (code == "maxlag" || code == "ratelimited" || code == "readonly" || code.starts_with("internal_api_error")) {
        return ApiErrorKind::busy;
    }
    if (code == "badtoken") return ApiErrorKind::token_expired;
    if (code == "assertuserfailed" || code == "assertnameduserfailed" || code == "notloggedin") {
        return ApiErrorKind::session_lost;
    }
    return ApiErrorKind::fatal;
}

std::string url_for_messages(std::string_view url)
{
    const auto scheme = url.find("://");
    const auto start = scheme == std::string_view::npos ? 0 : scheme + 3;
    const auto end = url.find_first_of("/?#", start);
    const auto at = url.substr(0, end).rfind('@');
    if (at == std::string_view::npos || at < start) return std::string(url);
    return std::string(url.substr(0, start)) + std::string(url.substr(at + 1));
}

}  // namespace digikit::uploader
