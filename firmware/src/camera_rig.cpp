#include "camera_rig.hpp"

#include <future>

#include "digikit/capture/simulated_camera.hpp"

namespace digikit::firmware {

CameraRig::CameraRig(std::vector<std::unique_ptr<capture::Camera>> cameras) : cameras_(std::move(cameras)) {}

std::vector<capture::DeviceInfo> CameraRig::devices() const
{
    std::vector<capture::DeviceInfo> infos;
    for (const auto& camera : cameras_) infos.push_back(camera->info());
    return infos;
}

std::vector<CameraRig::File> CameraRig::fire(const std::filesystem::path& dir, const std::string& stem)
{
    if (cameras_.empty()) throw capture::CaptureError("no camera is configured or attached", false);
    // One thread per camera so that left and right fire together.
    std::vector<std::future<std::filesystem::path>> shots;
    for (const auto& camera : cameras_) {
        const std::string role(capture::to_string(camera->info().role));
        shots.push_back(std::async(std::launch::async,
                                   [&camera, path = dir / (stem + "_" + role)] { return camera->capture(path); }));
    }
    std::vector<File> files;
    std::string failure;
    bool recoverable = true;
    for (std::size_t i = 0; i < shots.size(); ++i) {
        const auto& info = cameras_[i]->info();
        try {
            files.push_back({std::string(capture::to_string(info.role)), shots[i].get()});
        } catch (const capture::CaptureError& error) {
            failure += (failure.empty() ? "" : "; ") + info.id + ": " + error.what();
            recoverable = recoverable && error.recoverable();
        } catch (const std::exception& error) {
            failure += (failure.empty() ? "" : "; ") + info.id + ": " + error.what();
            recoverable = false;
        }
    }
    if (!failure.empty()) {
        for (const auto& file : files) std::filesystem::remove(file.path);
        throw capture::CaptureError(failure, recoverable);
    }
    return files;
}

std::vector<std::unique_ptr<capture::Camera>> make_cameras(const Config& config)
{
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    std::size_t index = 0;
    for (const auto& device : config.devices) {
        const std::string where = config.source.string() + ": device[" + std::to_string(index++) + "]";
        if (device.type != "sim") {
            throw ConfigError(where + ": type '" + device.type + "' is not supported yet (only sim)");
        }
        capture::DeviceInfo info;
        info.type = device.type;
        info.serial = device.serial.empty() ? "SIM-" + device.role : device.serial;
        info.id = "sim:" + info.serial;
        info.model = "digikit simulated camera";
        info.role = capture::parse_camera_role(device.role);
        cameras.push_back(capture::make_simulated_camera(
            info, {device.width, device.height, static_cast<std::uint64_t>(device.seed)}));
    }
    return cameras;
}

}  // namespace digikit::firmware
