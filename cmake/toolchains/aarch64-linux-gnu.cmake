# Cross-building for the kit (Raspberry Pi OS / Debian 12 arm64) with Debian's
# crossbuild-essential-arm64 and an arm64 root holding the -dev packages as the sysroot
# (scripts/cross-arm64.sh makes it and passes DIGIKIT_ARM64_SYSROOT).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

if(NOT DEFINED DIGIKIT_ARM64_SYSROOT)
  set(DIGIKIT_ARM64_SYSROOT $ENV{DIGIKIT_ARM64_SYSROOT})
endif()
if(NOT DIGIKIT_ARM64_SYSROOT OR NOT IS_DIRECTORY "${DIGIKIT_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu")
  message(FATAL_ERROR "DIGIKIT_ARM64_SYSROOT must name an arm64 Debian root (scripts/cross-arm64.sh makes one)")
endif()
# CMake reads this file again for its try_compile projects, in the same process, without
# the -D value: passed on, they do not reset the pkg-config paths below to the host's.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES DIGIKIT_ARM64_SYSROOT)
set(ENV{DIGIKIT_ARM64_SYSROOT} ${DIGIKIT_ARM64_SYSROOT})
set(CMAKE_SYSROOT ${DIGIKIT_ARM64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${DIGIKIT_ARM64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${DIGIKIT_ARM64_SYSROOT})
set(ENV{PKG_CONFIG_LIBDIR}
    ${DIGIKIT_ARM64_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${DIGIKIT_ARM64_SYSROOT}/usr/share/pkgconfig)
# Tests and test discovery run under qemu-user with the sysroot's libraries.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L ${DIGIKIT_ARM64_SYSROOT})
