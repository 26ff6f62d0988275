#include "kit_cameras.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "digikit/capture/gphoto2_camera.hpp"
#include "digikit/capture/simulated_camera.hpp"

namespace digikit::firmware {
namespace {

capture::DeviceInfo info_of(const DeviceConfig& device)
{
    capture::DeviceInfo info;
    info.type = device.type;
    info.serial = device.serial;
    info.role = capture::parse_camera_role(device.role);
    if (device.type == "sim") {
        if (info.serial.empty()) info.serial = "SIM-" + device.role;
        info.id = "sim:" + info.serial;
        info.model = "digikit simulated camera";
    }
    return info;
}

std::unique_ptr<capture::Camera> open_configured(const DeviceConfig& device)
{
    const auto info = info_of(device);
    if (device.type == "sim") {
        return capture::make_simulated_camera(
            info, {device.width, device.height, static_cast<std::uint64_t>(device.seed), device.words});
    }
    return capture::open_device(info, {device.address, device.settings});
}

std::string name_of(const capture::DeviceInfo& info)
{
    std::string name = std::string(capture::to_string(info.role)) + " " + info.type;
    if (!info.serial.empty()) name += " serial " + info.serial;
    if (!info.id.empty() && info.id != info.serial) name += " (" + info.id + ")";
    return name;
}

}  // namespace

KitCameras::KitCameras(const Config& config) : autodetect_(config.devices.empty())
{
    if (autodetect_) {
        slots_ = open_attached();
    } else {
        for (const auto& device : config.devices) {
            auto& slot = slots_.emplace_back(Slot{device, info_of(device), nullptr, ""});
            open(slot);
        }
    }
    form_rig();
}

KitCameras::KitCameras(std::vector<std::unique_ptr<capture::Camera>> cameras) : autodetect_(false)
{
    for (auto& camera : cameras) {
        auto info = camera->info();
        slots_.push_back(Slot{DeviceConfig{}, std::move(info), std::move(camera), ""});
    }
    form_rig();
}

KitCameras::~KitCameras() = default;

// Opened outside the lock (it may take seconds); `status` reads the slots meanwhile.
void KitCameras::open(Slot& slot)
{
    std::unique_ptr<capture::Camera> camera;
    std::string problem;
    try {
        camera = open_configured(slot.config);
    } catch (const std::exception& error) {
        problem = error.what();
    }
    const std::lock_guard lock(slots_mutex_);
    if (camera) slot.info = camera->info();
    slot.camera = std::move(camera);
    slot.problem = std::move(problem);
}

// Attached devices, in a stable order; two cameras become the left and right of a rig.
std::vector<KitCameras::Slot> KitCameras::open_attached()
{
    std::vector<Slot> slots;
    auto found = capture::discover_devices();
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.serial < b.serial; });
    if (found.size() == 2) {
        found[0].role = capture::CameraRole::left;
        found[1].role = capture::CameraRole::right;
    }
    for (auto& info : found) {
        auto& slot = slots.emplace_back(Slot{DeviceConfig{}, std::move(info), nullptr, ""});
        try {
            slot.camera = capture::open_device(slot.info);
            slot.info = slot.camera->info();
        } catch (const std::exception& error) {
            slot.problem = error.what();
            spdlog::warn("{} is attached but cannot be used: {}", name_of(slot.info), slot.problem);
        }
    }
    return slots;
}

// A spread needs every configured camera; autodetecting, the rig is what could be opened.
void KitCameras::form_rig()
{
    if (rig_) return;
    const bool all_open = std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.camera != nullptr; });
    if (!autodetect_ && !all_open) return;
    std::vector<std::unique_ptr<capture::Camera>> cameras;
    gphoto2_in_rig_ = 0;
    for (auto& slot : slots_) {
        if (!slot.camera) continue;
        if (slot.info.type == "gphoto2") ++gphoto2_in_rig_;
        cameras.push_back(std::move(slot.camera));
    }
    if (!cameras.empty()) rig_ = std::make_unique<capture::CameraRig>(std::move(cameras));
}

std::vector<std::string> KitCameras::refresh(bool usb_changed)
{
    std::vector<std::string> picked;
    if (autodetect_) {
        if (rig_ && (!usb_changed || capture::detect_gphoto2_cameras().size() == gphoto2_in_rig_)) return picked;
        rig_.reset();  // closes the cameras, so that discovery can open each one
        auto slots = open_attached();
        {
            const std::lock_guard lock(slots_mutex_);
            slots_ = std::move(slots);
        }
        form_rig();
        for (const auto& slot : slots_) {
            if (slot.problem.empty()) picked.push_back("using " + name_of(slot.info));
        }
        return picked;
    }
    if (rig_) return picked;
    for (auto& slot : slots_) {
        if (slot.camera) continue;
        open(slot);
        if (slot.camera) picked.push_back(name_of(slot.info) + " is attached");
    }
    form_rig();
    return picked;
}

std::string KitCameras::missing() const
{
    if (rig_) return "";
    if (slots_.empty()) return "no camera is configured or attached";
    std::string text;
    for (const auto& slot : slots_) {
        if (slot.problem.empty()) continue;
        text += (text.empty() ? "" : "; ") + name_of(slot.info) + " is not ready: " + slot.problem;
    }
    return text;
}

capture::CameraRig& KitCameras::rig()
{
    if (!rig_) throw capture::CaptureError(missing(), false);
    return *rig_;
}

std::vector<capture::DeviceInfo> KitCameras::devices() const
{
    std::vector<capture::DeviceInfo> open;
    for (const auto& slot : slots_) {
        if (slot.problem.empty()) open.push_back(slot.info);
    }
    return open;
}

nlohmann::json KitCameras::describe() const
{
    const std::lock_guard lock(slots_mutex_);
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& slot : slots_) {
        devices.push_back({{"id", slot.info.id},
                           {"type", slot.info.type},
                           {"model", slot.info.model},
                           {"serial", slot.info.serial},
                           {"role", capture::to_string(slot.info.role)},
                           {"attached", slot.problem.empty()},
                           {"problem", slot.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(slot.problem)}});
    }
    return devices;
}

void KitCameras::apply_settings()
{
    for (std::size_t i = 0; rig_ && i < rig_->size(); ++i) rig_->camera(i).apply_settings();
    for (auto& slot : slots_) {
        if (slot.camera) slot.camera->apply_settings();
    }
}

capture::Camera* KitCameras::find(const std::string& id_or_serial)
{
    const auto matches = [&](const capture::Camera& camera) {
        return id_or_serial.empty() || camera.info().id == id_or_serial || camera.info().serial == id_or_serial;
    };
    for (std::size_t i = 0; rig_ && i < rig_->size(); ++i) {
        if (matches(rig_->camera(i))) return &rig_->camera(i);
    }
    for (auto& slot : slots_) {
        if (slot.camera && matches(*slot.camera)) return slot.camera.get();
    }
    return nullptr;
}

}  // namespace digikit::firmware
