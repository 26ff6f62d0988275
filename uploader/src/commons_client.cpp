#include "digikit/uploader/commons_client.hpp"

#include "digikit/base/text.hpp"
#include "digikit/uploader/api_answer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>
#include <utility>

namespace digikit::uploader {
namespace {

using Json = nlohmann::json;
using Params = std::vector<std::pair<std::string, std::string>>;

// A failure worth retrying, with the server's requested delay if it gave one. `at_once`:
// a fresh token or session is all it needs, so the next attempt does not wait.
struct Transient {
    std::string reason;
    std::optional<int> retry_after;
    bool at_once = false;
};

std::string read_range(const std::filesystem::path& file, std::uint64_t offset, std::uint64_t length)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + file.string());
    }
    std::string data(length, '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(data.data(), static_cast<std::streamsize>(length));
    if (static_cast<std::uint64_t>(in.gcount()) != length) {
        throw std::runtime_error("short read from " + file.string() + " at offset " + std::to_string(offset));
    }
    return data;
}

// Warnings come as a string, a list of names or an object; keep a readable detail.
std::string warning_detail(const Json& value)
{
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_array()) {
        std::string out;
        for (const auto& entry : value) {
            out += (out.empty() ? "" : ", ") + (entry.is_string() ? entry.get<std::string>() : entry.dump());
        }
        return out;
    }
    return value.dump();
}

UploadResponse parse_upload(const Json& answer)
{
    const Json& upload = answer.at("upload");
    UploadResponse response;
    response.result = upload.value("result", "");
    response.filekey = upload.value("filekey", "");
    response.filename = upload.value("filename", "");
    if (upload.contains("offset") && upload["offset"].is_number()) {
        response.offset = upload["offset"].get<std::uint64_t>();
    }
    if (upload.contains("warnings")) {
        for (const auto& [code, value] : upload["warnings"].items()) {
            response.warnings[code] = warning_detail(value);
        }
    }
    return response;
}

std::string file_title(std::string_view name)
{
    return "File:" + std::string(name);
}

// An answer without what the request returns (another API, a proxy's page, a wiki of
// another kind) is the wiki refusing in a way the client cannot read: one clear ApiError,
// never a JSON library's exception escaping to the caller (found by fuzz_wiki_response).
ApiError unexpected_answer(const std::string& api_url, const Json::exception& error)
{
    std::string detail = error.what();
    const auto tag_end = detail.find("] ");
    if (tag_end != std::string::npos) detail.erase(0, tag_end + 2);  // "[json.exception.type_error.302] "
    return {"unexpected-answer", "the wiki at " + api_url + " answered something digikit cannot read (" + detail + ")"};
}

}  // namespace

ApiError::ApiError(std::string code, const std::string& info)
    : std::runtime_error("wiki API error " + code + ": " + info), code_(std::move(code))
{
}

struct CommonsClient::State {
    ClientOptions options;
    std::unique_ptr<HttpTransport> transport;
    bool logged_in = false;
    std::string csrf_token;
    std::mt19937_64 random{std::random_device{}()};
    std::map<std::string, bool> modules;

    HttpAnswer send(Params params, bool post, const FilePart* file);
    Json call(const Params& params, bool post, bool write, const FilePart* file = nullptr);
    std::string fetch_csrf_token();
    void login();
    std::chrono::milliseconds backoff(int attempt, std::optional<int> retry_after);
    void wait_unless_stopped(std::chrono::milliseconds delay) const;
};

HttpAnswer CommonsClient::State::send(Params params, bool post, const FilePart* file)
{
    try {
        return transport->send(HttpRequest{post, std::move(params), file});
    } catch (const NetworkError& error) {
        throw Transient{error.what(), std::nullopt};
    }
}

namespace {

bool stop_requested(const ClientOptions& options)
{
    return options.should_stop && options.should_stop();
}

}  // namespace

