import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import type { RawExtended } from '../../fpu/fpu-state.js';
import { ea } from '../operands.js';

// Memory operands of the x87 formats. Multi-part stores probe the whole operand first, so a
// fault (segment limit, page) leaves memory and the FPU untouched.

function offset(i: Insn, base: number, k: number): number {
  return i.a32 ? (base + k) >>> 0 : (base + k) & 0xffff;
}

/** The two 32-bit halves of an m64 operand (integer or double). */
export interface Halves {
  lo: number;
  hi: number;
}

export function readM16(c: Cpu, i: Insn): number {
  return c.read(i.seg, ea(c, i), 2);
}

export function readM32(c: Cpu, i: Insn): number {
  return c.read(i.seg, ea(c, i), 4) >>> 0;
}

export function readM64(c: Cpu, i: Insn): Halves {
  const a = ea(c, i);
  const lo = c.read(i.seg, a, 4) >>> 0;
  const hi = c.read(i.seg, offset(i, a, 4), 4) >>> 0;
  return { lo, hi };
}

export function readM80(c: Cpu, i: Insn): RawExtended {
  const a = ea(c, i);
  const lo = c.read(i.seg, a, 4) >>> 0;
  const hi = c.read(i.seg, offset(i, a, 4), 4) >>> 0;
  const signExp = c.read(i.seg, offset(i, a, 8), 2);
  return { lo, hi, signExp };
}

function probe(c: Cpu, i: Insn, a: number, size: number): void {
  c.mmu.probeWrite(c.linW(i.seg, a, size), size);
}

export function writeM16(c: Cpu, i: Insn, v: number): void {
  c.write(i.seg, ea(c, i), 2, v);
}

export function writeM32(c: Cpu, i: Insn, v: number): void {
  c.write(i.seg, ea(c, i), 4, v);
}

export function writeM64(c: Cpu, i: Insn, v: Halves): void {
  const a = ea(c, i);
  probe(c, i, a, 8);
  c.write(i.seg, a, 4, v.lo);
  c.write(i.seg, offset(i, a, 4), 4, v.hi);
}

export function writeM80(c: Cpu, i: Insn, v: RawExtended): void {
  const a = ea(c, i);
  probe(c, i, a, 10);
  c.write(i.seg, a, 4, v.lo);
  c.write(i.seg, offset(i, a, 4), 4, v.hi);
  c.write(i.seg, offset(i, a, 8), 2, v.signExp);
}

/** Check that an m16/m32/m64/m80 destination is writable before the FPU state changes. */
export function probeDestination(c: Cpu, i: Insn, size: number): void {
  probe(c, i, ea(c, i), size);
}
