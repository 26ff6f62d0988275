#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy) over the product code: every .cpp of base/,
# capture/, imaging/, metadata/, uploader/, hardware/ and firmware/ (tests are not
# product code). Fails on any finding. Uses its own configure-only build dir for the
# compile commands (the test build is a unity build, which names no single file).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${DIGIKIT_TIDY_BUILD:-build/tidy}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DDIGIKIT_BUILD_TESTS=OFF \
  -DDIGIKIT_BUILD_BENCHMARKS=OFF >/dev/null
mapfile -t files < <(git ls-files 'base/src/*.cpp' 'capture/src/*.cpp' 'imaging/src/*.cpp' 'metadata/src/*.cpp' \
  'uploader/src/*.cpp' 'hardware/src/*.cpp' 'firmware/src/*.cpp')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
# GCC's warning flags that clang does not know are not findings.
if ! printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p "$BUILD" --quiet \
  --extra-arg=-Wno-unknown-warning-option --warnings-as-errors='*' >"$log" 2>&1; then
  grep -E 'warning:|error:' "$log" | sort -u >&2 || cat "$log" >&2
  echo "check-tidy: clang-tidy found problems (above) in the product code" >&2
  exit 1
fi
echo "check-tidy: ${#files[@]} files clean ($(($(date +%s) - start)) s)"
