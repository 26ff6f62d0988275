#include "digikit/uploader/api_answer.hpp"

#include <gtest/gtest.h>

namespace digikit::uploader {
namespace {

TEST(ApiAnswer, JsonIsTheApiWhateverItSays)
{
    EXPECT_EQ(classify_answer(200, "application/json; charset=utf-8", R"({"batchcomplete":true})").kind,
              AnswerKind::api);
    EXPECT_EQ(classify_answer(200, "", "  \n{\"error\":{\"code\":\"badtoken\"}}").kind, AnswerKind::api);
}

TEST(ApiAnswer, AWrongAddressIsNotRetried)
{
    const auto missing = classify_answer(404, "text/html; charset=UTF-8", "<!doctype html><title>Not Found</title>");
    EXPECT_EQ(missing.kind, AnswerKind::not_the_api);
    EXPECT_EQ(missing.what, "HTTP 404");
    // index.php instead of api.php, or a captive portal: a web page with 200.
    const auto page = classify_answer(200, "text/html; charset=UTF-8", "<!DOCTYPE html>\n<html>...");
    EXPECT_EQ(page.kind, AnswerKind::not_the_api);
    EXPECT_EQ(page.what, "an HTML page instead of JSON");
    EXPECT_EQ(classify_answer(200, "", "\n<html>").kind, AnswerKind::not_the_api);
    const auto script = classify_answer(200, "text/javascript; charset=utf-8", "/* ResourceLoader */");
    EXPECT_EQ(script.kind, AnswerKind::not_the_api);
    EXPECT_EQ(script.what, "a text/javascript document instead of JSON");
    EXPECT_EQ(classify_answer(301, "text/html", "").what, "HTTP 301, a redirect");
    for (const long status : {400L, 401L, 403L, 405L, 410L, 100L}) {
        EXPECT_EQ(classify_answer(status, "", "").kind, AnswerKind::not_the_api) << status;
    }
}

TEST(ApiAnswer, BusyOrCutAnswersAreRetried)
{
    for (const long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
        const auto answer = classify_answer(status, "text/html", "<html>busy</html>");
        EXPECT_EQ(answer.kind, AnswerKind::retry) << status;
        EXPECT_EQ(answer.what, "HTTP " + std::to_string(status));
    }
    EXPECT_EQ(classify_answer(200, "application/json", "").kind, AnswerKind::retry);
    EXPECT_EQ(classify_answer(200, "application/json", "[1,").kind, AnswerKind::retry);
}

TEST(ApiAnswer, ARequestTooLargeFailsThatRequestOnly)
{
    EXPECT_EQ(classify_answer(413, "text/html", "<html>").kind, AnswerKind::request_refused);
}

TEST(ApiAnswer, ApiErrorsSayWhetherARetryCanHelp)
{
    for (const char* busy : {"maxlag", "ratelimited", "readonly", "internal_api_error_DBQueryError"}) {
        EXPECT_EQ(classify_api_error(busy), ApiErrorKind::busy) << busy;
    }
    EXPECT_EQ(classify_api_error("badtoken"), ApiErrorKind::token_expired);
    for (const char* lost : {"assertuserfailed", "assertnameduserfailed", "notloggedin"}) {
        EXPECT_EQ(classify_api_error(lost), ApiErrorKind::session_lost) << lost;
    }
    // A person must act on these: retrying would only repeat them.
    for (const char* fatal : {"permissiondenied", "fileexists-no-change", "assertbotfailed", "unknown", ""}) {
        EXPECT_EQ(classify_api_error(fatal), ApiErrorKind::fatal) << fatal;
    }
}

TEST(ApiAnswer, UrlsInMessagesNeverCarryAPassword)
{
    EXPECT_EQ(url_for_messages("https://bot:s3cret@wiki.example/w/api.php"), "https://wiki.example/w/api.php");
    EXPECT_EQ(url_for_messages("http://127.0.0.1:8080/api.php"), "http://127.0.0.1:8080/api.php");
    EXPECT_EQ(url_for_messages("http://host/api.php?x=a@b"), "http://host/api.php?x=a@b");
}

}  // namespace
}  // namespace digikit::uploader
