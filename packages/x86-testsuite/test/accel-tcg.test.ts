import { existsSync } from 'node:fs';
import type { Accelerator } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { compareGuestOutput } from '../src/differential/compare-lines.js';
import { runDifferential } from '../src/differential/run-differential.js';
import { cpuTestGuests } from '../src/guests/catalog.js';
import { DEFAULT_RANDOM16_COUNT, runRandomDifferential } from '../src/random/run-random.js';
import { qemuAvailability } from '../src/reference/qemu.js';

/**
 * The suite against the TypeScript executor, when packages/accel-tcg provides one. Imported by
 * relative path on purpose: accel-tcg's own tests depend on this package, and a declared
 * dependency back would make the workspace graph cyclic.
 */
const ACCEL_TCG = new URL('../../accel-tcg/src/index.ts', import.meta.url);
const tcg = existsSync(ACCEL_TCG)
  ? ((await import(/* @vite-ignore */ ACCEL_TCG.href)) as { tcg?: Accelerator }).tcg
  : undefined;
if (!tcg) console.info('accel-tcg suite skipped: packages/accel-tcg exports no `tcg` accelerator yet');

/**
 * Divergences found and reported to the executor's owner: a guest listed here may diverge, but
 * only at that case (everything before it must match). Once it matches, delete the entry.
 */
const KNOWN_DIVERGENCES: Record<string, RegExp> = {};

describe.runIf(tcg !== undefined)('accel-tcg against the QEMU/SDM references', () => {
  for (const guest of cpuTestGuests()) {
    it(guest.name, async () => {
      const r = await runDifferential({ accelerator: tcg!, guest });
      const known = KNOWN_DIVERGENCES[guest.name];
      if (known && !r.ok) {
        // Still the known divergence, and nothing earlier in the guest broke.
        expect(r.divergence?.expected, r.report).toMatch(known);
      } else {
        if (known) console.info(`${guest.name} now matches its reference: drop it from KNOWN_DIVERGENCES`);
        expect(r.ok, r.report).toBe(true);
        // Where the SDM leaves a flag undefined the issue asks for QEMU's value: same run, every bit.
        const strict = compareGuestOutput(guest.reference(), new TextDecoder().decode(r.run.output), {
          undefinedFlags: 'match-qemu',
        });
        expect(strict.divergence, `${guest.name}: undefined flags differ from QEMU`).toBeUndefined();
      }
    });
  }

  it('the default randomized run (2400 seeded sequences) finds no divergence', async () => {
    const r = await runRandomDifferential({ accelerator: tcg! });
    expect(r.ok, r.report).toBe(true);
    expect(r.count).toBeGreaterThanOrEqual(2000);
  });

  it.runIf(qemuAvailability().available).each([32, 16] as const)(
    'with QEMU: 300 sequences of %i-bit code match QEMU bit for bit, undefined flags included',
    async (mode) => {
      const r = await runRandomDifferential({
        accelerator: tcg!,
        seed: 0x51a7,
        count: 300,
        mode,
        undefinedFlags: 'match-qemu',
      });
      expect(r.ok, r.report).toBe(true);
    },
  );

  it('the default real-mode randomized run (1200 sequences) finds no divergence', async () => {
    const r = await runRandomDifferential({ accelerator: tcg!, mode: 16 });
    expect(r.count).toBe(DEFAULT_RANDOM16_COUNT);
    expect(r.ok, r.report).toBe(true);
  });
});
