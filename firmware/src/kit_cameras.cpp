#include "kit_cameras.hpp"

#include <spdlog/spdlog.h>

namespace digikit::firmware {

std::vector<capture::DeviceSpec> device_specs(const Config& config)
{
    std::vector<capture::DeviceSpec> specs;
    for (const auto& device : config.devices) {
        auto& spec = specs.emplace_back();
        spec.info.type = device.type;
        spec.info.serial = device.serial;
        spec.info.role = device.role;
        spec.options.address = device.address;
        spec.options.settings = device.settings;
        spec.options.simulated = {device.width, device.height, static_cast<std::uint64_t>(device.seed), device.words};
    }
    return specs;
}

void log_camera_report(const std::string& line, bool problem)
{
    if (problem) {
        spdlog::warn("{}", line);
    } else {
        spdlog::info("{}", line);
    }
}

std::unique_ptr<capture::CameraManager> open_kit_cameras(const Config& config)
{
    return std::make_unique<capture::CameraManager>(device_specs(config), log_camera_report);
}

nlohmann::json cameras_json(const capture::CameraManager& cameras)
{
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& [info, problem] : cameras.states()) {
        devices.push_back({{"id", info.id},
                           {"type", info.type},
                           {"model", info.model},
                           {"serial", info.serial},
                           {"role", capture::to_string(info.role)},
                           {"attached", problem.empty()},
                           {"problem", problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(problem)}});
    }
    return devices;
}

}  // namespace digikit::firmware
