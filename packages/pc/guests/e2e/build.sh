#!/bin/sh
# Rebuild the end-to-end test guests from their sources. Needs nasm (apt-get install -y nasm).
set -eu
cd "$(dirname "$0")"
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install -y nasm" >&2; exit 1; }
for g in snapguest resetguest romguest bootsector apicguest irqguest nmiguest nmireal; do
  nasm -f bin -Werror -o "$g.bin" "$g.asm"
  echo "built $(pwd)/$g.bin ($(wc -c < "$g.bin") bytes)"
done
