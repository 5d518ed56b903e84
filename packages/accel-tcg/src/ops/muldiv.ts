import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { fault, Vec } from '../exec/fault.js';
import { ARITH, CF, OF, setArith, szp } from '../exec/flags.js';
import { readRm, sext, trunc } from './operands.js';

/** The last 64-bit product (kept in one object so the hot path allocates nothing). */
export const product = { lo: 0, hi: 0 };

/** Unsigned 32×32 → 64-bit product into `product` (exact, no floating-point rounding). */
export function mulU32(a: number, b: number): void {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const lo = ((mid << 16) | (ll & 0xffff)) >>> 0;
  const hi = (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  product.lo = lo;
  product.hi = hi;
}

/** Signed 32×32 → 64 into `product` (both halves as unsigned 32-bit patterns). */
export function mulS32(a: number, b: number): void {
  mulU32(a >>> 0, b >>> 0);
  let h = product.hi;
  if ((a | 0) < 0) h -= b >>> 0;
  if ((b | 0) < 0) h -= a >>> 0;
  product.hi = h >>> 0;
}

/** MUL/IMUL flags as QEMU computes them: CF=OF=overflow, SF/ZF/PF from the low half, AF=0. */
function mulFlags(c: Cpu, overflow: boolean, lo: number, size: number): void {
  setArith(c, ARITH, (overflow ? CF | OF : 0) | szp(lo, size));
}

/** F6/F7 /4: MUL. */
export function opMul(c: Cpu, i: Insn): void {
  const src = readRm(c, i);
  const r = c.r;
  if (i.size === 1) {
    const p = (r[0] & 0xff) * src;
    c.setReg(0, 2, p);
    mulFlags(c, p > 0xff, p & 0xff, 1);
  } else if (i.size === 2) {
    const p = (r[0] & 0xffff) * src;
    c.setReg(0, 2, p);
    c.setReg(2, 2, p >>> 16);
    mulFlags(c, p > 0xffff, p & 0xffff, 2);
  } else {
    mulU32(r[0] >>> 0, src);
    const { lo, hi } = product;
    r[0] = lo;
    r[2] = hi;
    mulFlags(c, hi !== 0, lo, 4);
  }
}

/** F6/F7 /5: one-operand IMUL. */
export function opImul1(c: Cpu, i: Insn): void {
  const src = sext(readRm(c, i), i.size);
  const r = c.r;
  if (i.size === 1) {
    const p = ((r[0] << 24) >> 24) * src;
    c.setReg(0, 2, p);
    mulFlags(c, p !== (p << 24) >> 24, p & 0xff, 1);
  } else if (i.size === 2) {
    const p = ((r[0] << 16) >> 16) * src;
    c.setReg(0, 2, p);
    c.setReg(2, 2, p >> 16);
    mulFlags(c, p !== (p << 16) >> 16, p & 0xffff, 2);
  } else {
    mulS32(r[0], src);
    const { lo, hi } = product;
    r[0] = lo;
    r[2] = hi;
    mulFlags(c, hi !== ((lo | 0) < 0 ? 0xffffffff : 0), lo, 4);
  }
}

function imulTrunc(c: Cpu, a: number, b: number, size: number): number {
  if (size === 2) {
    const p = sext(a, 2) * sext(b, 2);
    mulFlags(c, p !== (p << 16) >> 16, p & 0xffff, 2);
    return p & 0xffff;
  }
  mulS32(a, b);
  const { lo, hi } = product;
  mulFlags(c, hi !== ((lo | 0) < 0 ? 0xffffffff : 0), lo, 4);
  return lo;
}

/** 0F AF: IMUL reg, r/m. */
export function opImul2(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, imulTrunc(c, c.getReg(i.reg, i.size), readRm(c, i), i.size));
}

/** 69/6B: IMUL reg, r/m, imm. */
export function opImul3(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, imulTrunc(c, readRm(c, i), trunc(i.imm, i.size), i.size));
}

/** F6/F7 /6: DIV. Flags are left unchanged (undefined; QEMU leaves them too). */
export function opDiv(c: Cpu, i: Insn): void {
  const d = readRm(c, i);
  if (d === 0) fault(Vec.DE);
  const r = c.r;
  if (i.size === 1) {
    const n = r[0] & 0xffff;
    const q = Math.floor(n / d);
    if (q > 0xff) fault(Vec.DE);
    c.setReg(0, 2, ((n % d) << 8) | q);
  } else if (i.size === 2) {
    const n = (((r[2] & 0xffff) << 16) >>> 0) | (r[0] & 0xffff);
    const q = Math.floor((n >>> 0) / d);
    if (q > 0xffff) fault(Vec.DE);
    c.setReg(0, 2, q);
    c.setReg(2, 2, (n >>> 0) % d);
  } else {
    const hi = r[2] >>> 0;
    const lo = r[0] >>> 0;
    if (hi === 0) {
      r[0] = Math.floor(lo / d);
      r[2] = lo % d;
      return;
    }
    if (hi >= d) fault(Vec.DE);
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    const bd = BigInt(d);
    r[0] = Number(n / bd);
    r[2] = Number(n % bd);
  }
}

/** F6/F7 /7: IDIV (quotient truncates toward zero; remainder has the dividend's sign). */
export function opIdiv(c: Cpu, i: Insn): void {
  const d = sext(readRm(c, i), i.size);
  if (d === 0) fault(Vec.DE);
  const r = c.r;
  if (i.size === 1) {
    const n = (r[0] << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 127 || q < -128) fault(Vec.DE);
    c.setReg(0, 2, (((n % d) & 0xff) << 8) | (q & 0xff));
  } else if (i.size === 2) {
    const n = ((r[2] & 0xffff) << 16) | (r[0] & 0xffff);
    const q = Math.trunc(n / d);
    if (q > 32767 || q < -32768) fault(Vec.DE);
    c.setReg(0, 2, q);
    c.setReg(2, 2, n % d);
  } else {
    const n = (BigInt(r[2]) << 32n) | BigInt(r[0] >>> 0);
    const bd = BigInt(d);
    const q = n / bd;
    if (q > 0x7fffffffn || q < -0x80000000n) fault(Vec.DE);
    r[0] = Number(q);
    r[2] = Number(n % bd);
  }
}
