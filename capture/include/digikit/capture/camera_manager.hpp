#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "digikit/capture/camera_rig.hpp"
#include "digikit/capture/device_discovery.hpp"

namespace digikit::capture {

// One device of the kit's configuration: its identity (type, serial number, role; the
// SANE device name as id) and how to open it.
struct DeviceSpec {
    DeviceInfo info;
    DeviceOptions options;
};

// The kit's cameras and scanners: those the configuration names (by serial number, never
// by USB path) or, with none named, whatever is attached. A configured camera that is
// not there is waited for, not an error: refresh() opens what has come since (call it
// when USB devices change and every few seconds; DeviceWatch does), and the rig forms
// once every configured camera is open.
// Threads: one thread (the kit's event loop) calls everything but states(), which any
// thread may call meanwhile. Cameras are opened outside the lock that guards the states.
class CameraManager {
public:
    // What the manager has to say for the log: a camera picked up, or a problem (an
    // attached device that cannot be used).
    using Report = std::function<void(const std::string& line, bool problem)>;

    // Opens what is there now (autodetecting when `configured` is empty). Never throws
    // for a device that is missing.
    explicit CameraManager(std::vector<DeviceSpec> configured, Report report = {});
    // A fixed set of cameras already open (tests, benchmarks).
    explicit CameraManager(std::vector<std::unique_ptr<Camera>> cameras);
    CameraManager(const CameraManager&) = delete;
    CameraManager& operator=(const CameraManager&) = delete;
    ~CameraManager();

    // Opens the configured cameras still missing; autodetecting, re-forms the rig when the
    // attached cameras changed (`usb_changed`) or there is none. Returns whether a camera
    // was picked up.
    bool refresh(bool usb_changed);
    [[nodiscard]] bool complete() const { return rig_ != nullptr; }

    // Every camera, firing together; throws a fatal CaptureError naming what is missing.
    CameraRig& rig();
    // The open devices in rig (configuration) order, with what their cameras reported.
    [[nodiscard]] std::vector<DeviceInfo> devices() const;

    struct DeviceState {
        DeviceInfo info;
        std::string problem;  // why it is not open; empty when it is
    };
    // Every device, open or not, for status and `devices`. Safe from any thread.
    [[nodiscard]] std::vector<DeviceState> states() const;
    // At the start of a book, on every camera that is open. Throws CaptureError.
    void apply_settings();
    // What is missing and why, one line; empty when complete.
    [[nodiscard]] std::string missing() const;
    // The open camera with this id or serial number (any, for ""), or nullptr.
    [[nodiscard]] Camera* find(const std::string& id_or_serial);

private:
    struct Slot {
        DeviceSpec spec;
        std::unique_ptr<Camera> camera;  // until the rig takes it
        std::string problem;
    };
    void open(Slot& slot);
    [[nodiscard]] std::vector<Slot> open_attached() const;
    void form_rig();
    void tell(const std::string& line, bool problem) const;

    bool autodetect_;
    Report report_;
    mutable std::mutex slots_mutex_;  // guards the slots' info and problem for states()
    std::vector<Slot> slots_;
    std::unique_ptr<CameraRig> rig_;
    std::size_t gphoto2_in_rig_ = 0;  // autodetecting: to notice a camera come or go
};

// Asks for a look for cameras (`look(usb_changed)`) when USB devices come or go (libusb
// hotplug) and every `period`: a network camera or a system without hotplug gives no
// events. Runs a thread of its own, which only calls `look` (so `look` should hand the
// work to the thread that owns the CameraManager) and `report` (its problems: no
// hotplug, a failed look); a failure is reported and the watch goes on. The destructor stops and joins the thread.
class DeviceWatch {
public:
    DeviceWatch(std::function<void(bool usb_changed)> look, CameraManager::Report report,
                std::chrono::milliseconds period = std::chrono::seconds(3));
    DeviceWatch(const DeviceWatch&) = delete;
    DeviceWatch& operator=(const DeviceWatch&) = delete;
    ~DeviceWatch();

private:
    struct State;
    std::unique_ptr<State> state_;
    std::thread thread_;
};

}  // namespace digikit::capture
