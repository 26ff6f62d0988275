#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds with
# AddressSanitizer + UndefinedBehaviorSanitizer (UBSan on the product's code only,
# cmake/Warnings.cmake), warnings as errors, as a unity build,
# checks the formatting and runs clang-tidy over the product code (DIGIKIT_TIDY=0 leaves
# it out), then runs every test with ctest, then the fuzzers for a bounded time
# (DIGIKIT_FUZZ=0 leaves them out), then the daemon, uploader and hardware under
# ThreadSanitizer (DIGIKIT_TSAN=0 leaves it out).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's start, in seconds since this script began: CI's log then shows where its
# time goes (the budget is 40 minutes on two cores, docs/benchmarks.md).
stage() { echo "== test.sh: $1 (at $SECONDS s)"; }

stage "install and format"
bash scripts/install-deps.sh
bash scripts/check-format.sh

BUILD=${DIGIKIT_TEST_BUILD:-build/test}
# Line tables only (-g1): all a sanitizer's report needs, and a fifth less compile than -g.
DEBUG_INFO=(-DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1)
stage "sanitized build"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug "${DEBUG_INFO[@]}" \
  -DDIGIKIT_SANITIZE=ON -DDIGIKIT_WERROR=ON -DCMAKE_UNITY_BUILD=ON -DDIGIKIT_BUILD_BENCHMARKS=ON
cmake --build "$BUILD" -j"$(nproc)"

# clang-tidy (.clang-tidy) before the tests, so that a finding fails the run early: about
# two minutes at -j2 (docs/benchmarks.md).
if [ "${DIGIKIT_TIDY:-1}" = 1 ]; then
  stage "clang-tidy"
  bash scripts/check-tidy.sh
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# ctest starts the longest tests first when it knows their times: a fresh build dir gets the
# times of a whole run (tests/ctest-costs.txt, refreshed now and then from a build's
# Testing/Temporary/CTestCostData.txt), so no long test starts last while a core idles.
mkdir -p "$BUILD/Testing/Temporary"
[ -f "$BUILD/Testing/Temporary/CTestCostData.txt" ] || cp tests/ctest-costs.txt "$BUILD/Testing/Temporary/CTestCostData.txt"
# A test that times out runs once more (it still fails if it hangs again): SANE's test
# backend can still, rarely, hang a failing scan's process (see tests/capture/CMakeLists.txt).
stage "ctest"
ctest --test-dir "$BUILD" -j"$(nproc)" --output-on-failure --timeout 900 --repeat after-timeout:2

# The fuzzers, from their seed corpora: 24 s each, one per core at once, about four
# minutes with their clang build. What one finds fails the run, with the input kept (see scripts/fuzz.sh). The seed corpora and every regression also run above, through the normal build
# (ctest fuzz_replay_*).
if [ "${DIGIKIT_FUZZ:-1}" = 1 ]; then
  stage "fuzzers"
  bash scripts/fuzz.sh
fi

# ThreadSanitizer: the threads of docs/threads.md (DIGIKIT_TSAN=0 leaves it out). The
# uploader and hardware suites run in a TSan build; the daemon flows that work its threads
# hardest (socket, press loop, processing, sync, console; kills and restarts) run from the
# build above against the TSan build's digikit (DIGIKIT_TEST_BINARY), so the daemon and
# every command they start are checked without building the firmware suite twice. About
# six minutes at -j2 with a cold compiler cache (docs/benchmarks.md, session 11).
if [ "${DIGIKIT_TSAN:-1}" = 1 ]; then
  TSAN_BUILD=${DIGIKIT_TSAN_BUILD:-build/tsan}
  stage "ThreadSanitizer build and tests"
  cmake -S . -B "$TSAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug "${DEBUG_INFO[@]}" -DDIGIKIT_TSAN=ON -DDIGIKIT_WERROR=ON \
    -DCMAKE_UNITY_BUILD=ON -DDIGIKIT_BUILD_BENCHMARKS=OFF
  cmake --build "$TSAN_BUILD" -j"$(nproc)" --target digikit hardware_tests uploader_tests
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"
  # These mostly wait (timeouts, retries): twice the cores.
  ctest --test-dir "$TSAN_BUILD" -L '^(hardware|uploader)_tests$' -j"$(($(nproc) * 2))" --output-on-failure \
    --timeout 900
  DIGIKIT_TEST_BINARY="$(cd "$TSAN_BUILD" && pwd)/firmware/digikit" ctest --test-dir "$BUILD" -j"$(nproc)" \
    --output-on-failure --timeout 900 -L '^(firmware|console)_tests$' -E console_browser \
    -R 'DaemonRobustnessTest|DaemonTest|DaemonSession.AcknowledgedCaptures|EveryPageOnce[.]|SyncSession|Publish.Three|BookValidation.AHandBroken|DiskFull|ConsoleTest'
fi
stage "all passed"
