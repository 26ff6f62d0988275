#include "digikit/uploader/commons_client.hpp"

#include <toml++/toml.h>

namespace digikit::uploader {

Credentials load_credentials(const std::filesystem::path& file)
{
    toml::table table;
    try {
        table = toml::parse_file(file.string());
    } catch (const toml::parse_error& error) {
        // The parser's description names the line, never the values.
        throw std::runtime_error("cannot read credentials " + file.string() + ": " + std::string(error.description()));
    }
    Credentials credentials;
    credentials.username = table["username"].value_or(std::string());
    credentials.password = table["password"].value_or(std::string());
    credentials.oauth2_token = table["oauth2_token"].value_or(std::string());
    if (credentials.oauth2_token.empty() && (credentials.username.empty() || credentials.password.empty())) {
        throw std::runtime_error("credentials " + file.string() +
                                 ": need `username` and `password` (a bot password) or `oauth2_token`");
    }
    return credentials;
}

}  // namespace digikit::uploader
