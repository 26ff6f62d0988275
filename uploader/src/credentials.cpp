#include <sys/stat.h>

#include <toml++/toml.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "digikit/uploader/commons_client.hpp"

namespace digikit::uploader {

// SPEC: the file is the owner's alone (mode 0600); anything else is refused with the fix.
void check_credentials_mode(const std::filesystem::path& file)
{
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
        throw std::runtime_error("cannot read credentials " + file.string() + ": " +
                                 std::error_code(errno, std::generic_category()).message());
    }
    const unsigned mode = info.st_mode & 07777U;
    if ((mode & 077U) != 0) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "%04o", mode);
        throw std::runtime_error("credentials " + file.string() + " has mode " + octal +
                                 ", open to other users; make it the owner's alone: chmod 600 " + file.string());
    }
}

namespace {

// A key's value as a string; a value of another type (an unquoted all-digit password is
// an integer) is named by key only, never shown.
std::string string_value(const toml::table& table, const std::filesystem::path& file, const char* key)
{
    const toml::node* node = table.get(key);
    if (node == nullptr) return {};
    if (const auto* text = node->as_string()) return text->get();
    throw std::runtime_error("credentials " + file.string() + ":" + std::to_string(node->source().begin.line) + ": `" +
                             key + "` must be a quoted string (" + key + " = \"...\")");
}

}  // namespace

Credentials load_credentials(const std::filesystem::path& file)
{
    check_credentials_mode(file);
    toml::table table;
    try {
        table = toml::parse_file(file.string());
    } catch (const toml::parse_error& error) {
        // The parser's description may quote the text it stumbled on (a secret): only the
        // place is given.
        throw std::runtime_error("cannot read credentials " + file.string() + ":" +
                                 std::to_string(error.source().begin.line) +
                                 ": not valid TOML (quote each value, e.g. password = \"...\")");
    }
    Credentials credentials;
    credentials.username = string_value(table, file, "username");
    credentials.password = string_value(table, file, "password");
    credentials.oauth2_token = string_value(table, file, "oauth2_token");
    if (credentials.oauth2_token.empty() && (credentials.username.empty() || credentials.password.empty())) {
        throw std::runtime_error("credentials " + file.string() +
                                 ": need `username` and `password` (a bot password) or `oauth2_token`");
    }
    return credentials;
}

}  // namespace digikit::uploader
