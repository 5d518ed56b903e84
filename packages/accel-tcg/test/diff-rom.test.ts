import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect, test } from 'vitest';
import { describeDivergence, firstDivergence } from './harness/diff.js';
import { qemuAvailable, runQemu } from './harness/qemu.js';
import { runGuest } from './harness/tcg-runner.js';

/**
 * The differential harness for any ROM image (a tool, skipped unless TSVM_DIFF_ROM is set):
 *   TSVM_DIFF_ROM=path/to/rom.bin pnpm vitest run test/diff-rom.test.ts
 * runs the ROM (booted at the reset vector like guests/, debug console on port 0xE9, exit on
 * 0xF4) on tsvm-tcg and on QEMU, and reports the first line of debug-console output where they
 * differ — with DUMP tags mapped to source lines when a nasm listing sits next to the ROM in
 * guests/bin.
 */
const rom = process.env.TSVM_DIFF_ROM;

test.skipIf(!rom)(
  'ROM from TSVM_DIFF_ROM runs the same on tsvm-tcg and QEMU (skipped unless set)',
  async () => {
    if (!qemuAvailable())
      throw new Error('the differential harness needs qemu-system-i386 (apt-get install -y qemu-system-x86)');
    const bytes = new Uint8Array(readFileSync(rom!));
    const reference = runQemu(bytes);
    const r = await runGuest(bytes, 60_000);
    const d = firstDivergence(reference.text, r.text);
    if (d) expect.fail(describeDivergence(basename(rom!, '.bin'), bytes.length, d));
    if (reference.status === 0) expect(r.stop.reason).toBe('shutdown');
    else expect(r.stop).toEqual({ reason: 'exit', status: reference.status });
  },
  120_000,
);
