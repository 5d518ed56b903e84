#!/usr/bin/env bash
# Rebuilds every guest ROM (*.asm -> *.bin) with nasm from Debian. The .bin files are committed so
# tests never need nasm; after changing a guest, rebuild and regenerate its QEMU fixture:
#   bash guests/build.sh && bash scripts/regenerate-fixtures.sh
set -euo pipefail
cd "$(dirname "$0")"
command -v nasm >/dev/null || { apt-get update -qq && apt-get install -y -qq nasm; }
for src in *.asm; do
  # number-overflow: the reset-vector jump relies on 16-bit IP wrap-around on purpose.
  nasm -w-number-overflow -f bin -o "${src%.asm}.bin" "$src"
done
