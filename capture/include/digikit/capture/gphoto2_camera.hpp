#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "digikit/capture/camera.hpp"

namespace digikit::capture {

// A camera libgphoto2 can reach: its driver's model name and its port
// ("usb:001,004", "ptpip:192.168.1.20"). The port is where it is now, not who it is.
struct Gphoto2Address {
    std::string model;
    std::string port;
};

struct Gphoto2Options {
    // A capture that takes longer than this is given up as a hung camera (fatal).
    std::chrono::milliseconds capture_timeout{30'000};
    // Camera settings by libgphoto2 config name and value, applied in this order each
    // time the camera opens (so again after a replug), e.g. {"capturetarget",
    // "Internal RAM"}, {"imageformat", "Large Fine JPEG"}, {"focusmode", "Manual"},
    // {"iso", "200"}, {"shutterspeed", "1/60"}, {"f-number", "f/8"}. A name the camera
    // does not have, or a value it does not offer, is a fatal CaptureError listing
    // what it offers. Captures go to the camera's RAM by default where it has one.
    std::vector<std::pair<std::string, std::string>> settings;
};

// The cameras libgphoto2 autodetects (USB). Network (PTP/IP) cameras are not
// autodetected; name them with their address.
[[nodiscard]] std::vector<Gphoto2Address> detect_gphoto2_cameras();

// Opens the camera at `address` with the driver for its model (both given
// explicitly, nothing probed). The camera's serial number is read and stored in
// info().serial; if `info.serial` was given and differs, throws a fatal CaptureError.
// Each camera runs its libgphoto2 calls on a worker thread of its own.
// After a fatal error the camera closes; the next capture() reopens it, looking for
// the same serial number on the same port (or, for a camera found by serial, among
// the detected ones again), so a replugged camera comes back.
[[nodiscard]] std::unique_ptr<Camera> open_gphoto2_camera(DeviceInfo info, const Gphoto2Address& address,
                                                          const Gphoto2Options& options = {});

// Opens the camera whose serial number is `info.serial`: among `candidates` when given
// (a network camera's address, say), otherwise among the autodetected USB cameras; when
// it reopens after a fatal error it is looked for among the same again. Throws a fatal
// CaptureError naming the serial when none has it.
[[nodiscard]] std::unique_ptr<Camera> find_gphoto2_camera(
    const DeviceInfo& info, const Gphoto2Options& options = {},
    const std::optional<std::vector<Gphoto2Address>>& candidates = std::nullopt);

}  // namespace digikit::capture
