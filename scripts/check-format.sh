#!/usr/bin/env bash
# Fails when a C++ file does not follow .clang-format. Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find . -name '*.[ch]pp' -not -path './build*')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/digikit-format.log; then
  grep -m 10 'error:' /tmp/digikit-format.log >&2 || true
  echo "check-format: files differ from .clang-format (run scripts/check-format.sh --fix)" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
