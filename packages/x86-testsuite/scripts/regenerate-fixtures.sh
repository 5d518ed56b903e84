#!/usr/bin/env bash
# Regenerates fixtures/ by running every guest ROM and the random-sequence images under QEMU
# (Debian's qemu-system-i386, TCG). Run after changing a guest (bash guests/build.sh first) or
# the random generator. Hand corrections where QEMU disagrees with the SDM live in
# fixtures/sdm-overrides.txt and survive regeneration.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v qemu-system-i386 >/dev/null || { apt-get update -qq && apt-get install -y -qq qemu-system-x86; }
TSVM_REGENERATE_FIXTURES=1 exec pnpm exec vitest run test/regenerate-fixtures.test.ts
