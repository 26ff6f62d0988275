// The MediaWiki client's handling of answers, against any answer a wiki (or whatever
// answers at api_url) can give: the real CommonsClient over libcurl, talking to a server
// on 127.0.0.1 that answers every request with the fuzzer's bytes. Contract: each call
// returns, or throws ApiError (the wiki refused, or answered something the client does
// not understand), TransientError (worth retrying later) or EndpointError (what answers
// is not the MediaWiki API: a 404, a web page); nothing else escapes.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "canned_http_server.hpp"
#include "digikit/uploader/commons_client.hpp"

namespace {

using namespace digikit::uploader;

// One server for the whole run; a fresh client for every answer, so that nothing it
// remembers (session, token, modules) carries over from one input to the next.
ClientOptions options_for(const digikit::fuzzing::CannedHttpServer& server)
{
    ClientOptions options;
    options.api_url = server.url();
    options.max_attempts = 1;  // no retries, no backoff: one request, one answer
    options.connect_timeout = std::chrono::seconds(2);
    options.request_timeout = std::chrono::seconds(5);
    options.chunk_size = 16;
    return options;
}

std::filesystem::path page_file()
{
    const auto file = std::filesystem::temp_directory_path() / "digikit-fuzz-page.jpg";
    std::ofstream(file, std::ios::binary) << "a page, as far as the client knows";
    return file;
}

void call(CommonsClient& client, const std::filesystem::path& file, int which)
{
    switch (which) {
        case 0: (void)client.files_with_sha1("0123456789abcdef0123456789abcdef01234567"); break;
        case 1: (void)client.file_info("Page 1.jpg"); break;
        case 2: (void)client.page_wikitext("File:Page 1.jpg"); break;
        case 3: (void)client.upload_plain(file, "Page 1.jpg", "{{Information}}", "digikit"); break;
        case 4: (void)client.upload_chunk(file, std::filesystem::file_size(file), "Page 1.jpg", "", 0, 16); break;
        case 5: (void)client.publish_stashed("key.1", "Page 1.jpg", "{{Information}}", "digikit"); break;
        case 6: (void)client.stash_offset("key.1"); break;
        case 7: (void)client.stash_exists("key.1"); break;
        case 8: (void)client.has_module("wbeditentity"); break;
        default: client.edit_entity("M1", "{}", "digikit"); break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static digikit::fuzzing::CannedHttpServer server;
    static const std::filesystem::path file = page_file();
    if (size < 2) return 0;
    static constexpr int statuses[] = {200, 200, 200, 200, 404, 429, 503, 302};
    server.answer(statuses[data[0] % 8], std::string(reinterpret_cast<const char*>(data) + 2, size - 2));
    CommonsClient client(options_for(server));
    try {
        call(client, file, data[1] % 10);
    } catch (const ApiError&) {
    } catch (const TransientError&) {
    } catch (const EndpointError&) {
    }
    return 0;
}
