#pragma once

#include <string>
#include <string_view>

namespace digikit::uploader {

// Who holds the lease on a queue item: "<boot id>/<pid>/<process start time>/<serial>".
// The boot id and start time tell a live holder from a process that is gone (killed,
// or from before a reboot) even when its pid has been reused; the serial tells apart
// two queues in one process.
[[nodiscard]] std::string new_lease_owner();

// True when the process that took the lease as `owner` no longer runs (or is a zombie).
// A holder that cannot be checked counts as alive: its lease then simply expires.
[[nodiscard]] bool lease_owner_is_gone(std::string_view owner);

}  // namespace digikit::uploader
