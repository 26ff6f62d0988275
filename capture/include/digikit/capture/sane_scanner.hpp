#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "digikit/capture/camera.hpp"

namespace digikit::capture {

// A SANE device as sane_get_devices() lists it. `name` ("epson2:libusb:001:004",
// "test:0") is what opens it.
struct SaneDevice {
    std::string name;
    std::string vendor;
    std::string model;
    std::string type;
};

// The part of the glass to scan, in millimetres from its top-left corner.
struct ScanArea {
    double left_mm = 0;
    double top_mm = 0;
    double width_mm = 0;
    double height_mm = 0;
};

struct SaneScanSettings {
    std::string mode = "Color";  // as the backend names it: Color, Gray, Lineart, ...
    int resolution_dpi = 300;
    int depth = 0;                 // bits per sample; 0 leaves the backend's default
    std::optional<ScanArea> area;  // the whole glass when unset
};

// The SANE devices present. Throws CaptureError when SANE cannot start.
[[nodiscard]] std::vector<SaneDevice> list_sane_devices();

// A flatbed scanner as a Camera: each capture() opens the device, sets mode,
// resolution and area, scans, always cancels and closes, and stores the page as a
// TIFF (stem + ".tif", deflate, resolution tags) atomically. `info.id` is the SANE
// device name; SANE has no serial numbers, so the name stands in for one.
// Throws CaptureError (fatal) when the device is not present. Jams, an empty feeder,
// an open cover or a busy device are recoverable; I/O errors are fatal.
// SANE is started on first use and stopped when the last scanner is gone (it reads
// its configuration, SANE_CONFIG_DIR included, when it starts).
[[nodiscard]] std::unique_ptr<Camera> open_sane_scanner(DeviceInfo info, SaneScanSettings settings = {});

}  // namespace digikit::capture
