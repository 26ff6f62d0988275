#!/usr/bin/env bash
# Installs every system package digikit needs to build, test and run, from Debian 12
# (or Raspberry Pi OS). Idempotent: a second run installs nothing new.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  clang-format clang-tidy clang libclang-rt-14-dev
  libgphoto2-dev libusb-1.0-0-dev libsane-dev sane-utils
  libopencv-dev libtiff-dev libjpeg-dev libwebp-dev zlib1g-dev libexiv2-dev
  libcurl4-openssl-dev libsqlite3-dev sqlite3 libssl-dev
  libgpiod-dev libevdev-dev libsystemd-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libicu-dev libimage-exiftool-perl python3 python3-mwparserfromhell python3-mwclient python3-opencv
  mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml php-curl
  gphoto2 unpaper curl
  libtesseract-dev tesseract-ocr-eng tesseract-ocr-osd libqpdf-dev djvulibre-bin poppler-utils parallel
  libcpp-httplib-dev chromium chromium-driver python3-selenium
)
# `install-deps.sh --bench`: also what docs/benchmarks.md compares against (not for CI).
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(ocrmypdf)
fi

# `--print-libraries`: the -dev packages alone, one a line: what an arm64 sysroot needs
# (scripts/cross-arm64.sh), the same list as here.
if [ "${1:-}" = "--print-libraries" ]; then
  printf '%s\n' "${PACKAGES[@]}" | grep -- '-dev$'
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
