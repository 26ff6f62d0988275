#!/usr/bin/env bash
# Screenshots of every console page at phone (390x844) and desktop (1280x860) size into
# docs/, taken by the browser test (tests/firmware/console_browser_test.py) against a
# real daemon with two simulated cameras. Usage: scripts/console-screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
bash scripts/install-deps.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGIKIT_BUILD_TESTS=OFF -DDIGIKIT_BUILD_BENCHMARKS=OFF
cmake --build "$BUILD" --target digikit
DIGIKIT_BINARY="$BUILD/firmware/digikit" DIGIKIT_SOURCE_DIR="$PWD" DIGIKIT_CONSOLE_SCREENSHOTS="$PWD/docs" \
  DIGIKIT_CONSOLE_SIM_SIZE=2400x1800 /usr/bin/python3 tests/firmware/console_browser_test.py
