// The web console of `digikit run`, over HTTP as a browser or an outside tool uses it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "kit_under_test.hpp"

namespace digikit::firmware {
namespace {

using namespace std::chrono_literals;

constexpr const char* password = "correct horse battery staple";

class ConsoleTest : public KitUnderTest {
protected:
    void SetUp() override
    {
        write_config("127.0.0.1:0");  // any free port: the daemon logs the one it got
        std::ofstream(credentials_) << "console_password = \"" << password << "\"\n";
        ::chmod(credentials_.c_str(), 0600);
    }

    void write_config(const std::string& listen)
    {
        KitUnderTest::write_config("[metadata]\ninstitution = \"Test Library\"\n[commons]\ncredentials_file = \"" +
                                   credentials_.string() + "\"\n[console]\nlisten = \"" + listen + "\"\n");
    }

    // Waits for the console's port in the log too.
    void start()
    {
        daemon_ = std::make_unique<testing::BackgroundProcess>(
            std::vector<std::string>{testing::digikit_binary(), "--config", config_.string(), "run"},
            dir_ / "daemon.log");
        std::smatch port;
        ASSERT_TRUE(testing::wait_until(
            [&] {
                static const std::regex url(R"(console: http://127\.0\.0\.1:(\d+)/)");
                const std::string text = log();
                if (!std::regex_search(text, port, url)) return false;
                port_ = std::stoi(port[1]);
                return digikit({"status"}).exit_code == 0;
            },
            30s))
            << log();
    }

    [[nodiscard]] httplib::Client client() const
    {
        httplib::Client http("127.0.0.1", port_);
        http.set_read_timeout(60, 0);  // a capture renders and stores photos
        return http;
    }

    // Logs in; returns the session cookie ("digikit_session=...") and sets csrf_.
    std::string login()
    {
        auto http = client();
        const auto res = http.Post("/api/login", nlohmann::json{{"password", password}}.dump(), "application/json");
        EXPECT_TRUE(res);
        if (!res) return {};
        EXPECT_EQ(res->status, 200) << res->body;
        csrf_ = nlohmann::json::parse(res->body)["csrf"];
        const std::string set_cookie = res->get_header_value("Set-Cookie");
        return set_cookie.substr(0, set_cookie.find(';'));
    }

    httplib::Result get(const std::string& path, const std::string& cookie)
    {
        return client().Get(path, {{"Cookie", cookie}});
    }

    httplib::Result post(const std::string& path, const std::string& cookie, const nlohmann::json& body = {},
                         bool with_token = true)
    {
        httplib::Headers headers{{"Cookie", cookie}};
        if (with_token) headers.emplace("X-CSRF-Token", csrf_);
        return client().Post(path, headers, body.is_null() ? "" : body.dump(), "application/json");
    }

    nlohmann::json cli_json(std::vector<std::string> args)
    {
        const auto result = digikit(std::move(args));
        EXPECT_EQ(result.exit_code, 0) << result.err;
        return nlohmann::json::parse(result.out);
    }

    std::filesystem::path credentials_ = dir_ / "credentials.toml";
    int port_ = 0;
    std::string csrf_;
};

TEST_F(ConsoleTest, EveryApiRouteAndPageImageNeedsASession)
{
    start();
    for (const char* path : {"/api/status", "/api/kit", "/api/books", "/api/queue", "/api/devices", "/api/events",
                             "/files/books/20260101-001/pages/0001_left_1.jpg"}) {
        const auto res = client().Get(path);
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->status, 401) << path;
    }
    const auto press = client().Post("/api/press/capture", "", "application/json");
    ASSERT_TRUE(press);
    EXPECT_EQ(press->status, 401);
    const auto made_up = get("/api/status", "digikit_session=0123456789abcdef");
    ASSERT_TRUE(made_up);
    EXPECT_EQ(made_up->status, 401);
    // The page itself loads, so a person can log in.
    const auto page = client().Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("/console.js"), std::string::npos);
}

