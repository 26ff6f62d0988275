#include "digikit/uploader/sync.hpp"

#include "fault_proxy.hpp"
#include "temp_dir.hpp"
#include "test_wiki.hpp"

#include <gtest/gtest.h>

namespace digikit::uploader {
namespace {

using digikit::testing::TempDir;
using testing::Fault;
using testing::FaultProxy;

struct FaultCase {
    const char* name;
    Fault fault;
    std::size_t count;
    const char* match;  // which requests get the fault
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const FaultCase& fault_case, std::ostream* out)
{
    *out << fault_case.name;
}

// Requests as they look to the proxy: the API parameters precede the file part.
constexpr const char* chunk_request = "name=\"offset\"";
constexpr const char* publish_or_plain_request = "name=\"comment\"";
constexpr const char* sha1_lookup = "list=allimages";

class FaultRecovery : public ::testing::TestWithParam<FaultCase> {};

// Two pages, one plain and one chunked, through a proxy that injects the fault into the
// chosen requests: both end up on the wiki exactly once, nothing failed.
TEST_P(FaultRecovery, BothPagesArePublishedExactlyOnce)
{
    const FaultCase& param = GetParam();
    TempDir dir;
    UploadQueue queue(dir / "digikit.sqlite");
    const std::uint32_t seed = 20000 + 10 * static_cast<std::uint32_t>(param.fault) +
                               (param.match == chunk_request ? 1 : 0) + (param.match == sha1_lookup ? 2 : 0) +
                               (param.count > 1 ? 5 : 0);
    testing::write_noise_jpeg(dir / "small.jpg", seed, 64, 64);
    testing::write_noise_jpeg(dir / "large.jpg", seed + 100000, 150, 150);
    const std::string prefix = std::string("Fault ") + param.name + " ";
    const auto small = queue.enqueue(dir / "small.jpg", prefix + "small.jpg", "small");
    const auto large = queue.enqueue(dir / "large.jpg", prefix + "large.jpg", "large");

    FaultProxy proxy(testing::test_wiki().port);
    auto options = testing::test_client_options(proxy.api_url());
    options.chunk_size = 8192;
    options.chunked_threshold = 20000;
    // The slow answer lasts until the client gives up; every other request has the
    // normal timeout, so no request races a short clock on a loaded machine.
    if (param.fault == Fault::slow) options.request_timeout = std::chrono::seconds(3);
    CommonsClient client(options);
    client.login();
    proxy.inject(param.fault, param.count, param.match);

    const auto summary = sync_queue(queue, client, {});
    EXPECT_TRUE(summary.complete()) << summary.stopped_because;
    EXPECT_EQ(summary.failed, 0u);
    EXPECT_EQ(proxy.pending_faults(), 0u) << "the fault was never triggered";

    CommonsClient direct(testing::test_client_options());
    for (const auto& queued : {small, large}) {
        const auto item = queue.get(queued.id);
        ASSERT_EQ(item.state, ItemState::published) << item.note;
        EXPECT_EQ(direct.files_with_sha1(item.sha1).size(), 1u);
        const auto info = direct.file_info(item.published_name);
        ASSERT_TRUE(info);
        EXPECT_EQ(info->versions, 1u);
        EXPECT_EQ(info->sha1, item.sha1);
    }
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultRecovery,
                         ::testing::Values(FaultCase{"http500", Fault::http500, 2, publish_or_plain_request},
                                           FaultCase{"reset", Fault::reset, 2, sha1_lookup},
                                           FaultCase{"dropped mid-chunk", Fault::drop_mid_request, 2, chunk_request},
                                           FaultCase{"chunk answer lost", Fault::drop_response, 2, chunk_request},
                                           FaultCase{"upload answer lost", Fault::drop_response, 2,
                                                     publish_or_plain_request},
                                           FaultCase{"slow answer", Fault::slow, 2, publish_or_plain_request},
                                           FaultCase{"stale token", Fault::badtoken, 3, publish_or_plain_request},
                                           FaultCase{"maxlag", Fault::maxlag, 2, sha1_lookup},
                                           FaultCase{"ratelimited", Fault::ratelimited, 2, chunk_request}),
                         [](const ::testing::TestParamInfo<FaultCase>& case_info) {
                             std::string name;
                             for (const char c : std::string(case_info.param.name)) {
                                 name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                             }
                             return name;
                         });

TEST(FaultRecovery, MaxlagWaitsAsLongAsRetryAfterSays)
{
    FaultProxy proxy(testing::test_wiki().port);
    CommonsClient client(testing::test_client_options(proxy.api_url()));
    proxy.inject(Fault::maxlag, 1, sha1_lookup);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.files_with_sha1("da39a3ee5e6b4b0d3255bfef95601890afd80709").empty());
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
    EXPECT_EQ(proxy.faults_served(), 1u);
}

TEST(FaultRecovery, AWikiThatStaysDownStopsTheRunAndALaterRunFinishes)
{
    TempDir dir;
    UploadQueue queue(dir / "digikit.sqlite");
    testing::write_noise_jpeg(dir / "page.jpg", 30001, 64, 64);
    const auto page = queue.enqueue(dir / "page.jpg", "Down then up.jpg", "page");
    {
        FaultProxy proxy(testing::test_wiki().port);
        auto options = testing::test_client_options(proxy.api_url());
        options.max_attempts = 3;
        proxy.inject(Fault::reset, 1000, "");
        CommonsClient client(options);
        const auto summary = sync_queue(queue, client, {});
        EXPECT_FALSE(summary.complete());
        EXPECT_NE(summary.stopped_because.find("network error"), std::string::npos) << summary.stopped_because;
        EXPECT_EQ(summary.remaining, 1u);
        const auto item = queue.get(page.id);
        EXPECT_EQ(item.state, ItemState::queued);
        EXPECT_EQ(item.attempts, 1);
    }
    CommonsClient client(testing::test_client_options());
    EXPECT_TRUE(sync_queue(queue, client, {}).complete());
    EXPECT_EQ(queue.get(page.id).state, ItemState::published);
}

TEST(ClientHeaders, AnOAuthTokenIsSentAsBearerWithoutALoginAndTheUserAgentNamesTheTool)
{
    FaultProxy proxy(testing::test_wiki().port);
    auto options = testing::test_client_options(proxy.api_url());
    options.credentials = Credentials{"", "", "test-oauth-token-123"};
    CommonsClient client(options);
    client.login();
    EXPECT_TRUE(client.files_with_sha1("da39a3ee5e6b4b0d3255bfef95601890afd80709").empty());
    const auto heads = proxy.request_heads();
    ASSERT_EQ(heads.size(), 1u);  // no action=login round trip with a token
    EXPECT_NE(heads[0].find("\r\nAuthorization: Bearer test-oauth-token-123\r\n"), std::string::npos) << heads[0];
    EXPECT_NE(heads[0].find("\r\nUser-Agent: " + client.user_agent() + "\r\n"), std::string::npos) << heads[0];
    EXPECT_NE(heads[0].find("maxlag=5"), std::string::npos) << heads[0];
    EXPECT_EQ(heads[0].find("Expect:"), std::string::npos) << heads[0];
}

TEST(ClientHeaders, ABotPasswordLoginNeverPutsThePasswordInAUrl)
{
    FaultProxy proxy(testing::test_wiki().port);
    CommonsClient client(testing::test_client_options(proxy.api_url()));
    client.login();
    for (const auto& head : proxy.request_heads()) {
        EXPECT_EQ(head.find(testing::test_wiki().password), std::string::npos) << head;
        EXPECT_EQ(head.find("Authorization:"), std::string::npos) << head;
    }
    EXPECT_EQ(proxy.request_heads().size(), 2u);  // login token, then action=login as a POST
}

}  // namespace
}  // namespace digikit::uploader
