import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';

/** Effective address (offset within the segment) of a ModRM memory operand. */
export function ea(c: Cpu, i: Insn): number {
  let a = i.disp;
  if (i.base >= 0) a += c.r[i.base];
  if (i.index >= 0) a += c.r[i.index] << i.scale;
  return i.a32 ? a >>> 0 : a & 0xffff;
}

/** The r/m operand of size `i.size`. */
export function readRm(c: Cpu, i: Insn): number {
  return i.mem ? c.read(i.seg, ea(c, i), i.size) : c.getReg(i.rm, i.size);
}

export function readRmSized(c: Cpu, i: Insn, size: number): number {
  return i.mem ? c.read(i.seg, ea(c, i), size) : c.getReg(i.rm, size);
}

export function writeRm(c: Cpu, i: Insn, v: number): void {
  if (i.mem) c.write(i.seg, ea(c, i), i.size, v);
  else c.setReg(i.rm, i.size, v);
}

export function writeRmSized(c: Cpu, i: Insn, size: number, v: number): void {
  if (i.mem) c.write(i.seg, ea(c, i), size, v);
  else c.setReg(i.rm, size, v);
}

export const mask = (size: number): number => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff);

/** Sign-extend `v` of `size` bytes to a signed 32-bit number. */
export function sext(v: number, size: number): number {
  return size === 1 ? (v << 24) >> 24 : size === 2 ? (v << 16) >> 16 : v | 0;
}

/** Truncate to `size` bytes, unsigned. */
export function trunc(v: number, size: number): number {
  return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
}
