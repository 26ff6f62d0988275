#!/bin/sh
# The real-photo table of docs/benchmarks.md: digikit and the textbook OpenCV scanner on
# the hand-annotated real photos (../shared/real-photos, and, when there,
# ../shared/real-photos-more or $DIGIKIT_REAL_PHOTOS_MORE and the books set
# ../shared/real-photos-books or $DIGIKIT_REAL_PHOTOS_BOOKS), scored by the shared score.py;
# a Release build without sanitizers in its own folder.
#   scripts/real-photos.sh [build-dir]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$src/build-bench"}
more=${DIGIKIT_REAL_PHOTOS_MORE:-"$src/../shared/real-photos-more"}
books=${DIGIKIT_REAL_PHOTOS_BOOKS:-"$src/../shared/real-photos-books"}
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGIKIT_SANITIZE=OFF \
      -DDIGIKIT_BUILD_TESTS=ON -DDIGIKIT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target digikit digikit_textbook_report
/usr/bin/python3 "$src/tests/imaging/real_photos/real_photos.py" --digikit "$build/firmware/digikit" \
    --textbook "$build/tests/imaging/bench/digikit_textbook_report" \
    "$src/../shared/real-photos" "?$more=$src/tests/imaging/real_photos/truth.json" \
    "?$books=$src/tests/imaging/real_photos/books.json"