// The wait between two attempts, cut short when a stop is asked for.
void CommonsClient::State::wait_unless_stopped(std::chrono::milliseconds delay) const
{
    const auto until = std::chrono::steady_clock::now() + delay;
    while (!stop_requested(options) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(100), until - std::chrono::steady_clock::now()));
    }
}

std::chrono::milliseconds CommonsClient::State::backoff(int attempt, std::optional<int> retry_after)
{
    const auto exponent = std::min(attempt - 1, 16);
    const auto ceiling = std::min(options.backoff_max.count(), options.backoff_base.count() << exponent);
    // "Equal jitter": half fixed, half random, so clients that failed together spread out.
    std::uniform_int_distribution<long> jitter(ceiling / 2, std::max(ceiling / 2, ceiling));
    auto delay = std::chrono::milliseconds(jitter(random));
    if (retry_after) {
        delay = std::max(delay, std::chrono::milliseconds(std::chrono::seconds(*retry_after)));
    }
    return delay;
}

Json CommonsClient::State::call(const Params& request, bool post, bool write, const FilePart* file)
{
    std::string last_reason;
    for (int attempt = 1; attempt <= options.max_attempts; ++attempt) {
        std::optional<int> retry_after;
        bool at_once = false;
        try {
            Params params = request;
            params.emplace_back("format", "json");
            params.emplace_back("formatversion", "2");
            params.emplace_back("maxlag", std::to_string(options.maxlag));
            if (write) {
                if (!logged_in) {
                    login();
                }
                if (csrf_token.empty()) {
                    csrf_token = fetch_csrf_token();
                }
                if (!options.credentials.username.empty() || !options.credentials.oauth2_token.empty()) {
                    params.emplace_back("assert", "user");
                }
                params.emplace_back("token", csrf_token);
            }
            const HttpAnswer answer = send(std::move(params), post, file);
            const AnswerClass kind = classify_answer(answer.status, answer.content_type, answer.body);
            switch (kind.kind) {
                case AnswerKind::api: break;
                case AnswerKind::retry: throw Transient{kind.what, answer.retry_after};
                case AnswerKind::request_refused:
                    throw ApiError("http", kind.what + " from " + url_for_messages(options.api_url));
                case AnswerKind::not_the_api:
                    throw EndpointError("the wiki at " + url_for_messages(options.api_url) + " answered " + kind.what +
                                        ", not the MediaWiki API: check commons.api_url");
            }
            Json json = Json::parse(answer.body, nullptr, false);
            if (json.is_discarded() || !json.is_object()) {
                throw Transient{"the wiki answered with something that is not JSON", answer.retry_after};
            }
            if (!json.contains("error")) {
                return json;
            }
            const std::string code = json["error"].value("code", "unknown");
            const std::string info = json["error"].value("info", "");
            switch (classify_api_error(code)) {
                case ApiErrorKind::busy:
                    throw Transient{code + ": " + info, answer.retry_after.value_or(code == "maxlag" ? 5 : 0)};
                case ApiErrorKind::token_expired: csrf_token.clear(); throw Transient{code, 0, true};
                case ApiErrorKind::session_lost:
                    logged_in = false;
                    csrf_token.clear();
                    throw Transient{code, 0, true};
                case ApiErrorKind::fatal: break;
            }
            throw ApiError(code, info);
        } catch (const Transient& transient) {
            last_reason = transient.reason;
            retry_after = transient.retry_after;
            at_once = transient.at_once;
        }
        if (attempt < options.max_attempts && !at_once) {
            wait_unless_stopped(backoff(attempt, retry_after == 0 ? std::nullopt : retry_after));
        }
        if (stop_requested(options)) throw TransientError("stopped before the wiki answered (" + last_reason + ")");
    }
    throw TransientError("the wiki at " + url_for_messages(options.api_url) + " kept failing (" + last_reason +
                         ") after " + std::to_string(options.max_attempts) + " attempts");
}

