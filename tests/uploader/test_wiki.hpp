#pragma once

#include "digikit/uploader/commons_client.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace digikit::uploader::testing {

// The MediaWiki that scripts/mediawiki-test-server.sh starts on 127.0.0.1.
struct TestWiki {
    std::string api_url;
    int port = 0;
    std::string username;  // the uploading bot password
    std::string password;
    std::string admin_username;  // may delete files
    std::string admin_password;
};

// Started on first use, once per test process; stopped when the process exits.
const TestWiki& test_wiki();

// Client options for the test wiki with quick retries; `api_url` may point at a proxy.
ClientOptions test_client_options(const std::string& api_url = {});
ClientOptions admin_client_options();

// A real JPEG of random noise, unique per seed (so every page has its own SHA-1).
// About 0.9 bytes per pixel.
void write_noise_jpeg(const std::filesystem::path& path, std::uint32_t seed, int width, int height);

}  // namespace digikit::uploader::testing
