import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { AF, ARITH, CF, getCF, OF, setArith, szp } from '../exec/flags.js';
import { ea, sext, trunc } from './operands.js';

/**
 * Group 2 shift/rotate of `v` (`size` bytes) by `count`. Flags are computed eagerly. Where the
 * SDM leaves a flag undefined (OF for counts above 1, AF) this follows QEMU: OF from the last
 * two bits shifted through the top, AF cleared.
 */
export function shiftOp(c: Cpu, op: number, size: number, v: number, count: number): number {
  count &= 0x1f;
  if (count === 0) return v;
  const bits = size * 8;
  const top = bits - 1;
  let r: number;
  let cf: number;
  let of: number;
  switch (op) {
    case 0: {
      // ROL
      const n = count % bits;
      r = n === 0 ? v : trunc((v << n) | (v >>> (bits - n)), size);
      cf = r & 1;
      of = ((r >>> top) & 1) ^ cf;
      setArith(c, CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 1: {
      // ROR
      const n = count % bits;
      r = n === 0 ? v : trunc((v >>> n) | (v << (bits - n)), size);
      cf = (r >>> top) & 1;
      of = cf ^ ((r >>> (bits - 2)) & 1);
      setArith(c, CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 2: {
      // RCL: a (bits+1)-bit rotation through CF.
      const n = count % (bits + 1);
      if (n === 0) return v;
      cf = getCF(c) ? 1 : 0;
      r = v;
      for (let k = 0; k < n; k++) {
        const out = (r >>> top) & 1;
        r = trunc((r << 1) | cf, size);
        cf = out;
      }
      of = ((v ^ r) >>> top) & 1;
      setArith(c, CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 3: {
      // RCR
      const n = count % (bits + 1);
      if (n === 0) return v;
      cf = getCF(c) ? 1 : 0;
      r = v;
      for (let k = 0; k < n; k++) {
        const out = r & 1;
        r = trunc((r >>> 1) | (cf << (bits - 1)), size);
        cf = out;
      }
      of = ((v ^ r) >>> top) & 1;
      setArith(c, CF | OF, cf | (of ? OF : 0));
      return r;
    }
    case 4:
    case 6: {
      // SHL/SAL
      r = trunc(v << count, size);
      cf = count <= bits ? (v >>> (bits - count)) & 1 : 0;
      if (count === bits && bits === 32) cf = v & 1;
      of = ((r >>> top) & 1) ^ cf;
      setArith(c, ARITH, cf | (of ? OF : 0) | szp(r, size));
      return r;
    }
    case 5: {
      // SHR
      const before = v >>> (count - 1);
      r = before >>> 1;
      cf = before & 1;
      of = ((before >>> top) & 1) ^ ((r >>> top) & 1);
      setArith(c, ARITH, cf | (of ? OF : 0) | szp(r, size));
      return r;
    }
    default: {
      // SAR
      const sv = sext(v, size);
      const before = sv >> (count - 1);
      r = trunc(before >> 1, size);
      cf = before & 1;
      setArith(c, ARITH, cf | szp(r, size));
      return r;
    }
  }
}

function shiftRm(c: Cpu, i: Insn, count: number): void {
  if (!i.mem) {
    c.setReg(i.rm, i.size, shiftOp(c, i.reg, i.size, c.getReg(i.rm, i.size), count));
    return;
  }
  const off = ea(c, i);
  const v = c.readRmw(i.seg, off, i.size);
  c.write(i.seg, off, i.size, shiftOp(c, i.reg, i.size, v, count));
}

/** C0/C1: shift r/m by imm8. */
export function opShiftImm(c: Cpu, i: Insn): void {
  shiftRm(c, i, i.imm);
}

/** D0/D1: shift r/m by 1. */
export function opShift1(c: Cpu, i: Insn): void {
  shiftRm(c, i, 1);
}

/** D2/D3: shift r/m by CL. */
export function opShiftCl(c: Cpu, i: Insn): void {
  shiftRm(c, i, c.r[1] & 0xff);
}

/** SHLD/SHRD: double-precision shift of r/m with bits from reg. */
function doubleShift(c: Cpu, i: Insn, count: number, left: boolean): void {
  count &= 0x1f;
  if (count === 0) {
    // Memory operand is still accessed (and may fault) even when nothing changes.
    if (i.mem) c.readRmw(i.seg, ea(c, i), i.size);
    return;
  }
  const size = i.size;
  const bits = size * 8;
  const off = i.mem ? ea(c, i) : 0;
  const d = i.mem ? c.readRmw(i.seg, off, size) : c.getReg(i.rm, size);
  const s = c.getReg(i.reg, size);
  // As QEMU computes it (counts above 1 leave OF undefined; 16-bit counts above 16 shift
  // the 48-bit d:s:d, as Intel parts do): `tmp` is the operand shifted by count - 1.
  let r: number;
  let tmp: number;
  let cf: number;
  const n = count;
  if (bits === 32) {
    if (left) {
      tmp = (d << (n - 1)) >>> 0;
      r = ((d << n) | (s >>> (32 - n))) >>> 0;
      cf = tmp >>> 31;
    } else {
      tmp = d >>> (n - 1);
      r = ((d >>> n) | (s << (32 - n))) >>> 0;
      cf = tmp & 1;
    }
  } else {
    const sd = ((s << 16) | d) >>> 0;
    if (left) {
      tmp = (d << (n - 1)) >>> 0;
      r = ((d << n) | (sd >>> (32 - n))) & 0xffff;
      cf = (tmp >>> 15) & 1;
    } else {
      tmp = sd >>> (n - 1);
      r = ((sd >>> n) | (d << (32 - n))) & 0xffff;
      cf = tmp & 1;
    }
  }
  const of = ((tmp ^ r) >>> (bits - 1)) & 1;
  setArith(c, ARITH, cf | (of ? OF : 0) | szp(r, size));
  c.flags &= ~AF;
  if (i.mem) c.write(i.seg, off, size, r);
  else c.setReg(i.rm, size, r);
}

export function opShldImm(c: Cpu, i: Insn): void {
  doubleShift(c, i, i.imm, true);
}
export function opShldCl(c: Cpu, i: Insn): void {
  doubleShift(c, i, c.r[1], true);
}
export function opShrdImm(c: Cpu, i: Insn): void {
  doubleShift(c, i, i.imm, false);
}
export function opShrdCl(c: Cpu, i: Insn): void {
  doubleShift(c, i, c.r[1], false);
}
