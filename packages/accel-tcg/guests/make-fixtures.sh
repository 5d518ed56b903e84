#!/bin/sh
# Run every guest ROM under QEMU (TCG, the independent reference) and record what it prints on
# the debug console plus its exit status: guests/expected/NAME.txt and NAME.status.
# Usage: guests/make-fixtures.sh [NAME...]   (needs qemu-system-i386: apt-get install -y qemu-system-x86)
set -eu
cd "$(dirname "$0")"
mkdir -p expected
names="$*"
[ -n "$names" ] || names=$(for f in bin/*.bin; do basename "$f" .bin; done)
for name in $names; do
  # Guests whose reference is the SDM (QEMU deviates there) keep their hand-checked fixture.
  if grep -q '^; REFERENCE: sdm' "src/$name.asm"; then echo "$name: SDM reference, skipped"; continue; fi
  out="expected/$name.txt"
  rm -f "$out"
  set +e
  timeout 60 qemu-system-i386 -M pc -cpu pentium2 -m 32 -bios "bin/$name.bin" \
    -display none -vga none -serial none -parallel none -monitor none -net none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=4 -debugcon "file:$out"
  status=$?
  set -e
  echo "$status" > "expected/$name.status"
  echo "$name: status $status, $(wc -c < "$out") bytes"
done
