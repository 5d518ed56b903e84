#!/bin/sh
# Rebuild the debugger test guest (needs nasm and binutils). The ELF keeps its symbols: gdb breaks on them.
set -e
cd "$(dirname "$0")"
nasm -f elf32 -o gdbguest.o gdbguest.asm
ld -m elf_i386 -N -Ttext 0x100000 -o gdbguest.elf gdbguest.o
rm -f gdbguest.o
