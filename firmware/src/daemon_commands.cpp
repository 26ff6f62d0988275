// Commands that talk to the running daemon or to the devices: press, status, devices, capture.
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "daemon.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "kit_cameras.hpp"

namespace digikit::firmware {

nlohmann::json ask_daemon(const Config& config, const std::string& request)
{
    try {
        // A capture renders and stores full-size photos: allow it time.
        const std::string answer =
            hardware::send_control_request(control_socket_path(config.data_dir), request, std::chrono::minutes(5));
        return nlohmann::json::parse(answer);
    } catch (const hardware::ControlSocketUnavailable&) {
        throw CommandError("no digikit daemon is running on " + config.data_dir.string() +
                           " (start it with `digikit run`)");
    }
}

namespace {

void print_status(const nlohmann::json& status)
{
    std::cout << "state:      " << status["state"].get<std::string>() << "\n";
    if (status["book"].is_object()) {
        const auto& book = status["book"];
        const auto title = book["title"].get<std::string>();
        std::cout << "book:       " << book["id"].get<std::string>() << " "
                  << (title.empty() ? "(untitled)" : "\"" + title + "\"") << ", " << book["captures"] << " captures, "
                  << book["pages"] << " pages\n";
    }
    if (status["last_capture"].is_object()) {
        std::cout << "last:       spread " << status["last_capture"]["sequence"] << "\n";
        for (const auto& shot : status["last_capture"]["shots"]) {
            std::cout << "            " << shot["role"].get<std::string>() << ": " << shot["raw"].get<std::string>()
                      << (shot["processed"].get<bool>() ? ""
                          : shot["failure"].is_string() ? " (failed: " + shot["failure"].get<std::string>() + ")"
                                                        : " (processing)")
                      << "\n";
        }
    }
    if (status["book"].is_object()) {
        for (const auto& failed : status["book"].value("failed", nlohmann::json::array())) {
            std::cout << "failed:     " << failed["shot"].get<std::string>() << ": "
                      << failed["reason"].get<std::string>() << "\n";
        }
    }
    std::cout << "backlog:    " << status["processing_backlog"] << " shot(s) to process\n";
    for (const auto& closing : status.value("closing_books", nlohmann::json::array())) {
        std::cout << "ended:      " << closing["id"].get<std::string>() << " " << closing["summary"].get<std::string>()
                  << "\n";
        for (const auto& failed : closing["failed"]) {
            std::cout << "failed:     " << failed["shot"].get<std::string>() << ": "
                      << failed["reason"].get<std::string>() << "\n";
        }
    }
    for (const auto& camera : status["cameras"]) {
        std::cout << "camera:     " << camera["role"].get<std::string>() << " " << camera["type"].get<std::string>()
                  << " serial " << camera["serial"].get<std::string>();
        if (!camera["attached"].get<bool>())
            std::cout << ": NOT READY (" << camera["problem"].get<std::string>() << ")";
        std::cout << "\n";
    }
    if (status["cameras"].empty()) std::cout << "camera:     none attached\n";
    std::cout << "disk:       " << status["disk"]["free_mb"] << " MB free\n";
    if (!status["last_error"].is_null()) std::cout << "last error: " << status["last_error"].get<std::string>() << "\n";
}

}  // namespace

int press_command(const Config& config, const std::string& button)
{
    const auto answer = ask_daemon(config, "press " + button);
    if (!answer.value("ok", false)) throw CommandError(answer.value("message", "the daemon refused"));
    std::cout << answer.value("message", "") << "\n";
    return 0;
}

int status_command(const Config& config, bool json)
{
    const auto answer = ask_daemon(config, "status");
    if (json) {
        std::cout << answer["status"].dump(2) << "\n";
    } else {
        print_status(answer["status"]);
    }
    return 0;
}

// A running daemon holds the cameras open: it is asked what it has.
nlohmann::json attached_devices(const Config& config)
{
    try {
        const std::string answer =
            hardware::send_control_request(control_socket_path(config.data_dir), "status", std::chrono::seconds(10));
        return nlohmann::json::parse(answer)["status"]["cameras"];
    } catch (const hardware::ControlSocketUnavailable&) {
        return KitCameras(config).describe();
    }
}

int devices_command(const Config& config, bool json)
{
    const auto devices = attached_devices(config);
    nlohmann::json buttons = nlohmann::json::array(
        {{{"id", "socket:" + control_socket_path(config.data_dir).string()}, {"type", "control-socket"}}});
    for (const auto& [button, line] : config.buttons.gpio_lines) {
        buttons.push_back(
            {{"id", "gpio:" + config.buttons.gpio_chip + ":" + line}, {"type", "gpio"}, {"button", button}});
    }
    if (!config.buttons.evdev_device.empty()) {
        buttons.push_back({{"id", "evdev:" + config.buttons.evdev_device}, {"type", "evdev"}});
    }
    if (json) {
        std::cout << nlohmann::json{{"devices", devices}, {"buttons", buttons}}.dump(2) << "\n";
        return 0;
    }
    if (devices.empty()) std::cout << "no cameras or scanners found\n";
    for (const auto& d : devices) {
        std::cout << d["id"].get<std::string>() << "  " << d["role"].get<std::string>() << "  "
                  << d["model"].get<std::string>() << "  serial " << d["serial"].get<std::string>();
        if (!d["attached"].get<bool>()) std::cout << "  NOT READY: " << d["problem"].get<std::string>();
        std::cout << "\n";
    }
    for (const auto& b : buttons) {
        std::cout << b["id"].get<std::string>() << "  " << b.value("button", std::string("buttons")) << "\n";
    }
    return 0;
}

int capture_command(const Config& config, const std::string& device, const std::filesystem::path& out)
{
    KitCameras cameras(config);
    capture::Camera* chosen = cameras.find(device);
    if (chosen == nullptr) {
        const std::string why = cameras.missing().empty() ? "" : " (" + cameras.missing() + ")";
        throw CommandError((device.empty() ? "no camera or scanner is ready" : "no device '" + device + "'") + why);
    }
    const auto target = std::filesystem::absolute(out);
    const auto written = chosen->capture(target.parent_path() / target.stem());
    if (written != target) {
        std::filesystem::rename(written, target);
        base::fsync_directory(target.parent_path());
    }
    std::cout << target.string() << "\n";
    return 0;
}

}  // namespace digikit::firmware
