#include "digikit/capture/camera_manager.hpp"

#include <algorithm>

#include "digikit/capture/gphoto2_camera.hpp"

namespace digikit::capture {
namespace {

// The simulated camera's identity, made up from its role where the configuration gives none.
DeviceSpec with_identity(DeviceSpec spec)
{
    auto& info = spec.info;
    if (info.type != "sim") return spec;
    if (info.serial.empty()) info.serial = "SIM-" + std::string(to_string(info.role));
    info.id = "sim:" + info.serial;
    info.model = "digikit simulated camera";
    return spec;
}

// A device's name for the operator: "left gphoto2 serial 123 (usb:001,004)".
std::string name_of(const DeviceInfo& info)
{
    std::string name = std::string(to_string(info.role)) + " " + info.type;
    if (!info.serial.empty()) name += " serial " + info.serial;
    if (!info.id.empty() && info.id != info.serial) name += " (" + info.id + ")";
    return name;
}

}  // namespace

CameraManager::CameraManager(std::vector<DeviceSpec> configured, Report report)
    : autodetect_(configured.empty()), report_(std::move(report))
{
    if (autodetect_) {
        slots_ = open_attached();
    } else {
        for (auto& spec : configured) {
            auto& slot = slots_.emplace_back(Slot{with_identity(std::move(spec)), nullptr, ""});
            open(slot);
        }
    }
    form_rig();
}

CameraManager::CameraManager(std::vector<std::unique_ptr<Camera>> cameras) : autodetect_(false)
{
    for (auto& camera : cameras) {
        auto info = camera->info();
        slots_.push_back(Slot{DeviceSpec{std::move(info), {}}, std::move(camera), ""});
    }
    form_rig();
}

CameraManager::~CameraManager() = default;

void CameraManager::tell(const std::string& line, bool problem) const
{
    if (report_) report_(line, problem);
}

// Opened outside the lock (it may take seconds); states() reads the slots meanwhile.
void CameraManager::open(Slot& slot)
{
    std::unique_ptr<Camera> camera;
    std::string problem;
    try {
        camera = open_device(slot.spec.info, slot.spec.options);
    } catch (const std::exception& error) {
        problem = error.what();
    }
    const std::lock_guard lock(slots_mutex_);
    if (camera) slot.spec.info = camera->info();
    slot.camera = std::move(camera);
    slot.problem = std::move(problem);
}

// Attached devices, in a stable order; two cameras become the left and right of a rig.
std::vector<CameraManager::Slot> CameraManager::open_attached() const
{
    std::vector<Slot> slots;
    auto found = discover_devices();
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.serial < b.serial; });
    if (found.size() == 2) {
        found[0].role = CameraRole::left;
        found[1].role = CameraRole::right;
    }
    for (auto& info : found) {
        auto& slot = slots.emplace_back(Slot{DeviceSpec{std::move(info), {}}, nullptr, ""});
        try {
            slot.camera = open_device(slot.spec.info);
            slot.spec.info = slot.camera->info();
        } catch (const std::exception& error) {
            slot.problem = error.what();
            tell(name_of(slot.spec.info) + " is attached but cannot be used: " + slot.problem, true);
        }
    }
    return slots;
}

// A spread needs every configured camera; autodetecting, the rig is what could be opened.
void CameraManager::form_rig()
{
    if (rig_) return;
    const bool all_open = std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.camera != nullptr; });
    if (!autodetect_ && !all_open) return;
    std::vector<std::unique_ptr<Camera>> cameras;
    gphoto2_in_rig_ = 0;
    for (auto& slot : slots_) {
        if (!slot.camera) continue;
        if (slot.spec.info.type == "gphoto2") ++gphoto2_in_rig_;
        cameras.push_back(std::move(slot.camera));
    }
    if (!cameras.empty()) rig_ = std::make_unique<CameraRig>(std::move(cameras));
}

bool CameraManager::refresh(bool usb_changed)
{
    bool picked = false;
    if (autodetect_) {
        if (rig_ && (!usb_changed || detect_gphoto2_cameras().size() == gphoto2_in_rig_)) return false;
        rig_.reset();  // closes the cameras, so that discovery can open each one
        auto slots = open_attached();
        {
            const std::lock_guard lock(slots_mutex_);
            slots_ = std::move(slots);
        }
        form_rig();
        for (const auto& slot : slots_) {
            if (!slot.problem.empty()) continue;
            tell("using " + name_of(slot.spec.info), false);
            picked = true;
        }
        return picked;
    }
    if (rig_) return false;
    for (auto& slot : slots_) {
        if (slot.camera) continue;
        open(slot);
        if (!slot.camera) continue;
        tell(name_of(slot.spec.info) + " is attached", false);
        picked = true;
    }
    form_rig();
    return picked;
}

std::string CameraManager::missing() const
{
    if (rig_) return "";
    if (slots_.empty()) return "no camera is configured or attached";
    std::string text;
    for (const auto& slot : slots_) {
        if (slot.problem.empty()) continue;
        text += (text.empty() ? "" : "; ") + name_of(slot.spec.info) + " is not ready: " + slot.problem;
    }
    return text;
}

CameraRig& CameraManager::rig()
{
    if (!rig_) throw CaptureError(missing(), false);
    return *rig_;
}

std::vector<DeviceInfo> CameraManager::devices() const
{
    std::vector<DeviceInfo> open;
    for (const auto& slot : slots_) {
        if (slot.problem.empty()) open.push_back(slot.spec.info);
    }
    return open;
}

std::vector<CameraManager::DeviceState> CameraManager::states() const
{
    const std::lock_guard lock(slots_mutex_);
    std::vector<DeviceState> states;
    states.reserve(slots_.size());
    for (const auto& slot : slots_) states.push_back({slot.spec.info, slot.problem});
    return states;
}

void CameraManager::apply_settings()
{
    for (std::size_t i = 0; rig_ && i < rig_->size(); ++i) rig_->camera(i).apply_settings();
    for (auto& slot : slots_) {
        if (slot.camera) slot.camera->apply_settings();
    }
}

Camera* CameraManager::find(const std::string& id_or_serial)
{
    const auto matches = [&](const Camera& camera) {
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

}  // namespace digikit::capture
