#!/bin/sh
# Rebuild the test guests' flat binaries from their nasm sources (committed next to them).
set -e
cd "$(dirname "$0")"
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install -y nasm" >&2; exit 1; }
for src in *.asm; do  # *.inc files are shared pieces, included by the guests
  nasm -f bin -o "${src%.asm}.bin" "$src"
done
echo "built: $(ls *.bin | tr '\n' ' ')"
