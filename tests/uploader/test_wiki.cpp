#include "test_wiki.hpp"

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"
#include "temp_dir.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

namespace digikit::uploader::testing {
namespace {

std::filesystem::path server_script()
{
    return std::filesystem::path(DIGIKIT_SOURCE_DIR) / "scripts/mediawiki-test-server.sh";
}

std::map<std::string, std::string> read_env_file(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::map<std::string, std::string> values;
    std::string line;
    while (std::getline(in, line)) {
        const auto equals = line.find('=');
        if (equals != std::string::npos) {
            values[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return values;
}

// Owns the server for the lifetime of the test process.
class WikiServer {
public:
    WikiServer()
    {
        const std::string command = "DIGIKIT_WIKI_OWNER_PID=" + std::to_string(::getpid()) + " '" +
                                    server_script().string() + "' start '" + dir_.path().string() + "' >'" +
                                    (dir_ / "start.log").string() + "' 2>&1";
        // The tests call this before any thread of theirs exists.
        if (std::system(command.c_str()) != 0) {  // NOLINT(concurrency-mt-unsafe)
            throw std::runtime_error("could not start the test wiki: " +
                                     base::read_file_if_exists(dir_ / "start.log").value_or(""));
        }
        auto env = read_env_file(dir_ / "wiki.env");
        wiki_.api_url = env.at("API_URL");
        wiki_.port = std::stoi(env.at("PORT"));
        wiki_.username = env.at("USERNAME");
        wiki_.password = env.at("PASSWORD");
        wiki_.admin_username = env.at("ADMIN_USERNAME");
        wiki_.admin_password = env.at("ADMIN_PASSWORD");
        owner_ = ::getpid();
    }
    WikiServer(const WikiServer&) = delete;
    WikiServer& operator=(const WikiServer&) = delete;
    ~WikiServer()
    {
        if (::getpid() == owner_) {  // never from a forked child
            const std::string command =
                std::string("'").append(server_script().string()).append("' stop '").append(dir_.path().string()) +
                "' >/dev/null 2>&1";
            [[maybe_unused]] const int ignored = std::system(command.c_str());  // NOLINT(concurrency-mt-unsafe)
        }
    }
    [[nodiscard]] const TestWiki& wiki() const { return wiki_; }

private:
    digikit::testing::TempDir dir_;
    TestWiki wiki_;
    pid_t owner_ = 0;
};

}  // namespace

const TestWiki& test_wiki()
{
    static const WikiServer server;
    return server.wiki();
}

ClientOptions test_client_options(const std::string& api_url)
{
    const auto& wiki = test_wiki();
    ClientOptions options;
    options.api_url = api_url.empty() ? wiki.api_url : api_url;
    options.credentials.username = wiki.username;
    options.credentials.password = wiki.password;
    options.contact = "digikit tests";
    options.backoff_base = std::chrono::milliseconds(50);
    options.backoff_max = std::chrono::milliseconds(500);
    options.max_attempts = 6;
    options.connect_timeout = std::chrono::seconds(5);
    options.stall_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(60);
    return options;
}

ClientOptions admin_client_options()
{
    auto options = test_client_options();
    options.credentials.username = test_wiki().admin_username;
    options.credentials.password = test_wiki().admin_password;
    return options;
}

void write_noise_jpeg(const std::filesystem::path& path, std::uint32_t seed, int width, int height)
{
    cv::Mat image(height, width, CV_8UC3);
    cv::RNG random(seed);
    random.fill(image, cv::RNG::UNIFORM, 0, 256);
    std::vector<unsigned char> bytes;
    if (!cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90})) {
        throw std::runtime_error("could not encode a test JPEG");
    }
    digikit::base::write_file_atomically(path, std::as_bytes(std::span(bytes)));
}

}  // namespace digikit::uploader::testing
