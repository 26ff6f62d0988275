#pragma once

#include <functional>
#include <string>

namespace digikit::base {

// The exception barrier at each of the daemon's thread entries (docs/threads.md): one
// unit of a thread's work (a press, a connection, a shot, a sync run) runs inside it, so
// that a failure ends that unit and never the process. What escaped is described in one
// line and handed to `on_failure` (which logs it and turns it into an error reply or the
// error signal). Returns true when `work` finished normally.
bool run_behind_barrier(const std::function<void()>& work,
                        const std::function<void(const std::string& failure)>& on_failure) noexcept;

// Inside a catch block: what the exception in flight says, in one line ("unknown
// exception" for a type that is not std::exception).
[[nodiscard]] std::string describe_current_exception();

}  // namespace digikit::base
