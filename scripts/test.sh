#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with
# AddressSanitizer + UndefinedBehaviorSanitizer, warnings as errors, as a unity build,
# checks the formatting, then runs every test with ctest, then the fuzzers for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/check-format.sh

BUILD=${DIGIKIT_TEST_BUILD:-build/test}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DDIGIKIT_SANITIZE=ON -DDIGIKIT_WERROR=ON -DCMAKE_UNITY_BUILD=ON -DDIGIKIT_BUILD_BENCHMARKS=ON
cmake --build "$BUILD" -j"$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 900

# The fuzzers, from their seed corpora, about two minutes in all (a clang build of their own).
bash scripts/fuzz.sh