TEST_F(ConsoleTest, WrongPasswordIs401AndTheRightOneGivesAStrictHttpOnlyCookie)
{
    start();
    const auto wrong = client().Post("/api/login", R"({"password": "guess"})", "application/json");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401);
    EXPECT_FALSE(wrong->has_header("Set-Cookie"));
    const auto not_json = client().Post("/api/login", "password=guess", "application/x-www-form-urlencoded");
    ASSERT_TRUE(not_json);
    EXPECT_NE(not_json->status, 200);

    const auto right = client().Post("/api/login", nlohmann::json{{"password", password}}.dump(), "application/json");
    ASSERT_TRUE(right);
    ASSERT_EQ(right->status, 200);
    const std::string cookie = right->get_header_value("Set-Cookie");
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
    const auto token = nlohmann::json::parse(right->body)["csrf"].get<std::string>();
    EXPECT_GE(token.size(), 32U);
    EXPECT_EQ(cookie.find(token), std::string::npos);  // the token is not the cookie
    const auto status = get("/api/status", cookie.substr(0, cookie.find(';')));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->status, 200);
}

TEST_F(ConsoleTest, PostsWithoutTheCsrfTokenAre403AndDoNothing)
{
    start();
    const auto cookie = login();
    const auto without = post("/api/press/new-book", cookie, {}, false);
    ASSERT_TRUE(without);
    EXPECT_EQ(without->status, 403);
    auto headers = httplib::Headers{{"Cookie", cookie}, {"X-CSRF-Token", std::string(csrf_.size(), '0')}};
    const auto wrong = client().Post("/api/press/new-book", headers, "", "application/json");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403);
    EXPECT_EQ(cli_json({"status", "--json"})["state"], "idle");  // no book was opened
    EXPECT_TRUE(cli_json({"book", "list", "--json"}).empty());
}

TEST_F(ConsoleTest, StatusIsWhatStatusJsonPrintsAndPressIsWhatPressDoes)
{
    start();
    const auto cookie = login();
    const auto refused = post("/api/press/capture", cookie);
    ASSERT_TRUE(refused);
    const auto refusal = nlohmann::json::parse(refused->body);
    EXPECT_FALSE(refusal["ok"].get<bool>());
    EXPECT_EQ(refusal["message"], "no open book: press New book first");  // digikit press says the same

    const auto opened = post("/api/press/new-book", cookie);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->status, 200);
    EXPECT_TRUE(nlohmann::json::parse(opened->body)["ok"].get<bool>());
    const auto captured = post("/api/press/capture", cookie);
    ASSERT_TRUE(captured);
    EXPECT_EQ(captured->status, 200) << captured->body;
    EXPECT_NE(nlohmann::json::parse(captured->body)["message"].get<std::string>().find("captured spread 1"),
              std::string::npos);
    const auto unknown = post("/api/press/self-destruct", cookie);
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);

    // The same reading; only the free disk space and the snapshot's age are live (other
    // programs write meanwhile; the two requests come at different moments).
    testing::wait_until([&] { return cli_json({"status", "--json"})["processing_backlog"] == 0; }, 60s);
    const auto res = get("/api/status", cookie);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    auto api = nlohmann::json::parse(res->body);
    auto cli = cli_json({"status", "--json"});
    EXPECT_NEAR(api["disk"]["free_mb"].get<double>(), cli["disk"]["free_mb"].get<double>(), 1024);
    api["disk"].erase("free_mb");
    cli["disk"].erase("free_mb");
    EXPECT_GE(api["snapshot_age_ms"].get<int>(), 0);
    api.erase("snapshot_age_ms");
    cli.erase("snapshot_age_ms");
    EXPECT_EQ(api, cli) << "api: " << api.dump(2) << "\ncli: " << cli.dump(2);
    EXPECT_EQ(api["book"]["captures"], 1);
}

