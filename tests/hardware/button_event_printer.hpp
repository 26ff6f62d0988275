#pragma once

#include <ostream>

#include "digikit/hardware/button_debouncer.hpp"

namespace digikit::hardware {

// Readable ButtonEvents in GoogleTest's failure messages: "end-book pressed at 1500 ms".
inline void PrintTo(const ButtonEvent& event, std::ostream* out)
{
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(event.at.time_since_epoch()).count();
    *out << to_string(event.button) << (event.kind == ButtonEventKind::pressed ? " pressed" : " held too briefly")
         << " at " << ms << " ms";
}

}  // namespace digikit::hardware
