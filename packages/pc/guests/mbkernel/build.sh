#!/bin/sh
# Rebuild mbkernel.elf from kernel.c with Debian's gcc -m32 (apt-get install -y gcc-multilib).
set -eu
cd "$(dirname "$0")"
gcc -m32 -std=c11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
  -fno-asynchronous-unwind-tables -nostdlib -static -no-pie \
  -Wl,-T,link.ld -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
  -o mbkernel.elf kernel.c
echo "built $(pwd)/mbkernel.elf ($(wc -c < mbkernel.elf) bytes)"
