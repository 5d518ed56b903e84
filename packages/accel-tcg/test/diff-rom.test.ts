import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { liveQemuReference, qemuAvailability, romGuestMismatch, runRomGuest } from '@tsvm/x86-testsuite';
import { expect, test } from 'vitest';
import { tcg } from '../src/index.js';

/**
 * The differential harness for any ROM image (a tool, skipped unless TSVM_DIFF_ROM is set):
 *   TSVM_DIFF_ROM=path/to/rom.bin pnpm vitest run test/diff-rom.test.ts
 * runs the ROM (booted at the reset vector like guests/, debug console on port 0xE9, exit on
 * 0xF4) on tsvm-tcg and on QEMU, and reports the first line of debug-console output where they
 * differ — with DUMP tags mapped to source lines when a nasm listing (NAME.lst) sits next to it.
 */
const rom = process.env.TSVM_DIFF_ROM;

test.skipIf(!rom)(
  'ROM from TSVM_DIFF_ROM runs the same on tsvm-tcg and QEMU (skipped unless set)',
  async () => {
    const qemu = qemuAvailability();
    if (!qemu.available) throw new Error(`the differential harness needs QEMU: ${qemu.reason}`);
    const bytes = new Uint8Array(readFileSync(rom!));
    const reference = liveQemuReference(bytes);
    const r = await runRomGuest(tcg, { rom: bytes, pcBoard: false }, { timeoutMs: 60_000 });
    const guest = {
      name: basename(rom!, '.bin'),
      rom: bytes,
      expected: reference.text,
      status: reference.status,
      listingPath: rom!.replace(/\.bin$/, '.lst'),
    };
    const mismatch = romGuestMismatch(guest, r, 'tcg');
    if (mismatch) expect.fail(mismatch);
  },
  120_000,
);
