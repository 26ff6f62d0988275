#include "devices.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "digikit/capture/device_discovery.hpp"
#include "digikit/capture/simulated_camera.hpp"

namespace digikit::firmware {
namespace {

std::unique_ptr<capture::Camera> open_configured(const DeviceConfig& device)
{
    capture::DeviceInfo info;
    info.type = device.type;
    info.serial = device.serial;
    info.role = capture::parse_camera_role(device.role);
    if (device.type != "sim") return capture::open_device(info);
    if (info.serial.empty()) info.serial = "SIM-" + device.role;
    info.id = "sim:" + info.serial;
    info.model = "digikit simulated camera";
    return capture::make_simulated_camera(info, {device.width, device.height, static_cast<std::uint64_t>(device.seed)});
}

// Attached devices, in a stable order; two cameras become the left and right of a rig.
std::vector<std::unique_ptr<capture::Camera>> open_attached()
{
    auto found = capture::discover_devices();
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.serial < b.serial; });
    if (found.size() == 2) {
        found[0].role = capture::CameraRole::left;
        found[1].role = capture::CameraRole::right;
    }
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    for (const auto& info : found) {
        try {
            cameras.push_back(capture::open_device(info));
        } catch (const std::exception& error) {
            spdlog::warn("{} {} is attached but cannot be used: {}", info.type, info.id, error.what());
        }
    }
    return cameras;
}

}  // namespace

std::vector<std::unique_ptr<capture::Camera>> make_cameras(const Config& config)
{
    if (config.devices.empty()) return open_attached();
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    for (std::size_t i = 0; i < config.devices.size(); ++i) {
        try {
            cameras.push_back(open_configured(config.devices[i]));
        } catch (const std::exception& error) {
            throw ConfigError(config.source.string() + ": device[" + std::to_string(i) + "] (" +
                              config.devices[i].type + " " + config.devices[i].serial + "): " + error.what());
        }
    }
    return cameras;
}

}  // namespace digikit::firmware
