#pragma once

// A camera's settings through libgphoto2's widgets. Called on the camera's own thread.

#include <gphoto2/gphoto2.h>

#include <string>
#include <string_view>

namespace digikit::capture::gphoto2 {

// The text of setting `name`, "" when the camera has none (the serial number).
[[nodiscard]] std::string read_setting(::Camera* camera, GPContext* context, const char* name);

// Sets `name` to its first choice whose lower-case text contains `fragment`; nothing when
// the camera has no such setting or choice.
void choose_setting_containing(::Camera* camera, GPContext* context, const char* name, std::string_view fragment);

// Sets `name` to `value`, as text, a choice, a number in range or a toggle (1/on/true/yes).
// A setting the camera lacks or a value it does not take throws std::invalid_argument
// saying what it offers; otherwise returns libgphoto2's result.
[[nodiscard]] int apply_setting(::Camera* camera, GPContext* context, const std::string& name,
                                const std::string& value);

}  // namespace digikit::capture::gphoto2
