#!/usr/bin/env bash
# The console in headless Chromium against an optimized digikit (the 2 s from Capture to
# the new spread on a phone is the product's latency, not a sanitizer build's).
# Usage: scripts/console-browser-test.sh [BUILD_DIR]; DIGIKIT_CONSOLE_SCREENSHOTS=DIR also
# saves every page at phone and desktop size (scripts/console-screenshots.sh: into docs/).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/product}
bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON
cmake --build "$BUILD" --target digikit
DIGIKIT_CONSOLE_BINARY="$PWD/$BUILD/firmware/digikit" DIGIKIT_SOURCE_DIR="$PWD" \
  /usr/bin/python3 tests/firmware/console_browser_test.py
