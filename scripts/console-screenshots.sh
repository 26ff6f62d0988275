#!/usr/bin/env bash
# Screenshots of every console page at phone (390x844) and desktop (1280x860) size into
# docs/, taken by the browser test with larger simulated photos (their processing takes
# longer than the 2 s the test holds 800x600 photos to: scripts/console-browser-test.sh).
# Usage: scripts/console-screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
DIGIKIT_CONSOLE_SCREENSHOTS="$PWD/docs" DIGIKIT_CONSOLE_SIM_SIZE=2400x1800 DIGIKIT_CONSOLE_LATENCY_LIMIT_S=10 \
  bash scripts/console-browser-test.sh "$@"
