import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { ud } from '../exec/fault.js';
import { ARITH, CF, LazyOp, setArith, setLazy, szp, ZF } from '../exec/flags.js';
import { AluOp, alu } from './alu.js';
import { ea, readRm, trunc } from './operands.js';

/** BT/BTS/BTR/BTC: `kind` 0 test, 1 set, 2 reset, 3 complement. Only CF changes. */
function bitOp(c: Cpu, i: Insn, bitOffset: number, fromReg: boolean, kind: number): void {
  const size = i.size;
  const bits = size * 8;
  if (!i.mem) {
    const n = bitOffset & (bits - 1);
    const v = c.getReg(i.rm, size);
    setArith(c, CF, (v >>> n) & 1);
    if (kind === 1) c.setReg(i.rm, size, v | (1 << n));
    else if (kind === 2) c.setReg(i.rm, size, v & ~(1 << n));
    else if (kind === 3) c.setReg(i.rm, size, v ^ (1 << n));
    return;
  }
  let off = ea(c, i);
  let n: number;
  if (fromReg) {
    // A register bit offset is signed and may address memory outside the operand.
    const s = size === 2 ? (bitOffset << 16) >> 16 : bitOffset | 0;
    off += size * Math.floor(s / bits);
    off = i.a32 ? off >>> 0 : off & 0xffff;
    n = ((s % bits) + bits) % bits;
  } else {
    n = bitOffset & (bits - 1);
  }
  const v = kind === 0 ? c.read(i.seg, off, size) : c.readRmw(i.seg, off, size);
  setArith(c, CF, (v >>> n) & 1);
  if (kind === 1) c.write(i.seg, off, size, trunc(v | (1 << n), size));
  else if (kind === 2) c.write(i.seg, off, size, trunc(v & ~(1 << n), size));
  else if (kind === 3) c.write(i.seg, off, size, trunc(v ^ (1 << n), size));
}

const btKind = (opc: number): number => (opc === 0x1a3 ? 0 : opc === 0x1ab ? 1 : opc === 0x1b3 ? 2 : 3);

/** 0F A3/AB/B3/BB: BT/BTS/BTR/BTC r/m, reg. */
export function opBtReg(c: Cpu, i: Insn): void {
  bitOp(c, i, c.getReg(i.reg, i.size), true, btKind(i.opc));
}

/** 0F BA /4-/7: BT/BTS/BTR/BTC r/m, imm8. */
export function opBtImm(c: Cpu, i: Insn): void {
  bitOp(c, i, i.imm, false, i.reg - 4);
}

/** BSF/BSR: ZF=1 and destination unchanged for a zero source; other flags as QEMU (logic of source). */
function bitScan(c: Cpu, i: Insn, reverse: boolean): void {
  const v = readRm(c, i);
  setArith(c, ARITH, szp(v, i.size));
  if (v === 0) return;
  let n: number;
  if (reverse) n = 31 - Math.clz32(v);
  else n = 31 - Math.clz32(v & -v);
  c.flags &= ~ZF;
  c.setReg(i.reg, i.size, n);
}

export function opBsf(c: Cpu, i: Insn): void {
  bitScan(c, i, false);
}
export function opBsr(c: Cpu, i: Insn): void {
  bitScan(c, i, true);
}

/** 0F B0/B1: CMPXCHG r/m, reg. */
export function opCmpxchg(c: Cpu, i: Insn): void {
  const size = i.size;
  const off = i.mem ? ea(c, i) : 0;
  const dest = i.mem ? c.readRmw(i.seg, off, size) : c.getReg(i.rm, size);
  const acc = c.getReg(0, size);
  alu(c, AluOp.Cmp, size, acc, dest);
  if (acc === dest) {
    const src = c.getReg(i.reg, size);
    if (i.mem) c.write(i.seg, off, size, src);
    else c.setReg(i.rm, size, src);
  } else {
    // The destination is written back unchanged (a locked cycle always writes), then the accumulator loads.
    if (i.mem) c.write(i.seg, off, size, dest);
    c.setReg(0, size, dest);
  }
}

/** 0F C0/C1: XADD r/m, reg. */
export function opXadd(c: Cpu, i: Insn): void {
  const size = i.size;
  const off = i.mem ? ea(c, i) : 0;
  const dest = i.mem ? c.readRmw(i.seg, off, size) : c.getReg(i.rm, size);
  const src = c.getReg(i.reg, size);
  const sum = trunc(dest + src, size);
  setLazy(c, LazyOp.Add, size, dest, src, sum);
  c.setReg(i.reg, size, dest);
  if (i.mem) c.write(i.seg, off, size, sum);
  else c.setReg(i.rm, size, sum);
}

/** 0F C7 /1: CMPXCHG8B m64. */
export function opCmpxchg8b(c: Cpu, i: Insn): void {
  if (!i.mem) ud();
  const off = ea(c, i);
  const lo = c.readRmw(i.seg, off, 4);
  const hi = c.readRmw(i.seg, (off + 4) >>> 0, 4);
  const r = c.r;
  if (lo === r[0] >>> 0 && hi === r[2] >>> 0) {
    c.write(i.seg, off, 4, r[3]);
    c.write(i.seg, (off + 4) >>> 0, 4, r[1]);
    setArith(c, ZF, ZF);
  } else {
    c.write(i.seg, off, 4, lo);
    c.write(i.seg, (off + 4) >>> 0, 4, hi);
    r[0] = lo;
    r[2] = hi;
    setArith(c, ZF, 0);
  }
}

/** 0F C8-CF: BSWAP r32 (with 0x66 the SDM leaves the result undefined; QEMU swaps all 32 bits). */
export function opBswap(c: Cpu, i: Insn): void {
  const n = i.opc & 7;
  const v = c.r[n];
  c.r[n] = ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}
