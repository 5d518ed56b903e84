#!/bin/sh
# Rebuild the demo guest from its source. Needs nasm (Debian: apt-get install -y nasm).
set -eu
cd "$(dirname "$0")"
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install -y nasm" >&2; exit 1; }
nasm -f bin -Werror -o demo.bin demo.asm
echo "built $(pwd)/demo.bin ($(wc -c < demo.bin) bytes)"
