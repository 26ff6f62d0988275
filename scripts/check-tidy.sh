#!/usr/bin/env bash
# clang-tidy (the checks in .clang-tidy) over the product code: base/, capture/,
# imaging/, metadata/, uploader/, hardware/ and firmware/ (tests are not product code;
# bookfile/ is left out because clang cannot read qpdf 11's headers with libstdc++ 12).
# Fails on any finding. It reads the unity build's sources (one per few .cpp files, as
# the test build compiles them): clang-tidy spends most of its time in the headers every
# file includes (OpenCV, the standard library), so reading each .cpp on its own cost
# about eight times as much. The unity sources include .cpp files by design, so that one
# check is off here.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${DIGIKIT_TIDY_BUILD:-build/tidy}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCMAKE_UNITY_BUILD=ON \
  -DDIGIKIT_BUILD_TESTS=OFF -DDIGIKIT_BUILD_BENCHMARKS=OFF >/dev/null
mapfile -t files < <(ls "$BUILD"/{base,capture,imaging,metadata,uploader,hardware,firmware}/CMakeFiles/*/Unity/unity_*_cxx.cxx)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
# Findings in the product's own .hpp and .cpp files only; GCC's warning flags that clang
# does not know are not findings.
filter="$PWD/(base|capture|imaging|metadata|uploader|hardware|firmware)/.*\.(hpp|cpp)\$"
if ! printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p "$BUILD" --quiet \
  --checks=-bugprone-suspicious-include --header-filter="$filter" \
  --extra-arg=-Wno-unknown-warning-option --warnings-as-errors='*' >"$log" 2>&1; then
  grep -E 'warning:|error:' "$log" | sort -u >&2 || cat "$log" >&2
  echo "check-tidy: clang-tidy found problems (above) in the product code" >&2
  exit 1
fi
echo "check-tidy: ${#files[@]} unity sources clean ($(($(date +%s) - start)) s)"
