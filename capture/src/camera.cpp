#include "digikit/capture/camera.hpp"

#include <string>

namespace digikit::capture {

std::string_view to_string(CameraRole role)
{
    switch (role) {
        case CameraRole::left: return "left";
        case CameraRole::right: return "right";
        case CameraRole::single: return "single";
    }
    return "single";
}

CameraRole parse_camera_role(std::string_view text)
{
    if (text == "left") return CameraRole::left;
    if (text == "right") return CameraRole::right;
    if (text == "single") return CameraRole::single;
    throw std::invalid_argument("expected left, right or single, got '" + std::string(text) + "'");
}

}  // namespace digikit::capture
