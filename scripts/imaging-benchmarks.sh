#!/bin/sh
# Reproduces the imaging figures of docs/benchmarks.md: a release build without
# sanitizers in its own folder, then the accuracy, comparison and speed tools.
#   scripts/imaging-benchmarks.sh [build-dir]
# The comparison runs unpaper 7 (Debian package unpaper, /usr/bin/unpaper).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$src/build-bench"}
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGIKIT_SANITIZE=OFF \
      -DDIGIKIT_BUILD_TESTS=ON -DDIGIKIT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target digikit_imaging_accuracy digikit_independent_accuracy digikit_imaging_speed \
      digikit_unpaper_comparison
bench="$build/tests/imaging/bench"
echo "== accuracy, 1500x1000, 3 seeds per kind"
"$bench/digikit_imaging_accuracy" 1500 1000 3 | grep -v '^   '
echo "== accuracy, 3000x2000, 1 seed per kind"
"$bench/digikit_imaging_accuracy" 3000 2000 1 | grep -v '^   '
echo "== accuracy on the second, independent generator, 1500x1000, 100 photos"
"$bench/digikit_independent_accuracy" 1500 1000 100
if command -v unpaper >/dev/null; then
    echo "== digikit, unpaper 7 and the textbook OpenCV scanner on the same photos, 1500x1000, 3 seeds per kind"
    "$bench/digikit_unpaper_comparison" 1500 1000 3
    echo "== the same, 3000x2000, 1 seed per kind"
    "$bench/digikit_unpaper_comparison" 3000 2000 1
else
    echo "== unpaper not installed (apt-get install unpaper): comparison skipped"
fi
echo "== speed, 24 MP"
"$bench/digikit_imaging_speed" 3 6000 4000
