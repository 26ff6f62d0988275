#!/usr/bin/env bash
# The fuzzers of tests/fuzz/: a clang build of their own (libFuzzer, ASan + UBSan) in
# build/fuzz, then each fuzzer from its seed corpus for DIGIKIT_FUZZ_SECONDS seconds
# (default 24), as many at once as there are cores (one core each: a minute in all on
# two), from seed DIGIKIT_FUZZ_SEED (default 1). The seed does
# not make two runs alike: how far 24 s get depends on the machine, so a run can find what
# an earlier one did not (session 8: seed 1 passed twice here, then found a config bug in
# a fresh clone). New inputs go to a temporary folder, never into
# the committed corpus. A crash fails the script and keeps the input in
# build/fuzz/findings/; once fixed, copy it to tests/fuzz/regressions/<target>/ and the
# normal test build replays it from then on (ctest -R fuzz_replay).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${DIGIKIT_FUZZ_BUILD:-build/fuzz}
SECONDS_EACH=${DIGIKIT_FUZZ_SECONDS:-24}
SEED=${DIGIKIT_FUZZ_SEED:-1}
TARGETS=(config book_toml photo_header wiki_response control_request)

CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDIGIKIT_SANITIZE=ON -DDIGIKIT_BUILD_FUZZERS=ON -DDIGIKIT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD" -j"${DIGIKIT_FUZZ_JOBS:-$(nproc)}" --target "${TARGETS[@]/#/fuzz_}"

mkdir -p "$BUILD/findings"

# One fuzzer for its time; its line (and on a finding the end of its log) goes to
# findings/TARGET.result, so that fuzzers running side by side do not mix their output.
fuzz_one() {
  local target=$1 work log result
  work=$(mktemp -d)
  log="$BUILD/findings/$target.log"
  result="$BUILD/findings/$target.result"
  if "$BUILD/tests/fuzz/fuzz_$target" -max_total_time="$SECONDS_EACH" -seed="$SEED" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$BUILD/findings/$target-" "$work" "tests/fuzz/corpus/$target" \
      >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz $target: $runs executions in ${SECONDS_EACH} s, nothing found" >"$result"
  else
    { echo "fuzz $target: FOUND A FAILURE (input kept in $BUILD/findings/); the end of its log:"; tail -40 "$log"; } \
      >"$result"
  fi
  rm -rf "$work"
}

rm -f "$BUILD"/findings/*.result
slots=$(nproc)
for target in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$slots" ]; do wait -n || true; done
  fuzz_one "$target" &
done
wait
failed=0
for target in "${TARGETS[@]}"; do
  cat "$BUILD/findings/$target.result"
  if grep -q "FOUND A FAILURE" "$BUILD/findings/$target.result"; then failed=1; fi
done
exit $failed
