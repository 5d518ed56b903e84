#!/bin/sh
# Run guest ROMs under QEMU (TCG, the independent reference) and record what they print on the
# debug console plus their exit status: guests/expected/NAME.txt and NAME.status. The QEMU
# command line is @tsvm/x86-testsuite's (RomGuestDirectory.regenerate); guests whose source says
# `; REFERENCE: sdm` keep their hand-checked fixture. Afterwards every guest is compared.
# Usage: guests/make-fixtures.sh [NAME...]   (needs qemu-system-i386: apt-get install -y qemu-system-x86)
set -eu
cd "$(dirname "$0")/.."
TSVM_QEMU_FIXTURES=1 TSVM_GUESTS="$*" exec pnpm exec vitest run test/guests.test.ts
