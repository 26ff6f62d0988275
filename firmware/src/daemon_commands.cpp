// Commands that talk to the running daemon or to the devices: press, status, devices, capture.
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "daemon.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "kit_cameras.hpp"

namespace digikit::firmware {

// `status` is served from a snapshot: a daemon that does not answer it at once is
// stopped (SIGSTOP) or wedged, not busy.
constexpr std::chrono::seconds status_timeout{5};
// A capture renders and stores full-size photos: allow it time.
constexpr std::chrono::minutes press_timeout{5};

nlohmann::json ask_daemon(const Config& config, const std::string& request, std::chrono::milliseconds timeout)
{
    std::string answer;
    try {
        answer = hardware::send_control_request(control_socket_path(config.data_dir), request, timeout);
    } catch (const hardware::ControlSocketNotAnswering&) {
        throw CommandError(
            "the digikit daemon on " + config.data_dir.string() + " (" + daemon_lock_holder(config.data_dir) +
            ") is running but not answering within " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
            " s: it is stopped or wedged (systemd restarts a wedged one; or `systemctl restart digikit`)");
    } catch (const hardware::ControlSocketUnavailable&) {
        throw CommandError("no digikit daemon is running on " + config.data_dir.string() +
                           " (start it with `digikit run`)");
    }
    auto json = nlohmann::json::parse(answer, nullptr, false);
    if (!json.is_object()) throw CommandError("the daemon sent an answer that is not JSON");
    return json;
}

void print_queue(const nlohmann::json& queue)
{
    if (!queue.is_object()) return;
    if (queue.contains("error")) {
        std::cout << "queue:      cannot be read: " << queue.value("error", "") << "\n";
        return;
    }
    std::string counts;
    const auto by_state = queue.value("counts", nlohmann::json::object());
    for (const char* state : {"queued", "uploading", "published", "failed", "dropped"}) {  // a page's way
        counts += (counts.empty() ? "" : ", ") + std::to_string(by_state.value(state, 0)) + " " + state;
    }
    std::cout << "queue:      " << counts << (queue.value("syncing", false) ? " (syncing now)" : "") << "\n";
    if (const auto error = queue.value("last_sync_error", nlohmann::json()); error.is_string()) {
        std::cout << "last sync:  " << error.get<std::string>() << "\n";
    }
    if (const auto item = queue.value("last_failed_item", nlohmann::json()); item.is_object()) {
        std::cout << "failed:     #" << item.value("id", 0) << " " << item.value("name", "") << ": "
                  << item.value("reason", "") << "\n";
    }
}

void print_book_file_status(const nlohmann::json& book_file)
{
    if (!book_file.is_object()) return;
    if (book_file["building"].is_string()) {
        std::cout << "book file:  building " << book_file["building"].get<std::string>() << "\n";
    }
    for (const auto& failure : book_file["failed"]) {
        const auto book = failure["book"].get<std::string>();
        std::cout << "book file:  FAILED for book " << book << ": " << failure["reason"].get<std::string>()
                  << " (fix it and restart the daemon to build it again)\n";
    }
}

namespace {

void print_status(const nlohmann::json& status)
{
    std::cout << "state:      " << status["state"].get<std::string>() << "\n";
    if (status["book"].contains("error")) {
        std::cout << "book:       cannot be read: " << status["book"]["error"].get<std::string>() << "\n";
    } else if (status["book"].is_object()) {
        const auto& book = status["book"];
        const auto title = book["title"].get<std::string>();
        std::cout << "book:       " << book["id"].get<std::string>() << " "
                  << (title.empty() ? "(untitled)" : "\"" + title + "\"") << ", " << book["captures"] << " captures, "
                  << book["pages"] << " pages\n";
        for (const auto& problem : book.value("problems", nlohmann::json::array())) {
            std::cout << "            INVALID: " << problem.get<std::string>() << "\n";
        }
    }
    if (status["last_capture"].is_object() && !status["last_capture"].contains("error")) {
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
    print_book_file_status(status["book_file"]);
    for (const auto& closing : status.value("closing_books", nlohmann::json::array())) {
        std::cout << "ended:      " << closing["id"].get<std::string>() << " " << closing["summary"].get<std::string>()
                  << "\n";
        for (const auto& failed : closing["failed"]) {
            std::cout << "failed:     " << failed["shot"].get<std::string>() << ": "
                      << failed["reason"].get<std::string>() << "\n";
        }
    }
    if (!status["cameras"].is_array()) {
        std::cout << "camera:     cannot be listed: " << status["cameras"].value("error", "") << "\n";
    }
    for (const auto& camera : status["cameras"].is_array() ? status["cameras"] : nlohmann::json::array()) {
        std::cout << "camera:     " << camera["role"].get<std::string>() << " " << camera["type"].get<std::string>()
                  << " serial " << camera["serial"].get<std::string>();
        if (!camera["attached"].get<bool>()) {
            std::cout << ": NOT READY (" << camera["problem"].get<std::string>() << ")";
        }
        std::cout << "\n";
    }
    if (status["cameras"].is_array() && status["cameras"].empty()) std::cout << "camera:     none attached\n";
    std::cout << "disk:       " << status["disk"]["free_mb"] << " MB free\n";
    print_queue(status.value("queue", nlohmann::json()));
    if (const auto age = status.value("snapshot_age_ms", 0); age > 10'000) {
        std::cout << "warning:    this is how the kit stood " << age / 1000
                  << " s ago: a step is taking long (or the daemon is wedged)\n";
    }
    if (!status["last_error"].is_null()) std::cout << "last error: " << status["last_error"].get<std::string>() << "\n";
}

}  // namespace

int press_command(const Config& config, const std::string& button)
{
    const auto answer = ask_daemon(config, "press " + button, press_timeout);
    if (!answer.value("ok", false)) throw CommandError(answer.value("message", "the daemon refused"));
    std::cout << answer.value("message", "") << "\n";
    return 0;
}

int status_command(const Config& config, bool json)
{
    const auto answer = ask_daemon(config, "status", status_timeout);
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
            hardware::send_control_request(control_socket_path(config.data_dir), "status", status_timeout);
        return nlohmann::json::parse(answer)["status"]["cameras"];
    } catch (const hardware::ControlSocketUnavailable&) {
        return cameras_json(*open_kit_cameras(config));
    }
}

nlohmann::json devices_json(const Config& config, const nlohmann::json& cameras)
{
    nlohmann::json buttons = nlohmann::json::array(
        {{{"id", "socket:" + control_socket_path(config.data_dir).string()}, {"type", "control-socket"}}});
    for (const auto& [button, line] : config.buttons.gpio_lines) {
        buttons.push_back({{"id", "gpio:" + config.buttons.gpio_chip + ":" + line},
                           {"type", "gpio"},
                           {"button", hardware::to_string(button)}});
    }
    if (!config.buttons.evdev_device.empty()) {
        buttons.push_back({{"id", "evdev:" + config.buttons.evdev_device}, {"type", "evdev"}});
    }
    return {{"devices", cameras}, {"buttons", buttons}};
}

int devices_command(const Config& config, bool json)
{
    const auto found = devices_json(config, attached_devices(config));
    if (json) {
        std::cout << found.dump(2) << "\n";
        return 0;
    }
    const auto& devices = found["devices"];
    const auto& buttons = found["buttons"];
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
    const auto cameras = open_kit_cameras(config);
    capture::Camera* chosen = cameras->find(device);
    if (chosen == nullptr) {
        const std::string why = cameras->missing().empty() ? "" : " (" + cameras->missing() + ")";
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
