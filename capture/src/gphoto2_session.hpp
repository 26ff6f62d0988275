#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "digikit/capture/camera.hpp"
#include "digikit/capture/gphoto2_camera.hpp"
#include "gphoto2_handles.hpp"

namespace digikit::capture::gphoto2 {

// Where a camera is and how to find it again.
struct CameraPlace {
    Gphoto2Address address;
    std::vector<Gphoto2Address> search;  // candidates to look through for its serial number
    bool search_detected = false;        // or look through the autodetected cameras
};

// One open (or closed) libgphoto2 camera: opening by address or serial number, its
// settings, a capture and its download. Used only on its CameraThread; every error is
// a CaptureError naming the camera, and a fatal one closes it.
class Session {
public:
    Session(DeviceInfo info, CameraPlace place, std::vector<std::pair<std::string, std::string>> settings);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    [[nodiscard]] const DeviceInfo& info() const { return info_; }
    [[nodiscard]] std::string describe() const;

    // Opens the camera at its address or, once it has been open, wherever its serial
    // number is now (a USB camera replugged comes back on another port).
    void open();
    // Applies the settings; on a camera just opened they are applied already.
    void apply_settings();
    void close();
    // Fires, downloads to `stem` + the camera's extension, and returns that path.
    std::filesystem::path capture(const std::filesystem::path& stem);

private:
    static void on_message(GPContext* context, const char* text, void* data);
    void open_at(const Gphoto2Address& address);
    void apply_setting(const std::string& name, const std::string& value);
    void drain_events();
    void check_ready();
    void download(const CameraFilePath& shot, const std::filesystem::path& target);
    void check(int rc, const std::string& what);
    [[nodiscard]] std::string explain(int rc) const;

    DeviceInfo info_;
    CameraPlace place_;
    std::vector<std::pair<std::string, std::string>> settings_;
    bool opened_before_ = false;  // then a failed open searches for the serial number elsewhere
    ContextHandle context_;
    CameraHandle camera_;
    std::string messages_;  // what libgphoto2 said since the last call began
};

}  // namespace digikit::capture::gphoto2
