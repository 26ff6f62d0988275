#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "digikit/capture/camera_manager.hpp"

namespace digikit::firmware {

// The configuration's [[device]] entries as the capture library takes them.
[[nodiscard]] std::vector<capture::DeviceSpec> device_specs(const Config& config);

// The kit's cameras (capture::CameraManager) for this configuration, opened now; what
// the manager reports goes to the log.
[[nodiscard]] std::unique_ptr<capture::CameraManager> open_kit_cameras(const Config& config);

// The manager's and the device watch's lines, to the log (problems as warnings).
void log_camera_report(const std::string& line, bool problem);

// For `status` and `devices`: id, type, model, serial, role, attached, problem.
[[nodiscard]] nlohmann::json cameras_json(const capture::CameraManager& cameras);

}  // namespace digikit::firmware
