#include "digikit/capture/device_discovery.hpp"

#include "digikit/capture/gphoto2_camera.hpp"
#include "digikit/capture/sane_scanner.hpp"
#include "digikit/capture/simulated_camera.hpp"

namespace digikit::capture {

std::vector<DeviceInfo> discover_devices()
{
    std::vector<DeviceInfo> found;
    for (const auto& address : detect_gphoto2_cameras()) {
        DeviceInfo info{address.port, "gphoto2", address.model, "", CameraRole::single};
        try {
            info.serial = open_gphoto2_camera(info, address)->info().serial;
        } catch (const CaptureError&) {
            // listed all the same: the operator should see it is there, if unusable
        }
        found.push_back(std::move(info));
    }
    for (const auto& device : list_sane_devices()) {
        found.push_back(
            DeviceInfo{device.name, "sane", device.vendor + " " + device.model, device.name, CameraRole::single});
    }
    return found;
}

std::unique_ptr<Camera> open_device(const DeviceInfo& device, const DeviceOptions& options)
{
    if (device.type == "gphoto2") {
        Gphoto2Options gphoto2;
        gphoto2.settings = options.settings;
        if (options.address.empty()) return find_gphoto2_camera(device, gphoto2);
        // Network cameras speak the generic PTP/IP protocol; the driver is chosen by that model name.
        return find_gphoto2_camera(device, gphoto2, std::vector<Gphoto2Address>{{"PTP/IP Camera", options.address}});
    }
    if (!options.address.empty() || !options.settings.empty()) {
        throw std::invalid_argument("an address and settings are for gphoto2 cameras, not " + device.type);
    }
    if (device.type == "sane") return open_sane_scanner(device);
    if (device.type == "sim") return make_simulated_camera(device, options.simulated);
    throw std::invalid_argument("unknown device type '" + device.type + "' (expected gphoto2, sane or sim)");
}

}  // namespace digikit::capture