std::string CommonsClient::State::fetch_csrf_token()
{
    const Json json = call({{"action", "query"}, {"meta", "tokens"}, {"type", "csrf"}}, false, false);
    std::string token = json.at("query").at("tokens").at("csrftoken").get<std::string>();
    if (token == "+\\" && !options.credentials.username.empty()) {
        logged_in = false;
        throw Transient{"notloggedin", 0};
    }
    return token;
}

void CommonsClient::State::login()
{
    csrf_token.clear();
    if (!options.credentials.oauth2_token.empty() || options.credentials.username.empty()) {
        logged_in = true;
        return;
    }
    const Json tokens = call({{"action", "query"}, {"meta", "tokens"}, {"type", "login"}}, false, false);
    const std::string login_token = tokens.at("query").at("tokens").at("logintoken").get<std::string>();
    const Json answer = call({{"action", "login"},
                              {"lgname", options.credentials.username},
                              {"lgpassword", options.credentials.password},
                              {"lgtoken", login_token}},
                             true, false);
    const Json& login = answer.at("login");
    if (login.value("result", "") != "Success") {
        throw ApiError("login-failed", "login as " + options.credentials.username +
                                           " failed: " + login.value("reason", login.value("result", "unknown")));
    }
    logged_in = true;
}

CommonsClient::CommonsClient(const ClientOptions& options) : CommonsClient(options, make_curl_transport(options)) {}

CommonsClient::CommonsClient(ClientOptions options, std::unique_ptr<HttpTransport> transport)
    : state_(std::make_unique<State>())
{
    if (options.chunk_size == 0) {
        throw std::invalid_argument("chunk size must be positive");
    }
    if (!transport) {
        throw std::invalid_argument("a client needs a transport");
    }
    state_->options = std::move(options);
    state_->transport = std::move(transport);
}

CommonsClient::~CommonsClient() = default;

const ClientOptions& CommonsClient::options() const
{
    return state_->options;
}

std::string CommonsClient::user_agent() const
{
    return user_agent_for(state_->options);
}

