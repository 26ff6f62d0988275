#!/usr/bin/env bash
# Proves a digikit .deb installs on a clean Debian 12 of its architecture:
#   scripts/check-package-install.sh ARCH DEB [HOST_DIGIKIT]
# A clean bookworm root (mmdebstrap, with systemd as on a kit; cached as a tarball) is
# unpacked afresh, `apt-get install ./DEB` resolves every dependency from Debian, then
# it checks the digikit user and its groups, /var/lib/digikit, the enabled unit, the
# conffile, and that `digikit process` there gives the same pages as HOST_DIGIKIT (the
# build on this machine) for the same photo. arm64 runs under qemu-user (binfmt_misc).
set -euo pipefail
cd "$(dirname "$0")/.."

ARCH=${1:?usage: check-package-install.sh ARCH DEB [HOST_DIGIKIT]}
DEB=$(realpath "${2:?usage: check-package-install.sh ARCH DEB [HOST_DIGIKIT]}")
HOST_DIGIKIT=${3:-}
if [ -n "$HOST_DIGIKIT" ] && [ ! -x "$HOST_DIGIKIT" ]; then
  echo "check-package-install: $HOST_DIGIKIT is not a built digikit to compare with" >&2
  exit 2
fi
CACHE=${DIGIKIT_ARM64_CACHE:-$HOME/.cache/digikit-arm64}
MIRROR=${DIGIKIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
TARBALL=$CACHE/clean-$ARCH.tar
say() { echo "check-package-install ($ARCH): $*"; }
fail() { say "FAILED: $*"; exit 1; }

mkdir -p "$CACHE"
if [ ! -f "$TARBALL" ]; then
  say "making a clean bookworm root (once)"
  mmdebstrap --quiet --format=tar --arch="$ARCH" --variant=apt --include=systemd,ca-certificates bookworm "$TARBALL.part" "$MIRROR"
  mv "$TARBALL.part" "$TARBALL"
fi

ROOTFS=$(mktemp -d /tmp/digikit-install-XXXXXX)
# The root holds bind mounts of this machine's /dev, /proc and /sys: deleting it through a
# mount still in place would delete the machine's own device nodes. So unmount (lazily
# when busy), never cross into another file system, and leave the root when a mount stays.
cleanup() {
  for m in dev/pts dev proc sys; do
    umount "$ROOTFS/$m" 2>/dev/null || umount --lazy "$ROOTFS/$m" 2>/dev/null || true
  done
  if findmnt --raw --noheadings --output TARGET | grep -q "^$ROOTFS/"; then
    say "left $ROOTFS in place: something is still mounted under it"
    return
  fi
  rm -rf --one-file-system "$ROOTFS"
}
trap cleanup EXIT
tar -C "$ROOTFS" -xf "$TARBALL"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$ROOTFS/$m"; done
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
cp "$DEB" "$ROOTFS/tmp/"
in_root() { chroot "$ROOTFS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

say "apt-get install ./$(basename "$DEB")"
in_root apt-get update -q >/dev/null
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "/tmp/$(basename "$DEB")" >/dev/null \
  || fail "apt-get install"

in_root getent passwd digikit >/dev/null || fail "no digikit user"
groups=$(in_root id -nG digikit)
for g in plugdev scanner input; do
  [[ " $groups " == *" $g "* ]] || fail "digikit is not in group $g (it is in: $groups)"
done
say "user digikit, groups: $groups"
owner=$(in_root stat -c %U /var/lib/digikit)
[ "$owner" = digikit ] || fail "/var/lib/digikit belongs to $owner"
enabled=$(in_root systemctl is-enabled digikit.service || true)
[ "$enabled" = enabled ] || fail "the unit is $enabled, not enabled"
say "systemctl is-enabled digikit: $enabled"
in_root dpkg-query --control-show digikit conffiles | grep -q /etc/digikit/digikit.toml || fail "no conffile"
in_root test -f /lib/udev/rules.d/61-digikit.rules || fail "no udev rules"
in_root digikit --help >/dev/null || fail "digikit does not run"

# The same photo through the installed digikit and through this machine's build.
PHOTO=../shared/real-photos/bsw_IMG_0002.jpg
if [ -n "$HOST_DIGIKIT" ] && [ -f "$PHOTO" ]; then
  mkdir -p "$ROOTFS/tmp/in"
  cp "$PHOTO" "$ROOTFS/tmp/in/photo.jpg"
  in_root digikit --data /tmp/data process /tmp/in --out /tmp/out --report /tmp/report.json >/dev/null \
    || fail "digikit process in the root"
  host_out=$(mktemp -d)
  "$HOST_DIGIKIT" --data "$host_out/data" process "$ROOTFS/tmp/in" --out "$host_out/out" \
    --report "$host_out/report.json" >/dev/null
  same=0
  total=0
  for f in "$host_out"/out/*; do
    total=$((total + 1))
    cmp -s "$f" "$ROOTFS/tmp/out/$(basename "$f")" && same=$((same + 1))
  done
  say "digikit process: $same of $total output files byte-identical to this machine's"
  python3 - "$host_out/report.json" "$ROOTFS/tmp/report.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["images"] for p in sys.argv[1:3])
quads = lambda images: [page["quad"] for image in images for page in image["pages"]]
qa, qb = quads(a), quads(b)
worst = max((abs(x - y) for p, q in zip(qa, qb) for c, d in zip(p, q) for x, y in zip(c, d)), default=0.0)
print(f"check-package-install: pages {len(qa)} here, {len(qb)} there; corners differ by at most {worst:.3f} px")
sys.exit(0 if len(qa) == len(qb) and worst <= 0.5 else 1)
PY
  rm -rf "$host_out"
fi
say "installs cleanly"
