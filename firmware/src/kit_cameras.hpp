#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config.hpp"
#include "digikit/capture/camera_rig.hpp"
#include "digikit/capture/device_discovery.hpp"

namespace digikit::firmware {

// The kit's cameras and scanners: those the configuration names (by serial number,
// never by USB path) or, with none named, whatever is attached. A configured camera
// that is not there is waited for, not an error: refresh() opens what has come since
// (the daemon calls it when USB devices change and every few seconds), and the rig
// forms once every configured camera is open.
class KitCameras {
public:
    // Opens what is there now. Never throws for a device that is missing.
    explicit KitCameras(const Config& config);
    // A fixed set of cameras already open (tests, benchmarks).
    explicit KitCameras(std::vector<std::unique_ptr<capture::Camera>> cameras);
    KitCameras(const KitCameras&) = delete;
    KitCameras& operator=(const KitCameras&) = delete;
    ~KitCameras();

    // Opens the configured cameras still missing; autodetecting, re-forms the rig when
    // the attached cameras changed (`usb_changed`) or there is none. Returns a line for
    // the log for each camera picked up.
    std::vector<std::string> refresh(bool usb_changed);
    [[nodiscard]] bool complete() const { return rig_ != nullptr; }

    // Every camera, firing together; throws a fatal CaptureError naming what is missing.
    capture::CameraRig& rig();
    // The devices in rig (configuration) order, with what their cameras reported.
    [[nodiscard]] std::vector<capture::DeviceInfo> devices() const;
    // For `status` and `devices`: id, type, model, serial, role, attached, problem.
    // Safe to call from another thread while the press thread refreshes.
    [[nodiscard]] nlohmann::json describe() const;
    // At the start of a book, on every camera that is open. Throws CaptureError.
    void apply_settings();
    // What is missing and why, one line; empty when complete.
    [[nodiscard]] std::string missing() const;
    // The open camera with this id or serial number (any, for ""), or nullptr.
    [[nodiscard]] capture::Camera* find(const std::string& id_or_serial);

private:
    struct Slot {
        DeviceConfig config;
        capture::DeviceInfo info;
        std::unique_ptr<capture::Camera> camera;  // until the rig takes it
        std::string problem;                      // why it is not open; empty when it is
    };
    void open(Slot& slot);
    [[nodiscard]] static std::vector<Slot> open_attached();
    void form_rig();

    bool autodetect_;
    // The press thread changes the slots; describe() (the daemon's status, on the control
    // socket's thread) reads them meanwhile. Cameras are opened outside the lock.
    mutable std::mutex slots_mutex_;
    std::vector<Slot> slots_;
    std::unique_ptr<capture::CameraRig> rig_;
    std::size_t gphoto2_in_rig_ = 0;  // autodetecting: to notice a camera come or go
};

}  // namespace digikit::firmware
