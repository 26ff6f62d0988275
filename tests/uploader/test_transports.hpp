#pragma once
// Transports for CommonsClient in tests (see http_transport.hpp): a wiki scripted in a
// function, for answers a real wiki will not give on demand (an expired token, a lost
// session, an error after the file was stored), and libcurl with a request counter.
// A test keeps a reference to the transport it hands to the client, which owns it.

#include "digikit/uploader/commons_client.hpp"
#include "digikit/uploader/http_transport.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace digikit::uploader::testing {

// The value of a request's field, or "" when it has none.
inline std::string field(const HttpRequest& request, const std::string& name)
{
    for (const auto& [key, value] : request.fields) {
        if (key == name) return value;
    }
    return {};
}

// A 200 answer with a JSON body, as the API gives.
inline HttpAnswer api_answer(std::string json)
{
    return HttpAnswer{200, "application/json; charset=utf-8", std::move(json), std::nullopt};
}

class ScriptedWiki final : public HttpTransport {
public:
    using Script = std::function<HttpAnswer(const HttpRequest&)>;
    explicit ScriptedWiki(Script script) : script_(std::move(script)) {}

    HttpAnswer send(const HttpRequest& request) override
    {
        std::string what = field(request, "action");
        for (const char* detail : {"meta", "list", "prop", "checkstatus"}) {
            if (const auto value = field(request, detail); !value.empty()) what += " " + std::string(detail);
        }
        requests_.push_back(what);
        return script_(request);
    }
    // Each request so far: its action and which of meta/list/prop/checkstatus it had,
    // e.g. "query meta", "upload", "login".
    [[nodiscard]] const std::vector<std::string>& requests() const { return requests_; }

private:
    Script script_;
    std::vector<std::string> requests_;
};

class CountingTransport final : public HttpTransport {
public:
    explicit CountingTransport(const ClientOptions& options) : inner_(make_curl_transport(options)) {}

    HttpAnswer send(const HttpRequest& request) override
    {
        ++sent_;
        return inner_->send(request);
    }
    // Requests sent, retries included, whether an answer came or not.
    [[nodiscard]] std::uint64_t sent() const { return sent_; }

private:
    std::unique_ptr<HttpTransport> inner_;
    std::uint64_t sent_ = 0;
};

}  // namespace digikit::uploader::testing
