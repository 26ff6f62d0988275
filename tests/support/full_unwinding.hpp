#pragma once

#include <cstdlib>
#include <string>

namespace digikit::testing {

// libgphoto2's camera drivers, built without frame pointers and unloaded when a camera
// list is dropped, leak small allocations: tests/lsan.supp can name them only in a stack
// that was fully unwound. Full unwinding on every malloc makes a process several times
// slower (a CLI call under ASan: 1.5 s instead of 0.3 s), so only the processes a test
// starts while one of these lives get it, not the whole suite.
class FullUnwinding {
public:
    FullUnwinding() : before_(std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "")
    {
        ::setenv("ASAN_OPTIONS", (before_ + ":fast_unwind_on_malloc=0").c_str(), 1);
    }
    FullUnwinding(const FullUnwinding&) = delete;
    FullUnwinding& operator=(const FullUnwinding&) = delete;
    ~FullUnwinding() { ::setenv("ASAN_OPTIONS", before_.c_str(), 1); }

private:
    std::string before_;
};

}  // namespace digikit::testing
