import { describe, expect, test } from 'vitest';
import { describeDivergence, firstDivergence } from './harness/diff.js';
import { listGuests, loadGuest } from './harness/fixtures.js';
import { runGuest } from './harness/tcg-runner.js';

/**
 * Every guest in guests/bin runs on tsvm-tcg and must print exactly what QEMU printed
 * (guests/expected, produced by guests/make-fixtures.sh) and end the same way.
 */
describe('CPU test guests match the QEMU reference', () => {
  for (const name of listGuests()) {
    test(name, async () => {
      const g = loadGuest(name);
      const r = await runGuest(g.rom);
      const d = firstDivergence(g.expected, r.text);
      if (d) expect.fail(describeDivergence(name, g.rom.length, d));
      // QEMU with -no-reboot exits with status 0 on a triple fault; tcg reports a shutdown.
      if (g.status === 0) expect(r.stop.reason).toBe('shutdown');
      else expect(r.stop).toEqual({ reason: 'exit', status: g.status });
    });
  }
});
