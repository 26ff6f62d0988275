#!/usr/bin/env bash
# The console in headless Chromium against an optimized digikit, held to the issue's 2 s
# from Capture to the new spread on a phone (ctest runs the same test against its own
# build; a sanitizer build gets a looser bound there).
# Usage: scripts/console-browser-test.sh [BUILD_DIR]; DIGIKIT_CONSOLE_SCREENSHOTS=DIR also
# saves every page at phone and desktop size (scripts/console-screenshots.sh: into docs/).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/product}
bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" --target digikit
DIGIKIT_BINARY="$PWD/$BUILD/firmware/digikit" DIGIKIT_SOURCE_DIR="$PWD" DIGIKIT_CONSOLE_LATENCY_LIMIT_S=${DIGIKIT_CONSOLE_LATENCY_LIMIT_S:-2} \
  /usr/bin/python3 tests/firmware/console_browser_test.py
