#!/bin/sh
# Rebuild mbelf.elf with exactly the recipe of issue 10 (Debian's nasm and binutils:
# apt-get install -y nasm binutils). Do not add a linker script: the point of this guest is the
# PT_LOAD at 0xFF000 that ld's default script gives it.
set -eu
cd "$(dirname "$0")"
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install -y nasm" >&2; exit 1; }
nasm -f elf32 -Werror -o mbelf.o mbelf.asm
ld -m elf_i386 -Ttext=0x100000 -e _start -o mbelf.elf mbelf.o
rm -f mbelf.o
echo "built $(pwd)/mbelf.elf ($(wc -c < mbelf.elf) bytes)"
