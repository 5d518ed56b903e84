#!/bin/sh
# Assemble every test guest: guests/src/NAME.asm -> guests/bin/NAME.bin (flat ROM images).
# Needs nasm (Debian: apt-get install -y nasm). The .bin files are committed so tests never need nasm.
set -eu
cd "$(dirname "$0")"
command -v nasm >/dev/null || { echo "nasm is missing: apt-get install -y nasm" >&2; exit 1; }
mkdir -p bin
for src in src/*.asm; do
  name=$(basename "$src" .asm)
  nasm -f bin -w-number-overflow -I . -l "bin/$name.lst" -o "bin/$name.bin" "$src"
  echo "built bin/$name.bin"
done
# The randomized test's runner is not a guest on its own (it calls generated code).
nasm -f bin -w-number-overflow -I . -l random/runner.lst -o random/runner.bin random/runner.asm
echo "built random/runner.bin"
nasm -f bin -w-number-overflow -I . -l random/x87-runner.lst -o random/x87-runner.bin random/x87-runner.asm
echo "built random/x87-runner.bin"
# The block compiler's memory-bound guest (not checked against QEMU: it may run forever).
nasm -f bin -w-number-overflow -I . -l jit/codegen.lst -o jit/codegen.bin jit/codegen.asm
echo "built jit/codegen.bin"
