import { hex, setEncodingMode } from './encoder.js';
import { randomInstruction, SCRATCH } from './instruction-table.js';
import { operandValue, Prng } from './prng.js';
import type { Step } from './step.js';

/** The starting state and the steps of one generated sequence. */
export interface RandomSequence {
  readonly seed: number;
  readonly index: number;
  /** The code the steps are encoded for: 32-bit protected mode or 16-bit real mode. */
  readonly mode: 16 | 32;
  /** EAX, ECX, EDX, EBX, (ESP unused), EBP, ESI, EDI — indexed by register number. */
  readonly registers: readonly number[];
  /** The four scratch dwords at SCRATCH. */
  readonly scratch: readonly number[];
  /** Initial EFLAGS (status flags only, bit 1 set). */
  readonly flags: number;
  readonly steps: readonly Step[];
}

/** Fewest and most instructions (before guards) per sequence. */
const MIN_INSTRUCTIONS = 4;
const MAX_INSTRUCTIONS = 10;

/** Sequence `index` of the run with `seed`: the same on every machine and for every count. */
export function generateSequence(seed: number, index: number, mode: 16 | 32 = 32): RandomSequence {
  setEncodingMode(mode);
  try {
    return generate(seed, index, mode);
  } finally {
    setEncodingMode(32);
  }
}

function generate(seed: number, index: number, mode: 16 | 32): RandomSequence {
  // Real-mode runs draw from their own streams: the same seed gives different sequences.
  const rng = Prng.forSequence(mode === 16 ? (seed ^ 0x5a5a0016) >>> 0 : seed, index);
  const registers = Array.from({ length: 8 }, (_, r) => (r === 4 ? 0 : operandValue(rng)));
  const scratch = Array.from({ length: 4 }, () => operandValue(rng));
  const flags = 0x2 | (rng.next() & 0x8d5);
  const steps: Step[] = [];
  const count = MIN_INSTRUCTIONS + rng.below(MAX_INSTRUCTIONS - MIN_INSTRUCTIONS + 1);
  let pendingJump: number | undefined;
  for (let i = 0; i < count; i++) {
    const group = randomInstruction(rng);
    // A Jcc skips the whole next group: jumping over only a guard would void what it guards.
    if (pendingJump !== undefined) {
      const jcc = steps[pendingJump];
      // A short Jcc reaches about four dumped steps; longer groups (MMX) need the near form.
      const near = jcc.skip!.near || group.length > 3;
      const text = near && !jcc.skip!.near ? jcc.text.replace(' (over', ' near (over') : jcc.text;
      steps[pendingJump] = { ...jcc, text, skip: { ...jcc.skip!, near, steps: group.length } };
      pendingJump = undefined;
    }
    if (group[0].skip) pendingJump = steps.length;
    steps.push(...group);
  }
  return { seed, index, mode, registers, scratch, flags, steps };
}

const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

function bytesText(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * A listing of the sequence: its initial state and every step with its bytes, marking
 * `markStep` (the diverging one) with an arrow.
 */
export function formatSequence(
  seq: RandomSequence,
  options: { markStep?: number; bytesOf?: (step: number) => readonly number[] } = {},
): string {
  const lines = [`sequence ${seq.index} of seed ${hex(seq.seed)}${seq.mode === 16 ? ' (real mode)' : ''}:`];
  const regs = seq.registers
    .map((v, r) => (r === 4 ? undefined : `${REG_NAMES[r]}=${hex(v)}`))
    .filter((s) => s !== undefined)
    .join(' ');
  lines.push(`  start: ${regs} eflags=${hex(seq.flags)}`);
  lines.push(`         scratch[${hex(SCRATCH)}]=${seq.scratch.map(hex).join(' ')}`);
  seq.steps.forEach((s, i) => {
    const bytes = options.bytesOf?.(i) ?? s.bytes;
    const mark = i === options.markStep ? '>>' : '  ';
    lines.push(`${mark} ${String(i).padStart(3)}: ${s.text.padEnd(40)} ${bytesText(bytes)}`);
  });
  return lines.join('\n');
}
