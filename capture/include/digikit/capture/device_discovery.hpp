#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "digikit/capture/camera.hpp"
#include "digikit/capture/simulated_camera.hpp"

namespace digikit::capture {

// What is attached that can take a picture: the cameras libgphoto2 autodetects (each
// opened briefly to read its serial number; `id` is its port then) and the SANE
// devices (`id` and `serial` are the SANE device name). Roles are left `single`: the
// configuration assigns them. A camera that cannot be opened (claimed by another
// program) is still listed, with an empty serial number.
[[nodiscard]] std::vector<DeviceInfo> discover_devices();

// What a configuration entry says beyond the device's identity.
struct DeviceOptions {
    // gphoto2: a network camera's address ("ptpip:192.168.1.20"); empty: find the
    // camera by its serial number among those attached over USB.
    std::string address;
    // gphoto2: settings by libgphoto2 config name, applied in this order whenever the
    // camera opens and at the start of each book (see Gphoto2Options::settings).
    std::vector<std::pair<std::string, std::string>> settings;
    // sim: the photos it renders.
    SimulatedCameraSettings simulated;
};

// Opens the device a configuration entry names: type "gphoto2" by serial number
// (wherever it is plugged in), "sane" by SANE device name (`id`), "sim" as a
// simulated camera rendering `options.simulated`. Throws CaptureError (fatal) when it is not there,
// std::invalid_argument for an unknown type or options the type does not take.
[[nodiscard]] std::unique_ptr<Camera> open_device(const DeviceInfo& device, const DeviceOptions& options = {});

}  // namespace digikit::capture
