#include "digikit/uploader/commons_client.hpp"
#include "digikit/uploader/upload_queue.hpp"

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"
#include "test_transports.hpp"
#include "test_wiki.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>

namespace digikit::uploader {
namespace {

using digikit::testing::TempDir;
using testing::test_client_options;
using testing::write_noise_jpeg;

// A port on 127.0.0.1 where nothing listens (bound, read, released).
int unused_port()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

TEST(CommonsClient, UserAgentFollowsWikimediaPolicy)
{
    ClientOptions options;
    options.contact = "https://example.org/kit; kit@example.org";
    const CommonsClient client(options);
    // name/version (contact) library/version
    const std::string agent = client.user_agent();
    EXPECT_EQ(agent.rfind("digikit/0.", 0), 0u) << agent;
    EXPECT_NE(agent.find(" (https://example.org/kit; kit@example.org) libcurl/"), std::string::npos) << agent;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(agent.back()))) << agent;
}

TEST(CommonsClient, LogsInWithTheBotPasswordAndRejectsAWrongOneWithoutShowingIt)
{
    CommonsClient client(test_client_options());
    EXPECT_NO_THROW(client.login());

    auto wrong = test_client_options();
    wrong.credentials.password = "0123456789abcdefghijklmnopqrstuv";
    CommonsClient refused(wrong);
    try {
        refused.login();
        FAIL() << "login with a wrong bot password succeeded";
    } catch (const ApiError& error) {
        EXPECT_EQ(error.code(), "login-failed");
        EXPECT_EQ(std::string(error.what()).find(wrong.credentials.password), std::string::npos);
    }
}

TEST(CommonsClient, PlainUploadIsVisibleThroughTheApi)
{
    TempDir dir;
    const auto file = dir / "plain.jpg";
    write_noise_jpeg(file, 101, 64, 64);
    const std::string sha1 = file_sha1(file);
    CommonsClient client(test_client_options());
    EXPECT_TRUE(client.files_with_sha1(sha1).empty());

    const auto response = client.upload_plain(file, "Client plain test.jpg", "Plain text [[Category:Tests]]", "test");
    ASSERT_EQ(response.result, "Success");
    EXPECT_EQ(response.filename, "Client_plain_test.jpg");

    const auto info = client.file_info("Client plain test.jpg");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->size, std::filesystem::file_size(file));
    EXPECT_EQ(info->sha1, sha1);
    EXPECT_EQ(client.files_with_sha1(sha1), std::vector<std::string>{"Client_plain_test.jpg"});
    EXPECT_EQ(client.page_wikitext("File:Client plain test.jpg"), "Plain text [[Category:Tests]]");
    EXPECT_FALSE(client.file_info("Never uploaded.jpg"));
}

TEST(CommonsClient, ChunkedUploadGoesThroughTheStash)
{
    TempDir dir;
    const auto file = dir / "chunked.jpg";
    write_noise_jpeg(file, 202, 192, 192);
    const auto size = std::filesystem::file_size(file);
    constexpr std::uint64_t chunk_request = 8192;
    ASSERT_GT(size, 2 * chunk_request);
    CommonsClient client(test_client_options());

    auto response = client.upload_chunk(file, size, "Client chunked test.jpg", "", 0, chunk_request);
    ASSERT_EQ(response.result, "Continue");
    EXPECT_EQ(response.offset, chunk_request);
    const std::string filekey = response.filekey;
    ASSERT_FALSE(filekey.empty());
    EXPECT_EQ(client.stash_offset(filekey), chunk_request);

    std::uint64_t offset = chunk_request;
    while (offset < size) {
        response = client.upload_chunk(file, size, "Client chunked test.jpg", filekey, offset,
                                       std::min(chunk_request, size - offset));
        ASSERT_TRUE(response.result == "Continue" || response.result == "Success") << response.result;
        offset = response.result == "Success" ? size : response.offset;
    }
    ASSERT_FALSE(response.filekey.empty());
    EXPECT_TRUE(client.stash_exists(response.filekey));
    EXPECT_FALSE(client.stash_exists("nosuchkey.jpg"));
    EXPECT_FALSE(client.stash_offset("nosuchkey.jpg"));

    const auto published = client.publish_stashed(response.filekey, "Client chunked test.jpg", "Chunked", "test");
    ASSERT_EQ(published.result, "Success");
    const auto info = client.file_info("Client chunked test.jpg");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->size, size);
    EXPECT_EQ(info->sha1, file_sha1(file));
}

