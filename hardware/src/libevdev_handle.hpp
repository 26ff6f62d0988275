#pragma once

#include <libevdev/libevdev.h>

#include <memory>

namespace digikit::hardware {

struct LibevdevFree {
    void operator()(libevdev* device) const { libevdev_free(device); }
};

// A libevdev device, freed when destroyed.
using LibevdevHandle = std::unique_ptr<libevdev, LibevdevFree>;

}  // namespace digikit::hardware
