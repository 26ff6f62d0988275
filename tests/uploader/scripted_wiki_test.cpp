// The client's sessions and retries, and sync's handling of refusals, against a wiki
// scripted through the HttpTransport interface: answers a real wiki will not give on
// demand (an expired token, a lost session, an error after the file was stored). No PHP.
#include "digikit/uploader/commons_client.hpp"
#include "digikit/uploader/sync.hpp"
#include "digikit/uploader/upload_queue.hpp"

#include "temp_dir.hpp"
#include "test_transports.hpp"
#include "test_wiki.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace digikit::uploader {
namespace {

using digikit::testing::TempDir;
using testing::api_answer;
using testing::field;
using testing::ScriptedWiki;

const std::string login_token = R"({"query":{"tokens":{"logintoken":"L+\\"}}})";
const std::string logged_in = R"({"login":{"result":"Success","lgusername":"Tester"}})";
const std::string csrf_token = R"({"query":{"tokens":{"csrftoken":"T+\\"}}})";
const std::string no_files = R"({"query":{"allimages":[]}})";

std::string api_error(const std::string& code, const std::string& info)
{
    return R"({"error":{"code":")" + code + R"(","info":")" + info + R"("}})";
}

// Bot-password options whose every wait between attempts is an hour: a request that
// should be repeated at once but waits instead ends in "stopped" after 20 s, not a hang.
ClientOptions options_that_never_wait()
{
    ClientOptions options;
    options.api_url = "http://wiki.invalid/w/api.php";  // never resolved: the transport is scripted
    options.credentials = {"Tester@kit", "bot password", {}};
    options.max_attempts = 4;
    options.backoff_base = std::chrono::hours(1);
    options.backoff_max = std::chrono::hours(1);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    options.should_stop = [give_up] { return std::chrono::steady_clock::now() > give_up; };
    return options;
}

// The answers of a wiki where logging in works; `upload` answers each upload.
ScriptedWiki::Script wiki_with(std::function<HttpAnswer(const HttpRequest&)> upload)
{
    return [upload = std::move(upload)](const HttpRequest& request) {
        const std::string action = field(request, "action");
        if (action == "login") return api_answer(logged_in);
        if (action == "upload") return upload(request);
        if (field(request, "meta") == "tokens") {
            return api_answer(field(request, "type") == "login" ? login_token : csrf_token);
        }
        if (field(request, "list") == "allimages") return api_answer(no_files);
        return api_answer(api_error("badvalue", "not scripted: " + action));
    };
}

class ScriptedWikiTest : public ::testing::Test {
protected:
    // A client over `script`; wiki() shows what it was asked.
    CommonsClient& client_over(ScriptedWiki::Script script, ClientOptions options = options_that_never_wait())
    {
        auto wiki = std::make_unique<ScriptedWiki>(std::move(script));
        wiki_ = wiki.get();
        client_ = std::make_unique<CommonsClient>(std::move(options), std::move(wiki));
        return *client_;
    }
    [[nodiscard]] const std::vector<std::string>& asked() const { return wiki_->requests(); }

