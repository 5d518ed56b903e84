#!/bin/sh
# Rebuild the CLI's test guests (needs nasm and binutils). The ELFs keep their symbols: gdb breaks on them.
set -e
cd "$(dirname "$0")"
nasm -f elf32 -o gdbguest.o gdbguest.asm
ld -m elf_i386 -N -Ttext 0x100000 -o gdbguest.elf gdbguest.o
rm -f gdbguest.o
nasm -f elf32 -o tsccal.o tsccal.asm
ld -m elf_i386 -N -Ttext 0x100000 -o tsccal.elf tsccal.o
rm -f tsccal.o
