#!/usr/bin/env bash
# A complete simulated scanning session: installs what is missing, builds digikit, starts
# the daemon with two simulated 24 MP cameras (left and right), prepares a book, presses
# New book, Capture ten times, Retake, End book, syncs the book to a MediaWiki started
# on 127.0.0.1 (as the tests do), and prints what was captured, processed, uploaded and
# where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

bash scripts/install-deps.sh >/dev/null
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDIGIKIT_BUILD_TESTS=OFF -DDIGIKIT_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target digikit | tail -1

DIGIKIT="$ROOT/build/release/firmware/digikit"
DEMO=${DIGIKIT_DEMO_DIR:-$ROOT/demo}
WIDTH=${DIGIKIT_DEMO_WIDTH:-6000}
HEIGHT=${DIGIKIT_DEMO_HEIGHT:-4000}
if [ -f "$DEMO/digikit.toml" ] && "$DIGIKIT" --config "$DEMO/digikit.toml" status >/dev/null 2>&1; then
  echo "demo: a digikit daemon is still running on $DEMO/data (an earlier demo?); stop it before starting again" >&2
  exit 1
fi
if [ -f "$DEMO/wiki/wiki.env" ]; then bash scripts/mediawiki-test-server.sh stop "$DEMO/wiki" >/dev/null 2>&1 || true; fi
rm -rf "$DEMO"
mkdir -p "$DEMO"
echo "starting a local MediaWiki for the upload..."
bash scripts/mediawiki-test-server.sh start "$DEMO/wiki" >/dev/null
# shellcheck disable=SC1091
. "$DEMO/wiki/wiki.env"
cat > "$DEMO/digikit.toml" <<TOML
data_dir = "$DEMO/data"
[commons]
api_url = "$API_URL"
credentials_file = "$DEMO/wiki/credentials.toml"
[metadata]
institution = "National Library of Example"
license = "PD-old-70"
categories = ["Scans by the Example kit"]
[[device]]
type = "sim"
serial = "SIM-LEFT-0001"
role = "left"
width = $WIDTH
height = $HEIGHT
seed = 11
[[device]]
type = "sim"
serial = "SIM-RIGHT-0002"
role = "right"
width = $WIDTH
height = $HEIGHT
seed = 12
TOML
kit() { "$DIGIKIT" --config "$DEMO/digikit.toml" "$@"; }
status_field() { kit status --json | python3 -c "import json,sys; s=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

BOOK=$(kit book new --title "A Flora of the Example Valley" --author "Jane Example" --year 1887 --language en)
echo "prepared book $BOOK"

# The binary itself in the background (not the kit function: $! would then be a subshell
# whose death leaves digikit running on $DEMO/data).
"$DIGIKIT" --config "$DEMO/digikit.toml" run >"$DEMO/daemon.log" 2>&1 &
DAEMON=$!
trap '{ kill $DAEMON 2>/dev/null && wait $DAEMON; } || true; bash scripts/mediawiki-test-server.sh stop "$DEMO/wiki" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 100); do kit status >/dev/null 2>&1 && break; sleep 0.1; done
echo "daemon running (pid $DAEMON, log $DEMO/daemon.log)"

kit press new-book
for i in $(seq 10); do
  start=$(date +%s%N)
  kit press capture >/dev/null
  echo "capture $i acknowledged in $(( ($(date +%s%N) - start) / 1000000 )) ms (both raw files durable)"
done
kit press retake
echo "waiting for the background processing..."
while [ "$(status_field 's["processing_backlog"]')" != "0" ]; do sleep 0.5; done
kit status
kit press end-book
kill -TERM $DAEMON && wait $DAEMON || true
echo "syncing to the local wiki at $API_URL ..."
kit sync --once
URLS=$(kit queue --json | python3 -c "
import json, sys, urllib.parse
base = sys.argv[1].rsplit('/', 1)[0]
for item in json.load(sys.stdin):
    if item['state'] == 'published':
        print(base + '/index.php?title=File:' + urllib.parse.quote(item['published_name'].replace(' ', '_')))
" "$API_URL")
trap - EXIT

BOOK_DIR="$DEMO/data/books/$BOOK"
RAW=$(find "$BOOK_DIR/raw" -name '*.jpg' | wc -l)
MASTERS=$(find "$BOOK_DIR/pages" -name '*.tif' | wc -l)
ACCESS=$(find "$BOOK_DIR/pages" -name '*.jpg' | wc -l)
echo
echo "=== digikit demo summary ==="
echo "book:        $BOOK \"A Flora of the Example Valley\" (closed)"
echo "captured:    10 spreads by 2 cameras, 1 retake: $RAW raw photos in $BOOK_DIR/raw"
echo "processed:   $MASTERS TIFF masters and $ACCESS JPEG access copies in $BOOK_DIR/pages"
echo "uploaded:    $(echo "$URLS" | grep -c . ) pages to the local wiki, e.g."
echo "$URLS" | head -3 | sed 's/^/             /'
echo "             (the wiki keeps running: scripts/mediawiki-test-server.sh stop $DEMO/wiki)"
echo "metadata:    $BOOK_DIR/book.toml"
echo "index:       $DEMO/data/digikit.sqlite"
echo "look at:     $DIGIKIT --config $DEMO/digikit.toml book show $BOOK"