    TempDir dir_;
    std::filesystem::path page_ = [this] {
        testing::write_noise_jpeg(dir_ / "page.jpg", 9001, 32, 32);
        return dir_ / "page.jpg";
    }();

private:
    ScriptedWiki* wiki_ = nullptr;
    std::unique_ptr<CommonsClient> client_;
};

TEST_F(ScriptedWikiTest, AnExpiredTokenIsFetchedAgainAndTheUploadRepeatedWithoutWaiting)
{
    int uploads = 0;
    auto& client = client_over(wiki_with([&uploads](const HttpRequest& request) {
        EXPECT_EQ(field(request, "token"), "T+\\");
        EXPECT_EQ(field(request, "assert"), "user");
        return api_answer(++uploads == 1 ? api_error("badtoken", "Invalid CSRF token.")
                                         : R"({"upload":{"result":"Success","filename":"Page_1.jpg"}})");
    }));
    const auto response = client.upload_plain(page_, "Page 1.jpg", "text", "comment");
    EXPECT_EQ(response.result, "Success");
    EXPECT_EQ(response.filename, "Page_1.jpg");
    EXPECT_EQ(asked(),
              (std::vector<std::string>{"query meta", "login", "query meta", "upload", "query meta", "upload"}));
}

TEST_F(ScriptedWikiTest, ALostSessionLogsInAgainBeforeTheUploadIsRepeated)
{
    int uploads = 0;
    auto& client = client_over(wiki_with([&uploads](const HttpRequest&) {
        return api_answer(++uploads == 1 ? api_error("assertuserfailed", "You are no longer logged in.")
                                         : R"({"upload":{"result":"Success","filename":"Page_1.jpg"}})");
    }));
    EXPECT_EQ(client.upload_plain(page_, "Page 1.jpg", "text", "comment").result, "Success");
    EXPECT_EQ(asked(), (std::vector<std::string>{"query meta", "login", "query meta", "upload", "query meta", "login",
                                                 "query meta", "upload"}));
}

TEST_F(ScriptedWikiTest, AStopAskedForDuringTheWaitEndsTheRequestWithoutAnotherAttempt)
{
    bool stop = false;
    auto options = options_that_never_wait();
    options.should_stop = [&stop] { return stop; };
    auto& client = client_over(
        [&stop](const HttpRequest&) {
            stop = true;  // the operator pressed Stop while the wiki was busy
            return HttpAnswer{503, "text/html", "<html>busy</html>", 3600};
        },
        options);
    try {
        (void)client.files_with_sha1("da39a3ee5e6b4b0d3255bfef95601890afd80709");
        FAIL() << "no error";
    } catch (const TransientError& error) {
        EXPECT_EQ(std::string(error.what()), "stopped before the wiki answered (HTTP 503)");
    }
    EXPECT_EQ(asked().size(), 1u);
}

TEST_F(ScriptedWikiTest, NoAnswerAtAllIsATransientErrorNamingTheCauseAfterEveryAttempt)
{
    auto options = options_that_never_wait();
    options.backoff_base = std::chrono::milliseconds(1);
    options.backoff_max = std::chrono::milliseconds(1);
    auto& client = client_over(
        [](const HttpRequest&) -> HttpAnswer { throw NetworkError("network error: Connection refused"); }, options);
    try {
        (void)client.file_info("Page 1.jpg");
        FAIL() << "no error";
    } catch (const TransientError& error) {
        EXPECT_EQ(std::string(error.what()),
                  "the wiki at http://wiki.invalid/w/api.php kept failing (network error: "
                  "Connection refused) after 4 attempts");
    }
    EXPECT_EQ(asked().size(), 4u);
}

// A refusal of one file fails that item with the wiki's words; the run goes on. An error
// answer for an upload that landed anyway (its first answer was lost, so the repeat is
// told "no change") is confirmed by the file's SHA-1 and counts as published.
TEST_F(ScriptedWikiTest, SyncFailsARefusedItemWithTheWikisWordsAndConfirmsALandedOneBySha1)
{
    UploadQueue queue(dir_ / "queue.sqlite");
    testing::write_noise_jpeg(dir_ / "refused.jpg", 9002, 32, 32);
    testing::write_noise_jpeg(dir_ / "landed.jpg", 9003, 32, 32);
    const auto refused = queue.enqueue(dir_ / "refused.jpg", "Refused.jpg", "text");
    const auto landed = queue.enqueue(dir_ / "landed.jpg", "Landed.jpg", "text");
    bool landed_uploaded = false;
    auto wiki = wiki_with([&landed_uploaded](const HttpRequest& upload) {
        if (field(upload, "filename") == "Refused.jpg") {
            return api_answer(api_error("verification-error", "File extension does not match the MIME type."));
        }
        landed_uploaded = true;
        return api_answer(api_error("fileexists-no-change",
                                    "The upload is an exact duplicate of the current version of File:Landed.jpg."));
    });
    auto& client = client_over([&](const HttpRequest& request) {
        if (landed_uploaded && field(request, "aisha1") == landed.sha1) {
            return api_answer(R"({"query":{"allimages":[{"name":"Landed.jpg"}]}})");
        }
        return wiki(request);
    });
    const auto summary = sync_queue(queue, client, {});
    EXPECT_EQ(summary.failed, 1u);
    EXPECT_EQ(summary.published, 1u);
    EXPECT_TRUE(summary.complete()) << summary.stopped_because;
    const auto refused_now = queue.get(refused.id);
    EXPECT_EQ(refused_now.state, ItemState::failed);
    EXPECT_NE(refused_now.note.find("File extension does not match the MIME type."), std::string::npos)
        << refused_now.note;
    const auto landed_now = queue.get(landed.id);
    EXPECT_EQ(landed_now.state, ItemState::published);
    EXPECT_EQ(landed_now.published_name, "Landed.jpg");
    EXPECT_NE(landed_now.note.find("confirmed by SHA-1"), std::string::npos) << landed_now.note;
}

}  // namespace
}  // namespace digikit::uploader
