import { liveQemuReference, romGuestMismatch, runRomGuest } from '@tsvm/x86-testsuite';
import { describe, expect, test } from 'vitest';
import { tcg } from '../src/index.js';
import { guests } from './guest-directory.js';

/**
 * Every guest in guests/bin runs on tsvm-tcg (through @tsvm/x86-testsuite's harness) and must
 * print exactly what QEMU printed (guests/expected) and end the same way. With
 * TSVM_LIVE_QEMU=1 the reference is QEMU run live on the same ROM (guests whose reference is the
 * SDM keep their checked fixture). TSVM_QEMU_FIXTURES=1 first rewrites the fixtures from QEMU
 * (all, or the guests named in TSVM_GUESTS): guests/make-fixtures.sh does that.
 */
const LIVE = process.env.TSVM_LIVE_QEMU === '1';
const REGENERATE = process.env.TSVM_QEMU_FIXTURES === '1';
const SYSTEM_GUESTS = new Set(['paging', 'priv', 'v86', 'dfault', 'sys', 'debug']);

test.runIf(REGENERATE)(
  'QEMU fixtures are rewritten (TSVM_QEMU_FIXTURES=1)',
  () => {
    const only = process.env.TSVM_GUESTS?.trim();
    for (const name of only ? only.split(/\s+/) : guests.names()) {
      const q = guests.regenerate(name);
      console.info(`${name}: ${q ? `status ${q.status}, ${q.text.length} bytes` : 'SDM reference, skipped'}`);
    }
  },
  600_000,
);

describe('CPU test guests match the QEMU reference', () => {
  // The transcendental guest is compared within a tolerance by test/x87/transcendental.test.ts.
  for (const name of guests.names().filter((n) => n !== 'x87trans')) {
    test(name, async () => {
      const g = guests.load(name);
      if (LIVE && !g.sdmReference) {
        const q = liveQemuReference(g.rom);
        g.expected = q.text;
        g.status = q.status;
      }
      const r = await runRomGuest(tcg, g, { keepMachine: true });
      try {
        const mismatch = romGuestMismatch(g, r, 'tcg');
        if (mismatch) expect.fail(mismatch);
        // System-level guests leave paging, task and segment state behind: it must still be a
        // valid canonical state (a snapshot of it round-trips).
        if (SYSTEM_GUESTS.has(name)) r.machine!.load(r.machine!.save());
      } finally {
        r.machine!.close();
      }
      // CPU-bound guests: a second on a quiet machine, far more with other work on the cores.
    }, 60_000);
  }
});
