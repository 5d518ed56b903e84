import { describe, expect, test } from 'vitest';
import { describeDivergence, firstDivergence } from './harness/diff.js';
import { listGuests, loadGuest } from './harness/fixtures.js';
import { qemuAvailable, runQemu } from './harness/qemu.js';
import { runGuest, runGuestOnPc } from './harness/tcg-runner.js';

/**
 * Every guest in guests/bin runs on tsvm-tcg and must print exactly what QEMU printed
 * (guests/expected, produced by guests/make-fixtures.sh) and end the same way. With
 * TSVM_LIVE_QEMU=1 the reference is QEMU run live on the same ROM (guests whose reference is the
 * SDM keep their checked fixture).
 */
const LIVE = process.env.TSVM_LIVE_QEMU === '1';
const SYSTEM_GUESTS = new Set(['paging', 'priv', 'v86', 'dfault', 'sys', 'debug']);

describe('CPU test guests match the QEMU reference', () => {
  // The transcendental guest is compared within a tolerance by test/x87/transcendental.test.ts.
  for (const name of listGuests().filter((n) => n !== 'x87trans')) {
    test(name, async () => {
      const g = loadGuest(name);
      if (LIVE && !g.sdmReference) {
        if (!qemuAvailable()) throw new Error('TSVM_LIVE_QEMU=1 but qemu-system-i386 is not installed');
        const q = runQemu(g.rom);
        g.expected = q.text;
        g.status = q.status;
      }
      const r = g.pcBoard ? await runGuestOnPc(g.rom) : await runGuest(g.rom);
      const d = firstDivergence(g.expected, r.text);
      if (d) expect.fail(describeDivergence(name, g.rom.length, d));
      // QEMU with -no-reboot exits with status 0 on a triple fault; tcg reports a shutdown.
      if (g.status === 0) expect(r.stop.reason).toBe('shutdown');
      else expect(r.stop).toEqual({ reason: 'exit', status: g.status });
      // System-level guests leave paging, task and segment state behind: it must still be a
      // valid canonical state (a snapshot of it round-trips).
      if (SYSTEM_GUESTS.has(name)) {
        const snapshot = r.machine.save();
        r.machine.load(snapshot);
      }
      // CPU-bound guests: a second on a quiet machine, far more with other work on the cores.
    }, 60_000);
  }
});