TEST_F(ConsoleTest, PageImagesAreServedAndNothingElseIs)
{
    start();
    const auto cookie = login();
    ASSERT_TRUE(post("/api/press/new-book", cookie));
    ASSERT_TRUE(post("/api/press/capture", cookie));
    nlohmann::json status;
    ASSERT_TRUE(testing::wait_until(
        [&] {
            status = cli_json({"status", "--json"});
            return status["last_capture"]["shots"][0]["processed"].get<bool>();
        },
        60s));
    const std::string book = status["book"]["id"];
    const auto base = "/files/books/" + book + "/pages/";
    const auto page = get(base + "0001_left_1.jpg", cookie);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_EQ(page->get_header_value("Content-Type"), "image/jpeg");
    const auto thumbnail = get(base + "0001_left_1.thumb.jpg", cookie);
    ASSERT_TRUE(thumbnail);
    ASSERT_EQ(thumbnail->status, 200);
    EXPECT_LT(thumbnail->body.size(), page->body.size());

    const std::string raw = "/files/books/" + book + "/raw/0001_left.jpg";
    for (const std::string& path :
         std::vector<std::string>{base + "..%2F..%2F..%2Fdigikit.sqlite", base + "%2e%2e%2fraw%2f0001_left.jpg",
                                  base + "..", base + "0001_left_1.tif", "/files/books/..%2F..%2Fetc/pages/passwd",
                                  "/files/books/" + book + "/../..", base + "%2e%2e/%2e%2e/digikit.sqlite", raw,
                                  "/files/" + (data_ / "digikit.sqlite").string(), base + "0001_left_1.jpg%00.png"}) {
        const auto res = get(path, cookie);
        ASSERT_TRUE(res) << path;
        EXPECT_EQ(res->status, 404) << path;
        EXPECT_NE(res->get_header_value("Content-Type"), "image/jpeg") << path;
        EXPECT_EQ(res->body.find("SQLite format"), std::string::npos) << path;
    }
}

TEST_F(ConsoleTest, BookMetadataIsValidatedAsBookSetDoesWithTheErrorOnTheField)
{
    start();
    const auto cookie = login();
    const std::string id = [&] {
        const auto made = digikit({"book", "new", "--title", "Flora"});
        EXPECT_EQ(made.exit_code, 0) << made.err;
        return made.out.substr(0, made.out.find('\n'));
    }();
    const auto bad = post("/api/books/" + id, cookie, {{"fields", {{"title", "Flora II"}, {"license", "CC-XX"}}}});
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 422);
    const auto errors = nlohmann::json::parse(bad->body)["errors"];
    ASSERT_TRUE(errors.contains("license")) << bad->body;
    EXPECT_FALSE(errors.contains("title"));
    const auto cli_error = digikit({"book", "set", id, "license=CC-XX"});
    EXPECT_EQ(cli_error.err, "digikit: " + errors["license"].get<std::string>() + "\n");  // the same words
    EXPECT_EQ(cli_json({"book", "show", id, "--json"})["metadata"]["title"], "Flora");    // all or nothing

    const auto good = post("/api/books/" + id, cookie, {{"fields", {{"title", "Flora II"}, {"date", "1887"}}}});
    ASSERT_TRUE(good);
    EXPECT_EQ(good->status, 200) << good->body;
    const auto shown = cli_json({"book", "show", id, "--json"});
    EXPECT_EQ(shown["metadata"]["title"], "Flora II");
    EXPECT_EQ(shown["metadata"]["date"], "1887");
    const auto api = get("/api/books/" + id, cookie);
    ASSERT_TRUE(api);
    auto without_images = nlohmann::json::parse(api->body);
    EXPECT_TRUE(without_images["page_images"].empty());
    without_images.erase("page_images");
    EXPECT_EQ(without_images, shown);

    const auto hostile = get("/api/books/..%2F..%2Fetc", cookie);
    ASSERT_TRUE(hostile);
    EXPECT_GE(hostile->status, 400);
}

