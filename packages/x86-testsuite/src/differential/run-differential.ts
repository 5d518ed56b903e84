import type { MachineStop } from '@tsvm/core';
import { type CpuTestGuest, cpuTestGuest } from '../guests/catalog.js';
import { runUnderQemu } from '../reference/qemu.js';
import {
  type AcceleratorSource,
  describeStop,
  type GuestRun,
  runGuestOnAccelerator,
} from '../run/run-on-accelerator.js';
import { compareGuestOutput, type LineDivergence } from './compare-lines.js';

/** Exit status of a guest that finished (debug-exit value 0). */
export const GUEST_DONE_STATUS = 1;

/** QEMU's process status for a guest that ends as `guest.ending` says. */
export function qemuStatusFor(guest: CpuTestGuest): number {
  return guest.ending === 'exit' ? GUEST_DONE_STATUS : 0;
}

function endedAsExpected(guest: CpuTestGuest, stop: MachineStop): boolean {
  if (guest.ending === 'shutdown') return stop.reason === 'shutdown';
  return stop.reason === 'exit' && stop.status === GUEST_DONE_STATUS;
}

/**
 * Where the expected output comes from: the committed fixture (QEMU output + SDM overrides),
 * a live QEMU run (needs qemu-system-i386), or an output text you already have.
 */
export type GuestReference = 'fixture' | 'qemu' | { readonly text: string };

export interface DifferentialOptions {
  readonly accelerator: AcceleratorSource;
  readonly guest: CpuTestGuest | string;
  readonly reference?: GuestReference;
  /**
   * 'ignore' (default): results the SDM leaves undefined are not compared. 'match-qemu': every
   * bit is (the issue asks the executor to match QEMU there).
   */
  readonly undefinedFlags?: 'ignore' | 'match-qemu';
  readonly timeoutMs?: number;
  /**
   * Guest nanoseconds per instruction, fixed, where the accelerator counts instructions: then
   * `timeoutMs` is an exact instruction budget, the same on a fast host and a slow one.
   */
  readonly nsPerInstruction?: number;
}

export interface DifferentialResult {
  readonly guest: string;
  readonly ok: boolean;
  /** Lines that matched before the first divergence (all of them when ok). */
  readonly matchedLines: number;
  readonly divergence?: LineDivergence;
  readonly run: GuestRun;
  /** Human-readable summary; on divergence it names the case, expected and actual values. */
  readonly report: string;
}

function expectedText(guest: CpuTestGuest, reference: GuestReference): string {
  if (reference === 'fixture') return guest.reference();
  if (reference === 'qemu') {
    const r = runUnderQemu(guest.image());
    if (r.status !== qemuStatusFor(guest))
      throw new Error(`${guest.name} under QEMU ended with status ${r.status}`);
    return new TextDecoder().decode(r.output);
  }
  return reference.text;
}

/**
 * Run a group guest on `accelerator` and compare its output with the reference, reporting the
 * first diverging case (instruction, inputs, expected and actual registers/flags).
 */
export async function runDifferential(options: DifferentialOptions): Promise<DifferentialResult> {
  const guest = typeof options.guest === 'string' ? cpuTestGuest(options.guest) : options.guest;
  const expected = expectedText(guest, options.reference ?? 'fixture');
  const run = await runGuestOnAccelerator(options.accelerator, guest.image(), {
    timeoutMs: options.timeoutMs,
    nsPerInstruction: options.nsPerInstruction,
  });
  const actual = new TextDecoder().decode(run.output);
  const cmp = compareGuestOutput(expected, actual, { undefinedFlags: options.undefinedFlags });
  const finished = endedAsExpected(guest, run.stop);
  if (!cmp.divergence && finished) {
    return {
      guest: guest.name,
      ok: true,
      matchedLines: cmp.lines,
      run,
      report: `${guest.name}: ${cmp.lines} cases match the reference`,
    };
  }
  const lines = [`${guest.name}: diverges from the reference (${guest.description})`];
  if (cmp.divergence) {
    const d = cmp.divergence;
    lines.push(`  first diverging case, line ${d.line}:`);
    lines.push(`    expected: ${d.expected ?? '(end of output)'}`);
    lines.push(`    actual:   ${d.actual ?? '(end of output)'}`);
    for (const why of d.differences) lines.push(`    - ${why}`);
  } else {
    lines.push(`  all ${cmp.lines} lines match, but the run did not finish normally`);
  }
  const expectedEnd =
    guest.ending === 'exit'
      ? `exits with status ${GUEST_DONE_STATUS}`
      : 'ends in a CPU shutdown (triple fault)';
  lines.push(`  run ended with ${describeStop(run.stop)} (this guest ${expectedEnd})`);
  return {
    guest: guest.name,
    ok: false,
    matchedLines: cmp.lines,
    divergence: cmp.divergence,
    run,
    report: lines.join('\n'),
  };
}

/** Throw with the divergence report unless the guest matches its reference. */
export async function expectMatchesReference(
  accelerator: AcceleratorSource,
  guest: CpuTestGuest | string,
  options: { reference?: GuestReference; undefinedFlags?: 'ignore' | 'match-qemu'; timeoutMs?: number } = {},
): Promise<DifferentialResult> {
  const result = await runDifferential({ accelerator, guest, ...options });
  if (!result.ok) throw new Error(result.report);
  return result;
}
