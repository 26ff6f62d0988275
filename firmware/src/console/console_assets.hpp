#pragma once

#include <optional>
#include <string_view>

namespace digikit::firmware {

// The console's page, style sheet and script (firmware/src/console/web/), built into the
// binary by CMake (cmake/EmbedFiles.cmake): the kit is offline, nothing is fetched.
struct ConsoleAsset {
    std::string_view content_type;
    std::string_view body;
};

// The asset served at `path` ("/", "/console.css", ...), if any.
[[nodiscard]] std::optional<ConsoleAsset> console_asset(std::string_view path);

}  // namespace digikit::firmware
