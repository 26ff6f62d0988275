#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "digikit/capture/camera.hpp"

namespace digikit::capture {

// Cameras that fire together, e.g. the left and right camera of a book cradle. A shot
// of the rig counts only when every camera's file is durable: if any camera fails, the
// files the others stored are removed and the whole shot fails.
class CameraRig {
public:
    explicit CameraRig(std::vector<std::unique_ptr<Camera>> cameras);
    CameraRig(const CameraRig&) = delete;
    CameraRig& operator=(const CameraRig&) = delete;
    ~CameraRig();

    [[nodiscard]] std::size_t size() const { return cameras_.size(); }
    [[nodiscard]] Camera& camera(std::size_t index) { return *cameras_.at(index); }

    // Fires camera i with stems[i], all at the same moment (one thread per camera, all
    // released at once), and returns the files in camera order. Throws CaptureError
    // naming every camera that failed; recoverable only if every failure is.
    std::vector<std::filesystem::path> capture(const std::vector<std::filesystem::path>& stems);

private:
    struct Shooter;
    std::vector<std::unique_ptr<Camera>> cameras_;
    std::vector<std::unique_ptr<Shooter>> shooters_;
};

}  // namespace digikit::capture
