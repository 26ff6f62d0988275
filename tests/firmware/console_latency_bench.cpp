// Prints what open console pages cost the operator: press -> acknowledgement (both raw
// files durable) over the control socket, with no console client and with 10 clients
// holding the live event stream, alternating in one run.
// Usage: console_latency_bench [presses per side]   (target: 10 clients add <= 10%)
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "console_server.hpp"
#include "daemon.hpp"
#include "digikit/capture/simulated_camera.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "kit.hpp"
#include "press_queue.hpp"
#include "temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

double percentile(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
}

// A console page: logged in, reading the event stream until told to stop.
class EventClient {
public:
    EventClient(int port, std::atomic<bool>& stop) : http_("127.0.0.1", port)
    {
        const auto login = http_.Post("/api/login", R"({"password": ""})", "application/json");
        if (!login || login->status != 200) throw std::runtime_error("console login failed");
        const auto cookie = login->get_header_value("Set-Cookie");
        thread_ = std::thread([this, &stop, cookie = cookie.substr(0, cookie.find(';'))] {
            (void)http_.Get("/api/events", {{"Cookie", cookie}}, [this, &stop](const char*, std::size_t size) {
                bytes_ += size;
                return !stop.load();
            });
        });
    }
    EventClient(const EventClient&) = delete;
    EventClient& operator=(const EventClient&) = delete;
    ~EventClient()
    {
        http_.stop();  // closes the stream now, not at its next event
        thread_.join();
    }
    [[nodiscard]] std::size_t bytes() const { return bytes_; }

private:
    httplib::Client http_;
    std::atomic<std::size_t> bytes_{0};
    std::thread thread_;
};

}  // namespace

int main(int argc, char** argv)
{
    const int presses = argc > 1 ? std::max(2, std::atoi(argv[1])) : 20;
    constexpr int clients = 10;
    constexpr int round = 2;  // presses per side before switching, so drift hits both alike
    spdlog::set_level(spdlog::level::warn);
    digikit::testing::TempDir dir;
    digikit::firmware::Config config;
    config.data_dir = dir.path();
    config.storage.min_free_mb = 0;
    config.console.listen = "127.0.0.1:0";
    std::vector<std::unique_ptr<digikit::capture::Camera>> cameras;
    for (const auto role : {digikit::capture::CameraRole::left, digikit::capture::CameraRole::right}) {
        digikit::capture::DeviceInfo info{"sim", "sim", "simulated", std::string(to_string(role)), role};
        cameras.push_back(digikit::capture::make_simulated_camera(info, {1600, 1200, 1}));
    }
    digikit::firmware::Kit kit(config, std::make_unique<digikit::capture::CameraManager>(std::move(cameras)));
    digikit::firmware::PressQueue press_queue(kit);
    const auto control = [&kit, &press_queue](const std::string& request) {
        return digikit::firmware::handle_control_request(kit, press_queue, request);
    };
    const auto socket = digikit::firmware::control_socket_path(config.data_dir);
    const digikit::hardware::ControlSocketServer server(socket, control);
    const digikit::firmware::ConsoleServer console(config, std::nullopt, control);
    const int port = std::stoi(console.url().substr(console.url().rfind(':') + 1));
    (void)digikit::hardware::send_control_request(socket, "press new-book", std::chrono::seconds(30));

    std::vector<double> alone;
    std::vector<double> watched;
    std::size_t streamed = 0;
    for (int done = 0; done < 2 * presses; done += 2 * round) {
        for (const bool with_clients : {false, true}) {
            std::atomic<bool> stop{false};
            std::vector<std::unique_ptr<EventClient>> pages;
            for (int i = 0; with_clients && i < clients; ++i)
                pages.push_back(std::make_unique<EventClient>(port, stop));
            std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the streams are open and served
            for (int i = 0; i < round; ++i) {
                const auto pressed = Clock::now();
                const auto answer = nlohmann::json::parse(
                    digikit::hardware::send_control_request(socket, "press capture", std::chrono::seconds(60)));
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - pressed).count();
                if (!answer.value("ok", false)) {
                    std::fprintf(stderr, "console_latency_bench: %s\n", answer.dump().c_str());
                    return 1;
                }
                (with_clients ? watched : alone).push_back(ms);
                kit.wait_processed();  // the page turn: processing done, streams told about it
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
            }
            stop = true;
            for (const auto& page : pages) streamed += page->bytes();
            pages.clear();
        }
    }
    const double base = median(alone);
    const double with = median(watched);
    std::printf("%zu presses each side, two simulated 1600x1200 cameras, press over the control socket\n",
                alone.size());
    std::printf("%-34s median %7.1f ms   p90 %7.1f ms\n", "no console client", base, percentile(alone, 0.9));
    std::printf("%-34s median %7.1f ms   p90 %7.1f ms\n", "10 clients on the event stream", with,
                percentile(watched, 0.9));
    std::printf("ratio (10 clients / none): %.3f   (target <= 1.10); %zu bytes streamed to the clients\n", with / base,
                streamed);
    return 0;
}
