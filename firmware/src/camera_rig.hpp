#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config.hpp"
#include "digikit/capture/camera.hpp"

namespace digikit::firmware {

// The cameras of the kit fired as one: a capture counts only when every camera's file
// is durable; when one fails, the files of the others are removed and the capture
// fails as a whole.
class CameraRig {
public:
    struct File {
        std::string role;
        std::filesystem::path path;
    };

    explicit CameraRig(std::vector<std::unique_ptr<capture::Camera>> cameras);

    [[nodiscard]] bool empty() const { return cameras_.empty(); }
    [[nodiscard]] std::vector<capture::DeviceInfo> devices() const;

    // Writes <dir>/<stem>_<role>.<ext> for every camera, all fired together.
    // Throws capture::CaptureError naming the camera that failed.
    std::vector<File> fire(const std::filesystem::path& dir, const std::string& stem);

private:
    std::vector<std::unique_ptr<capture::Camera>> cameras_;
};

// The cameras the configuration names. Throws ConfigError for a device that cannot be
// opened, naming it.
[[nodiscard]] std::vector<std::unique_ptr<capture::Camera>> make_cameras(const Config& config);

}  // namespace digikit::firmware
