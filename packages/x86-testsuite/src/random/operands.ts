import { KEEP_ALL, KEEP_LOGIC } from '../sdm/undefined-flags.js';
import {
  type Addressing,
  hex,
  le32,
  type MemOperand,
  mem,
  modrm,
  operandText,
  type RegOperand,
  type RmOperand,
  reg,
  regName,
  type SegmentOverride,
  type Size,
  signedHex8,
  sizePrefix,
  takeSegmentPrefix,
} from './encoder.js';
import type { Prng } from './prng.js';
import type { Step } from './step.js';

/**
 * Operands, guard steps and the step constructor shared by the instruction forms in forms/.
 */
/**
 * Guest (linear) address of the 16 scratch bytes every sequence may read and write: below 64 KiB
 * so the 16-bit addressing forms reach it, and across a page boundary whose two pages are far
 * apart physically (the prologue turns paging on), so straddling accesses exercise split
 * translations.
 */
export const SCRATCH = 0xeff8;

/** General registers a sequence may change: everything but ESP (the dump needs the stack). */
export const WORK_REGS = [0, 1, 2, 3, 5, 6, 7];

export const SIZES: readonly Size[] = [8, 16, 32];

/** A step; a segment override of the memory operand just encoded goes in front (see encoder.ts). */
export const step = (bytes: number[], text: string, keep = KEEP_ALL): Step => ({
  bytes: [...takeSegmentPrefix(), ...bytes],
  text,
  keep,
});

export const SEGMENTS: readonly SegmentOverride[] = ['es', 'ss', 'ds', 'fs', 'gs'];

export function pickReg(rng: Prng, size: Size): RegOperand {
  return reg(size === 8 ? rng.below(8) : rng.pick(WORK_REGS), size);
}

/**
 * Guard steps that set the address registers of the memory operand just picked; `randomInstruction`
 * puts them in front of the form's own steps. Only EBX, EBP, ESI and EDI serve as address
 * registers: the forms' own guards change EAX, ECX and EDX, never these.
 */
let addressGuards: Step[] = [];

/** The address guards collected while one form was built (and a fresh, empty list). */
export function takeAddressGuards(): Step[] {
  const g = addressGuards;
  addressGuards = [];
  return g;
}

const ADDRESS_REGS = [3, 5, 6, 7];

export function setReg(r: number, value: number): Step {
  return step([...sizePrefix(32), 0xb8 + r, ...le32(value)], `mov ${regName(reg(r, 32))},${hex(value)}`);
}

/** An addressing form that lands on `target`, with the guard steps that make it do so. */
function addressing(rng: Prng, target: number): Addressing {
  const kind = rng.below(5);
  if (kind === 4) {
    // 16-bit forms: EA = (registers + displacement) mod 64 KiB; the registers' upper halves must
    // not matter, so they get random ones.
    const rm = rng.below(8);
    const regs = [[3, 6], [3, 7], [5, 6], [5, 7], [6], [7], [5], [3]][rm];
    const dispSize = rm === 6 ? rng.pick([8, 16] as const) : rng.pick([0, 8, 16] as const);
    if (rm === 6 && rng.chance(0.3)) return { kind: 'abs16', disp: target };
    const disp = dispSize === 0 ? 0 : dispSize === 8 ? (rng.next() << 24) >> 24 : rng.next() & 0xffff;
    let rest = (target - disp) & 0xffff;
    const values = regs.map((_r, i) => {
      const v = i === regs.length - 1 ? rest : rng.next() & 0xffff;
      rest = (rest - v) & 0xffff;
      return ((rng.next() & 0xffff0000) | v) >>> 0;
    });
    regs.forEach((r, i) => {
      addressGuards.push(setReg(r, values[i]));
    });
    return { kind: 'a16', rm, disp: dispSize === 16 ? disp & 0xffff : disp, dispSize };
  }
  const scale = rng.below(4);
  const index = rng.pick(ADDRESS_REGS);
  const indexValue = rng.chance(0.5) ? rng.below(64) : rng.next();
  if (kind === 3) {
    // No base: [index * scale + disp32].
    const disp = (target - indexValue * (1 << scale)) >>> 0;
    addressGuards.push(setReg(index, indexValue));
    return { kind: 'index', index, scale, disp };
  }
  const base = rng.pick(ADDRESS_REGS.filter((r) => r !== index));
  let dispSize: 0 | 8 | 32 = rng.pick([0, 8, 32] as const);
  if (base === 5 && dispSize === 0) dispSize = 8; // mod=00 with base EBP means "no base"
  const disp = dispSize === 0 ? 0 : dispSize === 8 ? (rng.next() << 24) >> 24 : rng.next() | 0;
  const withIndex = kind !== 0;
  const baseValue = (target - disp - (withIndex ? indexValue * (1 << scale) : 0)) >>> 0;
  if (withIndex) addressGuards.push(setReg(index, indexValue));
  addressGuards.push(setReg(base, baseValue));
  return withIndex
    ? { kind: 'base', base, index, scale, disp, dispSize }
    : { kind: 'base', base, scale: 0, disp, dispSize };
}

/** A memory operand inside the scratch bytes; `bytes` overrides the width (8 for MMX quadwords). */
export function pickMem(rng: Prng, size: Size, bytes = size / 8): MemOperand {
  // CS is left out: writing through it is a #GP the reference (QEMU) does not raise.
  const segment = rng.chance(0.15) ? rng.pick(SEGMENTS) : undefined;
  const target = SCRATCH + rng.below(16 - bytes + 1);
  // One register-addressed operand per instruction: a second would overwrite the first's registers.
  if (addressGuards.length === 0 && rng.chance(0.4)) {
    const m = mem(target, size, segment);
    return { ...m, addressing: addressing(rng, target) };
  }
  return mem(target, size, segment);
}

export function pickRm(rng: Prng, size: Size, memChance = 0.3): RmOperand {
  return rng.chance(memChance) ? pickMem(rng, size) : pickReg(rng, size);
}

export const w = (size: Size) => (size === 8 ? 0 : 1);

export type Form = (rng: Prng) => Step[];

/** OR r/m, imm8 with a one-bit immediate: makes an operand non-zero (a guard step). */
export function setBit(rm: RmOperand, rng: Prng): Step {
  const bit = 1 << rng.below(7);
  if (rm.size === 8)
    return step([0x80, ...modrm(1, rm), bit], `or ${operandText(rm)},${hex(bit)}`, KEEP_LOGIC);
  return step(
    [...sizePrefix(rm.size), 0x83, ...modrm(1, rm), bit],
    `or ${operandText(rm)},${signedHex8(bit)}`,
    KEEP_LOGIC,
  );
}
