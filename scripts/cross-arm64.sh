#!/usr/bin/env bash
# The kit's build: digikit for arm64 (Raspberry Pi OS = Debian 12), cross-built here.
#
#   scripts/cross-arm64.sh              cross-build the binary and the test suites
#   scripts/cross-arm64.sh --test       ... and run the whole suite under qemu-aarch64
#   scripts/cross-arm64.sh --package    ... and make dist/digikit_<version>_arm64.deb, then
#                                       prove it installs in a clean arm64 root
#
# The first run builds an arm64 Debian root holding the -dev packages that
# scripts/install-deps.sh names (mmdebstrap; about 10 minutes, cached in
# $DIGIKIT_ARM64_CACHE, default ~/.cache/digikit-arm64, rebuilt when that list changes).
# libopencv-dev:arm64 cannot be installed beside the native one, hence a root of its own
# as the sysroot rather than multiarch. Idempotent: run it again and it does only what
# changed. Needs root (mmdebstrap, binfmt_misc) and Debian's archive.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TEST=0
PACKAGE=0
for arg in "$@"; do
  case "$arg" in
    --test) TEST=1 ;;
    --package) PACKAGE=1 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "cross-arm64: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

CACHE=${DIGIKIT_ARM64_CACHE:-$HOME/.cache/digikit-arm64}
SYSROOT=$CACHE/sysroot
BUILD=${DIGIKIT_ARM64_BUILD:-build/arm64}
MIRROR=${DIGIKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm

say() { echo "cross-arm64: $*"; }
# shellcheck source=scripts/package-tools.sh
. scripts/package-tools.sh

host_tools() {
  bash scripts/install-deps.sh >/dev/null
  package_tools
  local tools=(crossbuild-essential-arm64 mmdebstrap arch-test qemu-user-static binfmt-support)
  local missing=()
  for pkg in "${tools[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # arm64 programs (the sysroot's maintainer scripts, the tests' own digikit) run
  # through binfmt_misc and qemu-user.
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  # With F (fix binary) the kernel holds the interpreter open, so it also serves inside a
  # chroot: update-binfmts may register it without, hence Debian's own line, as is.
  if ! grep -q "^flags:.*F" /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo -1 > /proc/sys/fs/binfmt_misc/qemu-aarch64
    cat /usr/lib/binfmt.d/qemu-aarch64.conf > /proc/sys/fs/binfmt_misc/register
  fi
}

# Absolute symlinks (BLAS/LAPACK alternatives, libz.so) point into the host's / when the
# root is used as a sysroot: make them relative to the root.
relative_symlinks() {
  local root=$1 link target
  find "$root" -xdev -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
  done
}

sysroot() {
  local packages wanted
  packages=$( (bash scripts/install-deps.sh --print-libraries; echo dpkg-dev) | sort -u | paste -sd, -)
  wanted=$(echo "$SUITE $packages" | sha256sum | cut -c1-16)
  if [ -f "$SYSROOT/.digikit-sysroot" ] && [ "$(cat "$SYSROOT/.digikit-sysroot")" = "$wanted" ]; then
    say "sysroot $SYSROOT is up to date"
    return
  fi
  if [ -f "$SYSROOT/.digikit-sysroot" ]; then
    # The list grew or changed: apt in the root itself (under qemu) adds what is new.
    say "updating the arm64 sysroot in $SYSROOT"
    cp /etc/resolv.conf "$SYSROOT/etc/resolv.conf"
    chroot "$SYSROOT" apt-get update -q >/dev/null
    chroot "$SYSROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      ${packages//,/ } >/dev/null
  else
    say "making the arm64 sysroot in $SYSROOT (once; 10 minutes on a quiet machine)"
    rm -rf "$SYSROOT"
    mkdir -p "$CACHE"
    mmdebstrap --quiet --arch=arm64 --variant=apt --include="$packages" "$SUITE" "$SYSROOT" "$MIRROR"
  fi
  relative_symlinks "$SYSROOT"
  echo "$wanted" > "$SYSROOT/.digikit-sysroot"
}

cross_build() {
  local tests=OFF
  [ "$TEST" = 1 ] && tests=ON
  say "cross-building in $BUILD (tests $tests)"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$ROOT/cmake/toolchains/aarch64-linux-gnu.cmake" \
    -DDIGIKIT_ARM64_SYSROOT="$SYSROOT" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DDIGIKIT_BUILD_TESTS=$tests -DDIGIKIT_BUILD_BENCHMARKS=$tests -DCMAKE_UNITY_BUILD=ON >/dev/null
  cmake --build "$BUILD" -j"$(nproc)"
  file "$BUILD/firmware/digikit" | grep -q "ARM aarch64" || { say "the binary is not arm64"; exit 1; }
}

run_tests() {
  say "running the suite under qemu-aarch64"
  # Programs the tests start (the digikit binary, the emulator) are arm64 too: qemu finds
  # their libraries in the sysroot through QEMU_LD_PREFIX; host tools ignore it.
  QEMU_LD_PREFIX=$SYSROOT ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 1800
}

# Depends computed from the arm64 binary by dpkg-shlibdeps inside the arm64 root.
arm64_depends() {
  local work=$SYSROOT/tmp/digikit-shlibdeps
  rm -rf "$work"
  mkdir -p "$work/debian"
  cp "$BUILD/firmware/digikit" "$work/digikit"
  printf 'Source: digikit\n\nPackage: digikit\nArchitecture: arm64\n' > "$work/debian/control"
  chroot "$SYSROOT" sh -c 'cd /tmp/digikit-shlibdeps && dpkg-shlibdeps -O digikit' | sed -n 's/^shlibs:Depends=//p'
  rm -rf "$work"
}

make_package() {
  local depends
  depends=$(arm64_depends)
  [ -n "$depends" ] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
  say "Depends: $depends"
  cmake "$BUILD" -DDIGIKIT_PACKAGE_SHLIBDEPS="$depends" >/dev/null
  QEMU_LD_PREFIX=$SYSROOT man_page "$BUILD"
  (cd "$BUILD" && cpack -G DEB >/dev/null)
  mkdir -p dist
  cp "$BUILD"/digikit_*_arm64.deb dist/
  local deb
  deb=$(ls -t dist/digikit_*_arm64.deb | head -n 1)
  say "package: $deb"
  lintian "$deb"
  # The install check compares the kit's pages with this machine's build of the same source.
  local host=${DIGIKIT_PACKAGE_BUILD:-build/package}
  host_release "$host" digikit
  bash scripts/check-package-install.sh arm64 "$deb" "$host/firmware/digikit"
}

host_tools
sysroot
cross_build
# A failed suite still lets the package be made and checked, so that one run tells both;
# the script then exits with the suite's status.
suite=0
if [ "$TEST" = 1 ]; then run_tests || suite=$?; fi
if [ "$PACKAGE" = 1 ]; then make_package; fi
if [ "$suite" != 0 ]; then say "the suite failed under qemu (see above)"; exit "$suite"; fi
say "done"
