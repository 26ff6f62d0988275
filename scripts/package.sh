#!/usr/bin/env bash
# Builds the Debian package for this machine's architecture:
# dist/digikit_<version>_<arch>.deb (a Release build without tests, CPack DEB, Depends
# computed from the binary by dpkg-shlibdeps, a manual page from --help), and checks it
# with lintian. `--check-install` then installs it in a clean Debian 12 root
# (scripts/check-package-install.sh). For the Raspberry Pi: scripts/cross-arm64.sh --package.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
# shellcheck source=scripts/package-tools.sh
. scripts/package-tools.sh
package_tools
BUILD=${DIGIKIT_PACKAGE_BUILD:-build/package}
host_release "$BUILD"
man_page "$BUILD"
(cd "$BUILD" && cpack -G DEB >/dev/null)
mkdir -p dist
deb=$(ls -t "$BUILD"/digikit_*.deb | head -n 1)
cp "$deb" dist/
echo "package: dist/$(basename "$deb")"
dpkg-deb --field "dist/$(basename "$deb")" Package Version Architecture Depends
lintian "dist/$(basename "$deb")"
if [ "${1:-}" = "--check-install" ]; then
  bash scripts/check-package-install.sh amd64 "dist/$(basename "$deb")" "$BUILD/firmware/digikit"
fi
