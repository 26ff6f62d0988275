#!/bin/sh
# Reproduces the book-file figures of docs/benchmarks.md: a release build without
# sanitizers in its own folder, then digikit's OCR, DjVu and PDF beside ocrmypdf on the
# same pages.   scripts/book-file-benchmark.sh [build-dir] [PAGES [WIDTH HEIGHT]]
# ocrmypdf comes from `scripts/install-deps.sh --bench`.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$src/build-bench"}
[ $# -gt 0 ] && shift
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGIKIT_SANITIZE=OFF \
      -DDIGIKIT_BUILD_TESTS=ON -DDIGIKIT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target digikit_book_file_benchmark
command -v ocrmypdf >/dev/null || { echo "ocrmypdf is missing: scripts/install-deps.sh --bench" >&2; exit 1; }
"$build/tests/bookfile/digikit_book_file_benchmark" "$@"
