#!/usr/bin/env bash
# The Raspberry Pi budget, measured: instructions per pipeline stage for one 24 MP photo,
# counted under qemu-user by a small TCG plugin (tests/bench/qemu_insn_count.c) for the
# x86-64 build and for the arm64 build, with the Cortex-A72 estimate (instructions /
# (1.5 GHz x IPC); IPC 1 unless DIGIKIT_A72_IPC says otherwise). Instruction counts do not
# depend on what else the machine is doing.
#   scripts/pi-budget.sh            (runs scripts/cross-arm64.sh --test first if needed)
set -euo pipefail
cd "$(dirname "$0")/.."

ARM_BUILD=${DIGIKIT_ARM64_BUILD:-build/arm64}
X86_BUILD=build/pi-budget
SYSROOT=${DIGIKIT_ARM64_CACHE:-$HOME/.cache/digikit-arm64}/sysroot
IPC=${DIGIKIT_A72_IPC:-1.0}
WORK=$(mktemp -d /tmp/digikit-pi-budget-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The counting plugin needs Debian's dynamically linked qemu-user: qemu-user-static (what
# cross-arm64.sh runs the suite with) cannot load plugins.
if ! command -v qemu-x86_64 >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  echo "pi-budget: installing qemu-user (for its TCG plugins)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends qemu-user >/dev/null
fi
if [ ! -x "$ARM_BUILD/tests/imaging/bench/digikit_stage_cost" ]; then bash scripts/cross-arm64.sh --test; fi
cmake -S . -B "$X86_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGIKIT_BUILD_TESTS=ON \
  -DDIGIKIT_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$X86_BUILD" --target digikit digikit_stage_cost >/dev/null
cc -O2 -shared -fPIC -fvisibility=hidden -o "$WORK/libqemu_insn_count.so" tests/bench/qemu_insn_count.c

# One 24 MP photo from the simulated camera, and its pages' corners.
cat > "$WORK/kit.toml" <<TOML
data_dir = "$WORK/data"
[[device]]
type = "sim"
serial = "SIM-BUDGET"
seed = 7
TOML
"$X86_BUILD/firmware/digikit" --config "$WORK/kit.toml" capture --out "$WORK/photo.jpg" >/dev/null
"$X86_BUILD/firmware/digikit" --data "$WORK/data" process "$WORK/photo.jpg" --out "$WORK/pages" \
  --report "$WORK/report.json" >/dev/null
mapfile -t QUADS < <(python3 -c '
import json, sys
for image in json.load(open(sys.argv[1]))["images"]:
    for page in image["pages"]:
        print(",".join(f"{x:.2f},{y:.2f}" for x, y in page["quad"]))' "$WORK/report.json")

count() {  # ARCH STAGE COMPRESSION LEVEL -> instructions
  local arch=$1 stage=$2 out="$WORK/count"
  if [ "$arch" = x86 ]; then
    qemu-x86_64 -plugin "$WORK/libqemu_insn_count.so,out=$out" \
      "$X86_BUILD/tests/imaging/bench/digikit_stage_cost" "$stage" "$WORK/photo.jpg" "$WORK/out" "$3" "$4" "${QUADS[@]}"
  else
    qemu-aarch64 -L "$SYSROOT" -plugin "$WORK/libqemu_insn_count.so,out=$out" \
      "$ARM_BUILD/tests/imaging/bench/digikit_stage_cost" "$stage" "$WORK/photo.jpg" "$WORK/out" "$3" "$4" "${QUADS[@]}"
  fi
  cat "$out"
}

declare -A N
stages=(start tables decode warp jpeg first_look)
variants=("deflate 6" "deflate 1" "lzw 1" "none 1")
for arch in x86 arm64; do
  for stage in "${stages[@]}"; do N[$arch,$stage]=$(count "$arch" "$stage" deflate 6); done
  for v in "${variants[@]}"; do
    read -r comp level <<< "$v"
    N[$arch,tiff,$comp$level]=$(count "$arch" tiff "$comp" "$level")
    N[$arch,pipeline,$comp$level]=$(count "$arch" pipeline "$comp" "$level")
  done
done

g() { python3 -c "print(f'{$1/1e9:.2f}')"; }
a72() { python3 -c "print(f'{$1/(1.5e9*$IPC):.2f}')"; }
echo "one 24 MP photo ($(python3 -c "import json;print(sum(len(i['pages']) for i in json.load(open('$WORK/report.json'))['images']))" ) page(s)), one thread; 1e9 instructions; Cortex-A72 estimate at 1.5 GHz, IPC $IPC"
printf "%-28s %8s %8s %10s\n" "stage" "x86-64" "arm64" "A72 s"
row() { printf "%-28s %8s %8s %10s\n" "$1" "$(g "$2")" "$(g "$3")" "$(a72 "$3")"; }
row "process start (libraries)" "${N[x86,start]}" "${N[arm64,start]}"
row "OpenCV tables (once, at start)" "$(( N[x86,tables] - N[x86,start] ))" "$(( N[arm64,tables] - N[arm64,start] ))"
row "decode" "$(( N[x86,decode] - N[x86,tables] ))" "$(( N[arm64,decode] - N[arm64,tables] ))"
row "warp" "$(( N[x86,warp] - N[x86,decode] ))" "$(( N[arm64,warp] - N[arm64,decode] ))"
for v in "${variants[@]}"; do
  read -r comp level <<< "$v"
  label="TIFF $comp"
  [ "$comp" = deflate ] && label+=" level $level"
  row "$label" "$(( N[x86,tiff,$comp$level] - N[x86,warp] ))" "$(( N[arm64,tiff,$comp$level] - N[arm64,warp] ))"
done
row "JPEG access copy" "$(( N[x86,jpeg] - N[x86,tiff,deflate6] ))" "$(( N[arm64,jpeg] - N[arm64,tiff,deflate6] ))"
row "first look" "$(( N[x86,first_look] - N[x86,tables] ))" "$(( N[arm64,first_look] - N[arm64,tables] ))"
for v in "${variants[@]}"; do
  read -r comp level <<< "$v"
  label="whole pipeline, $comp"
  [ "$comp" = deflate ] && label+=" $level"
  row "$label" "$(( N[x86,pipeline,$comp$level] - N[x86,tables] ))" "$(( N[arm64,pipeline,$comp$level] - N[arm64,tables] ))"
done
echo "floor ratio (pipeline / (decode + warp + TIFF + JPEG)), deflate 6, arm64: $(python3 -c "
s=${N[arm64,tables]}; print(f'{(${N[arm64,pipeline,deflate6]}-s)/(${N[arm64,jpeg]}-s):.3f}')")"
