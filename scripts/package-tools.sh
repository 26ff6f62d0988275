# shellcheck shell=bash
# Sourced by scripts/package.sh and scripts/cross-arm64.sh: the tools that make and check
# a Debian package, and the manual page.

package_tools() {
  local missing=()
  for pkg in help2man lintian mmdebstrap; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "package: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# host_release BUILD_DIR [TARGET...]: this machine's Release build without tests, as packaged.
host_release() {
  local build=$1
  shift
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
    -DDIGIKIT_BUILD_TESTS=OFF -DDIGIKIT_BUILD_BENCHMARKS=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
  cmake --build "$build" -j"$(nproc)" ${1:+--target "$@"}
}

# man_page BUILD_DIR: BUILD_DIR/digikit.1.gz from the built binary's --help.
man_page() {
  local build=$1 version
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  help2man --no-info --version-string="$version" --name="controller of a book digitization kit" \
    "$build/firmware/digikit" | gzip -9n > "$build/digikit.1.gz"
}
