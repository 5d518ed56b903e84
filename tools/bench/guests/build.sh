#!/bin/sh
# Rebuilds the benchmark guests (ELF32 Multiboot v1 kernels) from their sources.
# Needs nasm and binutils (ld); installs nasm with apt-get when it is missing.
# After changing int.asm, also rerun: node count-instructions.mjs  (needs qemu-system-i386).
set -eu
cd "$(dirname "$0")"
command -v nasm >/dev/null || apt-get install -y nasm
ITER=${BENCH_ITERATIONS:-640}
build() { # name, nasm source, extra nasm flags...
  out=$1; src=$2; shift 2
  nasm -f elf32 -w+all "$@" -o "$out.o" "$src"
  ld -m elf_i386 -z noseparate-code --no-warn-rwx-segments --build-id=none -n -T linker.ld -o "$out.elf" "$out.o"
  rm -f "$out.o"
}
build tiny tiny.asm
build int int.asm -DITERATIONS="$ITER"
build paging int.asm -DPAGING -DITERATIONS="$ITER"
build portio portio.asm -DCOUNT=100000
build portio-quick portio.asm -DCOUNT=1000   # smoke test only
build portio-base portio.asm -DCOUNT=0
build fill fill.asm -DFILL_END='(256 << 20)'
echo "built: $(ls *.elf | tr '\n' ' ')"
