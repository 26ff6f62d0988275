#pragma once

#include <gphoto2/gphoto2.h>

#include <mutex>
#include <string>
#include <vector>

#include "digikit/capture/gphoto2_camera.hpp"

namespace digikit::capture::gphoto2 {

// libgphoto2's driver and port lists, loaded once per process: loading them scans the
// camlib and iolib folders, far too slow to repeat per camera. Safe from any thread.
class Catalogue {
public:
    static Catalogue& instance();
    Catalogue(const Catalogue&) = delete;
    Catalogue& operator=(const Catalogue&) = delete;

    // Each throws a fatal CaptureError when the lists could not be loaded or do not know
    // the model or port.
    CameraAbilities abilities(const std::string& model);
    GPPortInfo port(const std::string& path);
    // The USB cameras connected now.
    std::vector<Gphoto2Address> detect();

private:
    Catalogue();
    ~Catalogue();
    void check_loaded() const;

    std::mutex mutex_;
    CameraAbilitiesList* abilities_ = nullptr;
    GPPortInfoList* ports_ = nullptr;
    bool loaded_ = false;
};

}  // namespace digikit::capture::gphoto2
