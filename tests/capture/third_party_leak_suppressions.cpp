// libgphoto2 2.5.30 (its drivers, port libraries and libusb as it uses it) and SANE's
// backends leak small allocations we cannot free: LeakSanitizer is told to ignore
// leaks allocated inside them. Matching needs full stack unwinding, since those
// libraries are built without frame pointers (and a backend unloaded at sane_exit is
// only recognisable while it stays loaded: the SANE tests keep it so). Linked into
// the gphoto2 and SANE test binaries.
// NOLINTBEGIN(bugprone-reserved-identifier,readability-identifier-naming): the sanitizers' hook names
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __asan_default_options();

extern "C" const char* __lsan_default_suppressions()
{
    return "leak:libgphoto2.so\n"
           "leak:libgphoto2_port.so\n"
           "leak:libltdl.so\n"
           "leak:libusb-1.0.so\n"
           "leak:libsane.so\n"
           "leak:libsane-test.so\n";
}

extern "C" const char* __asan_default_options()
{
    return "fast_unwind_on_malloc=0";
}
// NOLINTEND(bugprone-reserved-identifier,readability-identifier-naming)
