#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace digikit::bookfile {

struct ToolResult {
    int exit_code = -1;  // -1: killed by a signal or could not start
    std::string out;
    std::string err;
};

// Polled while a tool runs: true kills it and throws ExportStopped (the daemon stops
// promptly even when the tool, at idle priority, gets no processor time).
using StopRequested = std::function<bool()>;

// Runs a command-line tool (djvulibre has no encoding library API) without a shell,
// with stdin from /dev/null, and collects what it prints.
[[nodiscard]] ToolResult run_tool(const std::vector<std::string>& args, const StopRequested& stop = {});

// Runs the tool and throws BookFileError ("c44 failed (exit 1): <its first error line>")
// unless it exits 0.
std::string run_tool_checked(const std::vector<std::string>& args, const StopRequested& stop = {});

}  // namespace digikit::bookfile