TEST(CommonsClient, AnUnreachableWikiIsATransientErrorAfterTheRetries)
{
    auto options = test_client_options("http://127.0.0.1:" + std::to_string(unused_port()) + "/api.php");
    options.max_attempts = 3;
    auto counter = std::make_unique<testing::CountingTransport>(options);
    const auto& requests = *counter;
    CommonsClient client(options, std::move(counter));
    EXPECT_THROW(static_cast<void>(client.files_with_sha1("da39a3ee5e6b4b0d3255bfef95601890afd80709")), TransientError);
    EXPECT_EQ(requests.sent(), 3u);
}

TEST(Credentials, ReadsBotPasswordOrTokenAndNamesWhatIsMissing)
{
    TempDir dir;
    base::write_file_atomically(dir / "bot.toml", "username = \"User@kit\"\npassword = \"abc\"\n");
    const auto bot = load_credentials(dir / "bot.toml");
    EXPECT_EQ(bot.username, "User@kit");
    EXPECT_EQ(bot.password, "abc");

    base::write_file_atomically(dir / "oauth.toml", "oauth2_token = \"tok\"\n");
    EXPECT_EQ(load_credentials(dir / "oauth.toml").oauth2_token, "tok");

    base::write_file_atomically(dir / "half.toml", "username = \"User@kit\"\n");
    EXPECT_THROW(static_cast<void>(load_credentials(dir / "half.toml")), std::runtime_error);
    base::write_file_atomically(dir / "broken.toml", "password = \"secret-value\n");
    try {
        static_cast<void>(load_credentials(dir / "broken.toml"));
        FAIL() << "a broken credentials file was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()).find("secret-value"), std::string::npos) << error.what();
    }
}

// The message a credentials file gets, checking it never shows `secret`.
std::string refusal(const std::filesystem::path& file, const std::string& secret)
{
    try {
        static_cast<void>(load_credentials(file));
    } catch (const std::runtime_error& error) {
        EXPECT_EQ(std::string(error.what()).find(secret), std::string::npos) << error.what();
        return error.what();
    }
    ADD_FAILURE() << file << " was accepted";
    return {};
}

TEST(Credentials, AFileOthersCanReadIsRefusedWithTheCommandThatFixesIt)
{
    TempDir dir;
    const auto file = dir / "credentials.toml";
    base::write_file_atomically(file, "username = \"User@kit\"\npassword = \"s3cretpassw0rd\"\n");
    for (const mode_t mode : std::initializer_list<mode_t>{0644, 0640, 0604, 0660, 0602}) {
        ASSERT_EQ(::chmod(file.c_str(), mode), 0);
        const std::string message = refusal(file, "s3cretpassw0rd");
        EXPECT_NE(message.find("chmod 600 " + file.string()), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    for (const mode_t mode : std::initializer_list<mode_t>{0600, 0400}) {
        ASSERT_EQ(::chmod(file.c_str(), mode), 0);
        EXPECT_EQ(load_credentials(file).password, "s3cretpassw0rd");
    }
}

// Bot passwords are 32 characters of 0-9 and a-w: now and then all digits, which TOML
// reads as a number when left unquoted (too large for 64 bits, the parser quotes it).
TEST(Credentials, AnUnquotedPasswordIsNeverEchoed)
{
    TempDir dir;
    const std::string digits = "12345678901234567890123456789012";
    base::write_file_atomically(dir / "long.toml", "username = \"User@kit\"\npassword = " + digits + "\n");
    EXPECT_NE(refusal(dir / "long.toml", digits).find("long.toml:2"), std::string::npos);
    EXPECT_EQ(refusal(dir / "long.toml", digits.substr(0, 8)).find("1234"), std::string::npos);
    base::write_file_atomically(dir / "short.toml", "username = \"User@kit\"\npassword = 73914\n");
    EXPECT_NE(refusal(dir / "short.toml", "73914").find("`password` must be a quoted string"), std::string::npos);
    base::write_file_atomically(dir / "bare.toml", "username = \"User@kit\"\npassword = abcw0123\n");
    EXPECT_NE(refusal(dir / "bare.toml", "abcw0123").find("bare.toml:2"), std::string::npos);
}

}  // namespace
}  // namespace digikit::uploader