void CommonsClient::login()
try {
    state_->login();
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

std::vector<std::string> CommonsClient::files_with_sha1(std::string_view sha1)
try {
    const Json json = state_->call(
        {{"action", "query"}, {"list", "allimages"}, {"aisha1", std::string(sha1)}, {"ailimit", "50"}}, false, false);
    std::vector<std::string> names;
    for (const auto& image : json.at("query").at("allimages")) {
        names.push_back(image.at("name").get<std::string>());
    }
    return names;
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

std::optional<RemoteFile> CommonsClient::file_info(std::string_view name)
try {
    const Json json = state_->call({{"action", "query"},
                                    {"prop", "imageinfo"},
                                    {"iiprop", "size|sha1|url"},
                                    {"iilimit", "50"},
                                    {"titles", file_title(name)}},
                                   false, false);
    const Json& page = json.at("query").at("pages").at(0);
    if (page.value("missing", false) || !page.contains("imageinfo") || page["imageinfo"].empty()) {
        return std::nullopt;
    }
    const Json& info = page["imageinfo"][0];
    RemoteFile file;
    const std::string title = page.at("title").get<std::string>();
    file.name = title.substr(title.find(':') + 1);
    file.size = info.value("size", std::uint64_t{0});
    file.sha1 = info.value("sha1", "");
    file.url = info.value("url", "");
    file.description_url = info.value("descriptionurl", "");
    file.versions = page["imageinfo"].size();
    file.page_id = page.value("pageid", std::int64_t{0});
    return file;
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

std::optional<std::string> CommonsClient::page_wikitext(std::string_view title)
try {
    const Json json = state_->call({{"action", "query"},
                                    {"prop", "revisions"},
                                    {"rvprop", "content"},
                                    {"rvslots", "main"},
                                    {"titles", std::string(title)}},
                                   false, false);
    const Json& page = json.at("query").at("pages").at(0);
    if (page.value("missing", false) || !page.contains("revisions")) {
        return std::nullopt;
    }
    return page["revisions"].at(0).at("slots").at("main").at("content").get<std::string>();
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

UploadResponse CommonsClient::upload_plain(const std::filesystem::path& file, std::string_view name,
                                           std::string_view text, std::string_view comment, bool ignore_warnings)
try {
    Params params{{"action", "upload"},
                  {"filename", std::string(name)},
                  {"text", std::string(text)},
                  {"comment", std::string(comment)}};
    // Only ever present when meant: the parameter's mere presence means true.
    if (ignore_warnings) {
        params.emplace_back("ignorewarnings", "1");
    }
    const FilePart part{"file", file, {}, file.filename().string()};
    return parse_upload(state_->call(params, true, true, &part));
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

UploadResponse CommonsClient::upload_chunk(const std::filesystem::path& file, std::uint64_t file_size,
                                           std::string_view name, std::string_view filekey, std::uint64_t offset,
                                           std::uint64_t length)
try {
    Params params{{"action", "upload"},
                  {"filename", std::string(name)},
                  {"filesize", std::to_string(file_size)},
                  {"offset", std::to_string(offset)},
                  {"stash", "1"}};
    if (!filekey.empty()) {
        params.emplace_back("filekey", std::string(filekey));
    }
    const FilePart part{"chunk", {}, read_range(file, offset, length), "chunk.bin"};
    return parse_upload(state_->call(params, true, true, &part));
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

UploadResponse CommonsClient::publish_stashed(std::string_view filekey, std::string_view name, std::string_view text,
                                              std::string_view comment, bool ignore_warnings)
try {
    Params params{{"action", "upload"},
                  {"filename", std::string(name)},
                  {"filekey", std::string(filekey)},
                  {"text", std::string(text)},
                  {"comment", std::string(comment)}};
    if (ignore_warnings) {
        params.emplace_back("ignorewarnings", "1");
    }
    return parse_upload(state_->call(params, true, true));
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

std::optional<std::uint64_t> CommonsClient::stash_offset(std::string_view filekey)
try {
    try {
        const UploadResponse status = parse_upload(
            state_->call({{"action", "upload"}, {"checkstatus", "1"}, {"filekey", std::string(filekey)}}, true, true));
        if (status.result != "Continue") {
            return std::nullopt;
        }
        return status.offset;
    } catch (const ApiError&) {
        return std::nullopt;  // unknown or finished stash: the caller starts over
    }
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

bool CommonsClient::stash_exists(std::string_view filekey)
try {
    if (!state_->logged_in) {
        state_->login();
    }
    try {
        const Json json = state_->call({{"action", "query"},
                                        {"prop", "stashimageinfo"},
                                        {"siifilekey", std::string(filekey)},
                                        {"siiprop", "size"}},
                                       false, false);
        const Json& infos = json.at("query").at("stashimageinfo");
        return infos.is_array() && !infos.empty();
    } catch (const ApiError&) {
        return false;
    }
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

bool CommonsClient::has_module(const std::string& module)
try {
    if (const auto known = state_->modules.find(module); known != state_->modules.end()) {
        return known->second;
    }
    const Json json = state_->call({{"action", "paraminfo"}, {"modules", module}}, false, false);
    const Json& found = json.at("paraminfo").value("modules", Json::array());
    const bool present = found.is_array() && !found.empty();
    state_->modules[module] = present;
    return present;
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

void CommonsClient::edit_entity(std::string_view entity_id, std::string_view data_json, std::string_view summary)
try {
    state_->call({{"action", "wbeditentity"},
                  {"id", std::string(entity_id)},
                  {"data", std::string(data_json)},
                  {"summary", std::string(summary)}},
                 true, true);
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

void CommonsClient::delete_page(std::string_view title, std::string_view reason)
try {
    state_->call({{"action", "delete"}, {"title", std::string(title)}, {"reason", std::string(reason)}}, true, true);
} catch (const Json::exception& error) {
    throw unexpected_answer(state_->options.api_url, error);
}

}  // namespace digikit::uploader
