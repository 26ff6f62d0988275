// Prints how long a button press takes to reach the cameras and how far apart the left
// and right cameras fire, with the simulated cameras behind the real control socket.
// Usage: capture_latency_bench [presses]   (targets: press -> cameras <= 20 ms, skew <= 100 ms)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

#include <spdlog/spdlog.h>

#include "daemon.hpp"
#include "digikit/capture/simulated_camera.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "fake_camera.hpp"
#include "kit.hpp"
#include "press_queue.hpp"
#include "temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Notes when the kit asks the camera to fire, then lets the real camera work.
std::unique_ptr<digikit::capture::Camera> timed_camera(std::shared_ptr<digikit::capture::Camera> camera,
                                                       std::vector<Clock::time_point>& fired, std::mutex& mutex)
{
    const auto info = camera->info();
    return std::make_unique<digikit::testing::FakeCamera>(
        info, [camera = std::move(camera), &fired, &mutex](const std::filesystem::path& stem) {
            {
                const std::lock_guard lock(mutex);
                fired.push_back(Clock::now());
            }
            return camera->capture(stem);
        });
}

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

void print_stats(const char* name, std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        return values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
    };
    std::printf("%-28s median %7.2f ms   p95 %7.2f ms   max %7.2f ms\n", name, at(0.5), at(0.95), values.back());
}

}  // namespace

int main(int argc, char** argv)
{
    const int presses = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
    spdlog::set_level(spdlog::level::warn);
    digikit::testing::TempDir dir;
    digikit::firmware::Config config;
    config.data_dir = dir.path();
    config.storage.min_free_mb = 0;
    std::vector<Clock::time_point> fired;
    std::mutex mutex;
    std::vector<std::unique_ptr<digikit::capture::Camera>> cameras;
    for (const auto role : {digikit::capture::CameraRole::left, digikit::capture::CameraRole::right}) {
        digikit::capture::DeviceInfo info{"sim", "sim", "simulated", std::string(to_string(role)), role};
        cameras.push_back(timed_camera(digikit::capture::make_simulated_camera(info, {1600, 1200, 1}), fired, mutex));
    }
    digikit::firmware::Kit kit(config, std::make_unique<digikit::capture::CameraManager>(std::move(cameras)));
    digikit::firmware::PressQueue press_queue(kit);
    const auto socket = digikit::firmware::control_socket_path(config.data_dir);
    const digikit::hardware::ControlSocketServer server(socket, [&kit, &press_queue](const std::string& request) {
        return digikit::firmware::handle_control_request(kit, press_queue, request);
    });
    (void)digikit::hardware::send_control_request(socket, "press new-book", std::chrono::seconds(30));

    std::vector<double> reach;
    std::vector<double> skew;
    std::vector<double> acknowledged;
    for (int i = 0; i < presses; ++i) {
        {
            const std::lock_guard lock(mutex);
            fired.clear();
        }
        const auto pressed = Clock::now();
        (void)digikit::hardware::send_control_request(socket, "press capture", std::chrono::seconds(60));
        acknowledged.push_back(ms(Clock::now() - pressed));
        const std::lock_guard lock(mutex);
        if (fired.size() != 2) {
            std::fprintf(stderr, "capture_latency_bench: press %d reached %zu cameras, expected 2\n", i, fired.size());
            return 1;
        }
        const auto [first, last] = std::minmax(fired[0], fired[1]);
        reach.push_back(ms(first - pressed));
        skew.push_back(ms(last - first));
        kit.wait_processed();  // the next press starts from a quiet kit, as after a page turn
    }
    std::printf("%d presses, two simulated 1600x1200 cameras, over the control socket\n", presses);
    print_stats("press -> cameras fire", reach);
    print_stats("left/right skew", skew);
    print_stats("press -> raw files durable", acknowledged);
    return 0;
}