TEST_F(ConsoleTest, ReprocessingAPageIsBookReprocessThroughTheDaemon)
{
    start();
    const auto cookie = login();
    ASSERT_TRUE(post("/api/press/new-book", cookie));
    ASSERT_TRUE(post("/api/press/capture", cookie));
    ASSERT_TRUE(testing::wait_until([&] { return cli_json({"status", "--json"})["processing_backlog"] == 0; }, 60s));
    const std::string book = cli_json({"status", "--json"})["book"]["id"];
    const auto shown = get("/api/books/" + book, cookie);
    ASSERT_TRUE(shown);
    const auto pages = nlohmann::json::parse(shown->body)["page_images"];
    ASSERT_FALSE(pages.empty()) << shown->body;
    EXPECT_EQ(pages[0]["shot"], "0001_left");  // the name `book reprocess` takes
    const auto access = data_ / "books" / book / "pages" / (pages[0]["name"].get<std::string>() + ".jpg");
    const auto inode = [&] {
        struct stat info {};
        return ::stat(access.c_str(), &info) == 0 ? info.st_ino : ino_t{0};
    };
    const auto before = inode();
    ASSERT_NE(before, 0U) << access;

    const auto again = post("/api/books/" + book + "/reprocess", cookie, {{"shot", "0001_left"}});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200) << again->body;
    EXPECT_EQ(nlohmann::json::parse(again->body)["message"], "processing shot 0001_left of book " + book + " again");
    // The daemon made the page again from the raw file: a new file, and the book lists it.
    EXPECT_TRUE(testing::wait_until(
        [&] {
            const auto now = inode();
            return now != 0 && now != before && cli_json({"book", "show", book, "--json"})["pages"] == pages.size();
        },
        60s))
        << log();

    const auto unknown = post("/api/books/" + book + "/reprocess", cookie, {{"shot", "0009_left"}});
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 409);
    const auto cli = digikit({"book", "reprocess", book, "0009_left"});
    EXPECT_EQ(cli.exit_code, 1);
    EXPECT_EQ(cli.err, "digikit: " + nlohmann::json::parse(unknown->body)["message"].get<std::string>() + "\n");
    const auto not_text = post("/api/books/" + book + "/reprocess", cookie, {{"shot", 1}});
    ASSERT_TRUE(not_text);
    EXPECT_EQ(not_text->status, 400);
}

TEST_F(ConsoleTest, NonLoopbackWithoutAPasswordIsRefusedAtStartUp)
{
    std::filesystem::remove(credentials_);
    write_config("0.0.0.0:0");
    const auto refused = digikit({"run"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("console_password"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("0.0.0.0:0"), std::string::npos) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(data_ / "digikit.sock"));

    write_config("127.0.0.1:99999");
    const auto bad_port = digikit({"run"});
    EXPECT_EQ(bad_port.exit_code, 1);
    EXPECT_NE(bad_port.err.find("console.listen"), std::string::npos) << bad_port.err;
}

TEST_F(ConsoleTest, APasswordFileOthersMayReadIsRefusedAtStartUp)
{
    ::chmod(credentials_.c_str(), 0644);
    const auto refused = digikit({"run"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("has mode 0644"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("chmod 600 " + credentials_.string()), std::string::npos) << refused.err;
    EXPECT_EQ(refused.err.find(password), std::string::npos) << refused.err;
    EXPECT_FALSE(std::filesystem::exists(data_ / "digikit.sock"));

    // Owner-only again (0400 too, as the uploader allows): the console starts with it.
    ::chmod(credentials_.c_str(), 0400);
    start();
    EXPECT_FALSE(login().empty());
}

TEST_F(ConsoleTest, EventsArriveWhenTheKitChanges)
{
    start();
    const auto cookie = login();
    ASSERT_TRUE(post("/api/press/new-book", cookie));
    std::mutex mutex;
    std::vector<nlohmann::json> seen;
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        auto http = client();
        std::string buffer;
        (void)http.Get("/api/events", {{"Cookie", cookie}}, [&](const char* data, std::size_t size) {
            buffer.append(data, size);
            for (auto end = buffer.find("\n\n"); end != std::string::npos; end = buffer.find("\n\n")) {
                const std::string event = buffer.substr(0, end);
                buffer.erase(0, end + 2);
                if (event.rfind("data: ", 0) != 0) continue;
                const std::lock_guard lock(mutex);
                seen.push_back(nlohmann::json::parse(event.substr(6)));
            }
            return !stop.load();
        });
    });
    const auto any_with = [&](int captures) {
        const std::lock_guard lock(mutex);
        for (const auto& kit : seen) {
            if (kit["status"]["book"].is_object() && kit["status"]["book"]["captures"] == captures) return true;
        }
        return false;
    };
    EXPECT_TRUE(testing::wait_until([&] { return any_with(0); }, 10s));
    ASSERT_TRUE(post("/api/press/capture", cookie));
    EXPECT_TRUE(testing::wait_until([&] { return any_with(1); }, 10s));
    stop = true;
    // The stream ends when the daemon stops; then the reader returns.
    EXPECT_EQ(daemon_->stop(SIGTERM), 0) << log();
    reader.join();
}

}  // namespace
}  // namespace digikit::firmware
