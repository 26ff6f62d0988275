// `digikit doctor`: checks an installed kit and prints one line per thing to fix.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "daemon.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/base/disk_space.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "digikit/hardware/discovery.hpp"
#include "digikit/uploader/commons_client.hpp"
#include "kit_cameras.hpp"

namespace digikit::firmware {
namespace {

namespace fs = std::filesystem;

// What one check found: things to fix, and notes that need no action.
struct Findings {
    std::vector<std::string> fixes;
    std::vector<std::string> notes;
    int checks = 0;
};

void check_data_dir(const Config& config, Findings& found)
{
    ++found.checks;
    const fs::path& dir = config.data_dir;
    std::error_code error;
    if (!fs::is_directory(dir, error)) {
        found.fixes.push_back("data folder " + dir.string() + " does not exist: create it (install -d -o digikit " +
                              dir.string() + ")");
        return;
    }
    try {
        const fs::path probe = dir / ".doctor-write-test";
        base::write_file_atomically(probe, "digikit doctor\n");
        fs::remove(probe);
    } catch (const std::exception& failure) {
        found.fixes.push_back("data folder " + dir.string() + " is not writable: " + failure.what());
        return;
    }
    const auto available = base::available_bytes(dir);
    if (!available) return;
    const std::int64_t free_mb = base::whole_megabytes(*available);
    // Twice the capture floor: a kit that starts a book just above it stops within pages.
    if (free_mb < 2 * config.storage.min_free_mb) {
        found.fixes.push_back("only " + std::to_string(free_mb) + " MB free for " + dir.string() +
                              " (captures stop below " + std::to_string(config.storage.min_free_mb) +
                              " MB): sync and free space, or use a larger card");
    }
}

void check_credentials(const Config& config, Findings& found)
{
    ++found.checks;
    const fs::path& file = config.commons.credentials_file;
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
        found.fixes.push_back("no Commons credentials at " + file.string() +
                              ": write username and password (a bot password) there, mode 0600");
        return;
    }
    if (info.st_uid != ::geteuid()) {
        found.fixes.push_back(file.string() + " belongs to uid " + std::to_string(info.st_uid) +
                              ", not to the user digikit runs as (uid " + std::to_string(::geteuid()) +
                              "): chown it to that user");
    }
    try {
        // Also refuses a file others may read, naming the chmod that fixes it.
        (void)uploader::load_credentials(file);
    } catch (const std::exception& failure) {
        found.fixes.emplace_back(failure.what());
    }
}

// A running daemon holds the cameras open, so it is asked; otherwise each is opened.
nlohmann::json cameras_as_seen(const Config& config, Findings& found)
{
    try {
        const std::string answer =
            hardware::send_control_request(control_socket_path(config.data_dir), "status", std::chrono::seconds(5));
        found.notes.push_back("the daemon is running on " + config.data_dir.string() +
                              "; it was asked for its cameras");
        return nlohmann::json::parse(answer)["status"]["cameras"];
    } catch (const hardware::ControlSocketUnavailable&) {
        return cameras_json(*open_kit_cameras(config));
    }
}

void check_cameras(const Config& config, Findings& found)
{
    ++found.checks;
    const nlohmann::json cameras = cameras_as_seen(config, found);
    if (cameras.empty()) {
        found.fixes.emplace_back("no camera or scanner found: plug one in and switch it on, or configure [[device]]");
    }
    for (const auto& camera : cameras) {
        if (camera.value("attached", false)) continue;
        std::string line = "camera " + camera.value("role", std::string("?")) + " (" +
                           camera.value("type", std::string("?")) + " serial " +
                           camera.value("serial", std::string("?")) +
                           ") is not ready: " + camera.value("problem", std::string("not found"));
        if (line.find("claim") != std::string::npos) {
            line += " (another program holds it: stop gvfs-gphoto2-volume-monitor or the program using it)";
        }
        found.fixes.push_back(line);
    }
}

void check_gpio(const Config& config, Findings& found)
{
    auto check = [&found](const std::string& chip, const std::string& line, const std::string& what) {
        ++found.checks;
        const std::string problem = hardware::gpio_line_unusable(chip, line);
        if (!problem.empty()) found.fixes.push_back(what + ": " + problem);
    };
    for (const auto& [button, line] : config.buttons.gpio_lines) {
        check(config.buttons.gpio_chip, line, "the " + std::string(hardware::to_string(button)) + " button");
    }
    if (config.feedback.leds == LedDriver::gpio) {
        for (const auto& [output, line] : config.feedback.outputs) {
            check(config.feedback.gpio_chip, line,
                  "the " + std::string(hardware::to_string(output)) +
                      (output == hardware::Output::buzzer ? "" : " light"));
        }
    }
    if (!config.buttons.evdev_device.empty()) {
        ++found.checks;
        if (!fs::exists(config.buttons.evdev_device)) {
            found.fixes.push_back("the foot pedal " + config.buttons.evdev_device + " is not plugged in");
        }
    }
}

// A kit without a real-time clock can boot in 1970: file dates, book ids and the wiki's
// timestamps all need the right time.
void check_clock(Findings& found)
{
    ++found.checks;
    const auto now = std::chrono::system_clock::now();
    const auto built = std::chrono::sys_days{std::chrono::year{2026} / 11 / 1};
    if (now < built) {
        found.fixes.emplace_back(
            "the clock is wrong (it says a date before this digikit was made): set the time, "
            "e.g. enable NTP with timedatectl set-ntp true");
    }
}

void check_commons(const Config& config, Findings& found)
{
    ++found.checks;
    uploader::ClientOptions options;
    options.api_url = config.commons.api_url;
    options.max_attempts = 1;
    options.connect_timeout = std::chrono::seconds(5);
    options.request_timeout = std::chrono::seconds(15);
    try {
        options.credentials = uploader::load_credentials(config.commons.credentials_file);
    } catch (const std::exception&) {
        // Reported by check_credentials; reachability is still worth knowing.
    }
    try {
        uploader::CommonsClient client(options);
        if (!client.has_module("upload")) {
            found.fixes.push_back(config.commons.api_url + " has no upload module: is api_url a MediaWiki API?");
            return;
        }
        if (!options.credentials.username.empty() || !options.credentials.oauth2_token.empty()) client.login();
    } catch (const uploader::TransientError& failure) {
        found.notes.push_back("Commons is not reachable now (" + std::string(failure.what()) +
                              "): fine while scanning offline; syncing needs the network");
    } catch (const std::exception& failure) {
        found.fixes.push_back("the wiki at " + config.commons.api_url + " refuses: " + failure.what());
    }
}

}  // namespace

int doctor_command(const Config& config)
{
    Findings found;
    check_data_dir(config, found);
    check_credentials(config, found);
    check_cameras(config, found);
    check_gpio(config, found);
    check_clock(found);
    check_commons(config, found);
    for (const auto& note : found.notes) std::cout << "note: " << note << "\n";
    for (const auto& fix : found.fixes) std::cout << "fix: " << fix << "\n";
    std::cout << found.checks << " checks, " << found.fixes.size() << " to fix ("
              << (config.source.empty() ? std::string("built-in defaults") : config.source.string()) << ")\n";
    return found.fixes.empty() ? 0 : 1;
}

}  // namespace digikit::firmware
