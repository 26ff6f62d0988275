#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace digikit::capture {

enum class CameraRole { single, left, right };

[[nodiscard]] std::string_view to_string(CameraRole role);
// Throws std::invalid_argument naming the accepted values.
[[nodiscard]] CameraRole parse_camera_role(std::string_view text);

// What identifies a device to the operator and the configuration. `serial` is the
// identity (a USB path changes on replug); `id` is what `--device ID` accepts.
struct DeviceInfo {
    std::string id;
    std::string type;  // gphoto2 | sane | sim
    std::string model;
    std::string serial;
    CameraRole role = CameraRole::single;
};

// A capture failure. `recoverable` tells the caller whether retrying may help (camera
// busy, focus failed) or the device needs attention (unplugged, claimed elsewhere).
class CaptureError : public std::runtime_error {
public:
    CaptureError(const std::string& message, bool recoverable) : std::runtime_error(message), recoverable_(recoverable)
    {
    }
    [[nodiscard]] bool recoverable() const { return recoverable_; }

private:
    bool recoverable_;
};

// Anything that takes a picture: a gphoto2 camera, a SANE scanner, the simulated camera.
class Camera {
public:
    virtual ~Camera() = default;
    [[nodiscard]] virtual const DeviceInfo& info() const = 0;

    // Takes one picture and stores it durably (atomically) at `stem` plus the
    // extension the device produces (".jpg", ".tif", ...). Returns the full path.
    // Throws CaptureError.
    virtual std::filesystem::path capture(const std::filesystem::path& stem) = 0;

    // Applies the device's configured settings again, at the start of a book: the
    // operator may have turned a dial since. Throws CaptureError. Nothing to do for a
    // device without settings.
    virtual void apply_settings() {}
};

}  // namespace digikit::capture
