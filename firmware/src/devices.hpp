#pragma once

#include <memory>
#include <vector>

#include "config.hpp"
#include "digikit/capture/camera.hpp"

namespace digikit::firmware {

// The cameras and scanners of the kit: those the configuration names (by serial, never
// by USB path), or, with none named, whatever is attached. Throws ConfigError naming the
// device that cannot be opened.
[[nodiscard]] std::vector<std::unique_ptr<capture::Camera>> make_cameras(const Config& config);

}  // namespace digikit::firmware
