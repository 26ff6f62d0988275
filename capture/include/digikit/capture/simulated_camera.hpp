#pragma once

#include <memory>

#include "digikit/capture/camera.hpp"
#include "digikit/capture/page_photo_renderer.hpp"

namespace digikit::capture {

struct SimulatedCameraSettings {
    int width = 6000;
    int height = 4000;
    std::uint64_t seed = 1;
    bool words = false;  // real words on the pages (PagePhotoSpec::words), for OCR tests
};

// A camera that photographs a generated book: each shot renders the next page the
// camera's role sees (left camera even pages, right camera odd pages, single every
// page), deterministic from the seed.
[[nodiscard]] std::unique_ptr<Camera> make_simulated_camera(DeviceInfo info, SimulatedCameraSettings settings);

}  // namespace digikit::capture
