import { existsSync } from 'node:fs';
import type { Accelerator } from '@tsvm/core';
import { describe, expect, it } from 'vitest';
import { runDifferential } from '../src/differential/run-differential.js';
import { cpuTestGuests } from '../src/guests/catalog.js';
import { runRandomDifferential } from '../src/random/run-random.js';

/**
 * accel-tcg's block compiler checked in lockstep: every block is compiled at once and run beside
 * the interpreter, the canonical state compared at every block boundary (a difference ends the
 * run with an error naming the block and instruction). Over every group guest and the seeded
 * random sequences; TSVM_LOCKSTEP_COUNT runs more random sequences (default 300 per mode).
 */
const ACCEL_TCG = new URL('../../accel-tcg/src/index.ts', import.meta.url);
const tcg = existsSync(ACCEL_TCG)
  ? (
      (await import(/* @vite-ignore */ ACCEL_TCG.href)) as {
        tcg?: Accelerator & { withOptions?: (o: { jit: string }) => Accelerator };
      }
    ).tcg
  : undefined;
const lockstep = tcg?.withOptions?.({ jit: 'lockstep' });
if (!lockstep) console.info('lockstep suite skipped: accel-tcg has no block compiler options yet');
const COUNT = Number(process.env.TSVM_LOCKSTEP_COUNT ?? 300);
/**
 * Instructions each group guest gets in lockstep (TSVM_LOCKSTEP_INSNS; the big groups need many
 * more to finish): an exact budget, through a fixed clock rate of 1 µs per instruction.
 */
const BUDGET_INSNS = Number(process.env.TSVM_LOCKSTEP_INSNS ?? 3_000_000);
const NS_PER_INSN = 1000;

describe.runIf(lockstep !== undefined)('accel-tcg compiled blocks in lockstep with the interpreter', () => {
  for (const guest of cpuTestGuests()) {
    it(guest.name, async () => {
      const r = await runDifferential({
        accelerator: lockstep!,
        guest,
        timeoutMs: (BUDGET_INSNS * NS_PER_INSN) / 1e6,
        nsPerInstruction: NS_PER_INSN,
      });
      // A lockstep difference ends the run with an error; the output itself is checked by the
      // plain accel-tcg suite (runs cut short by the budget only have a prefix of it).
      const stop = r.run.stop;
      expect(stop.reason, JSON.stringify(stop)).not.toBe('error');
      if (stop.reason !== 'timeout') expect(r.ok, r.report).toBe(true);
    }, 120_000);
  }

  it.each([32, 16] as const)(
    `${COUNT} random sequences of %i-bit code`,
    async (mode) => {
      const r = await runRandomDifferential({ accelerator: lockstep!, count: COUNT, mode, seed: 0x10c5 });
      expect(r.ok, r.report).toBe(true);
    },
    300_000,
  );
});
