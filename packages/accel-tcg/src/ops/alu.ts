import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { CF, getCF, LazyOp, lazyCarry, setLazy } from '../exec/flags.js';
import { ea, trunc } from './operands.js';

/** ALU operation numbers as encoded in opcodes 00-3F and group 1: ADD OR ADC SBB AND SUB XOR CMP. */
export const enum AluOp {
  Add = 0,
  Or = 1,
  Adc = 2,
  Sbb = 3,
  And = 4,
  Sub = 5,
  Xor = 6,
  Cmp = 7,
}

/** Compute `a op b` for `size`, record the flags lazily, return the (masked) result. */
export function alu(c: Cpu, op: number, size: number, a: number, b: number): number {
  let r: number;
  switch (op) {
    case AluOp.Add:
      r = trunc(a + b, size);
      setLazy(c, LazyOp.Add, size, a, b, r);
      return r;
    case AluOp.Or:
      r = trunc(a | b, size);
      setLazy(c, LazyOp.Logic, size, a, b, r);
      return r;
    case AluOp.Adc: {
      const cin = getCF(c) ? 1 : 0;
      r = trunc(a + b + cin, size);
      setLazy(c, LazyOp.Adc, size, a, b, r);
      c.lcin = cin;
      return r;
    }
    case AluOp.Sbb: {
      const cin = getCF(c) ? 1 : 0;
      r = trunc(a - b - cin, size);
      setLazy(c, LazyOp.Sbb, size, a, b, r);
      c.lcin = cin;
      return r;
    }
    case AluOp.And:
      r = trunc(a & b, size);
      setLazy(c, LazyOp.Logic, size, a, b, r);
      return r;
    case AluOp.Xor:
      r = trunc(a ^ b, size);
      setLazy(c, LazyOp.Logic, size, a, b, r);
      return r;
    default:
      r = trunc(a - b, size);
      setLazy(c, LazyOp.Sub, size, a, b, r);
      return r;
  }
}

function aluToRm(c: Cpu, i: Insn, op: number, b: number): void {
  const size = i.size;
  if (!i.mem) {
    const r = alu(c, op, size, c.getReg(i.rm, size), b);
    if (op !== AluOp.Cmp) c.setReg(i.rm, size, r);
    return;
  }
  const off = ea(c, i);
  if (op === AluOp.Cmp) {
    alu(c, op, size, c.read(i.seg, off, size), b);
    return;
  }
  const r = alu(c, op, size, c.readRmw(i.seg, off, size), b);
  c.write(i.seg, off, size, r);
}

/** 00/01, 08/09...: r/m ← r/m op reg. */
export function opAluRmReg(c: Cpu, i: Insn): void {
  aluToRm(c, i, (i.opc >> 3) & 7, c.getReg(i.reg, i.size));
}

/** 02/03, 0A/0B...: reg ← reg op r/m. */
export function opAluRegRm(c: Cpu, i: Insn): void {
  const op = (i.opc >> 3) & 7;
  const size = i.size;
  const b = i.mem ? c.read(i.seg, ea(c, i), size) : c.getReg(i.rm, size);
  const r = alu(c, op, size, c.getReg(i.reg, size), b);
  if (op !== AluOp.Cmp) c.setReg(i.reg, size, r);
}

/** 04/05, 0C/0D...: AL/eAX ← AL/eAX op imm. */
export function opAluAccImm(c: Cpu, i: Insn): void {
  const op = (i.opc >> 3) & 7;
  const r = alu(c, op, i.size, c.getReg(0, i.size), i.imm);
  if (op !== AluOp.Cmp) c.setReg(0, i.size, r);
}

/** 80/81/83: r/m op imm (83 sign-extends its byte immediate). */
export function opGrp1(c: Cpu, i: Insn): void {
  aluToRm(c, i, i.reg, trunc(i.imm, i.size));
}

/** 84/85, A8/A9, F6/F7 /0: AND without storing. */
export function opTestRmReg(c: Cpu, i: Insn): void {
  const size = i.size;
  const a = i.mem ? c.read(i.seg, ea(c, i), size) : c.getReg(i.rm, size);
  alu(c, AluOp.And, size, a, c.getReg(i.reg, size));
}

export function opTestAccImm(c: Cpu, i: Insn): void {
  alu(c, AluOp.And, i.size, c.getReg(0, i.size), i.imm);
}

export function opTestRmImm(c: Cpu, i: Insn): void {
  const size = i.size;
  const a = i.mem ? c.read(i.seg, ea(c, i), size) : c.getReg(i.rm, size);
  alu(c, AluOp.And, size, a, trunc(i.imm, size));
}

function incDec(c: Cpu, size: number, a: number, dec: boolean): number {
  // INC/DEC leave CF alone: remember it before the lazy record is replaced.
  const cf = lazyCarry(c);
  const r = trunc(dec ? a - 1 : a + 1, size);
  setLazy(c, dec ? LazyOp.Dec : LazyOp.Inc, size, a, 1, r);
  c.lcin = cf & CF;
  return r;
}

/** 40-4F: INC/DEC r16/r32. */
export function opIncDecReg(c: Cpu, i: Insn): void {
  const n = i.opc & 7;
  c.setReg(n, i.size, incDec(c, i.size, c.getReg(n, i.size), i.opc >= 0x48));
}

/** FE/FF /0 /1: INC/DEC r/m. */
export function opIncDecRm(c: Cpu, i: Insn): void {
  const dec = i.reg === 1;
  if (!i.mem) {
    c.setReg(i.rm, i.size, incDec(c, i.size, c.getReg(i.rm, i.size), dec));
    return;
  }
  const off = ea(c, i);
  c.write(i.seg, off, i.size, incDec(c, i.size, c.readRmw(i.seg, off, i.size), dec));
}

/** F6/F7 /2: NOT (no flags). */
export function opNot(c: Cpu, i: Insn): void {
  if (!i.mem) {
    c.setReg(i.rm, i.size, ~c.getReg(i.rm, i.size));
    return;
  }
  const off = ea(c, i);
  c.write(i.seg, off, i.size, trunc(~c.readRmw(i.seg, off, i.size), i.size));
}

/** F6/F7 /3: NEG (flags as 0 - x). */
export function opNeg(c: Cpu, i: Insn): void {
  if (!i.mem) {
    c.setReg(i.rm, i.size, alu(c, AluOp.Sub, i.size, 0, c.getReg(i.rm, i.size)));
    return;
  }
  const off = ea(c, i);
  c.write(i.seg, off, i.size, alu(c, AluOp.Sub, i.size, 0, c.readRmw(i.seg, off, i.size)));
}
