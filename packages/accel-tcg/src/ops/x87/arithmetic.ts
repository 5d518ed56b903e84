import type { Handler, Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import {
  type Float80Env,
  f80Add,
  f80Div,
  f80Extract,
  f80FromFloat32,
  f80FromFloat64,
  f80FromInt32,
  f80Mul,
  f80Prem,
  f80Prem1,
  f80RoundToInt,
  f80Scale,
  f80Sqrt,
  f80Sub,
  type RawExtended,
  type RemainderResult,
} from '../../fpu/float80/index.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { Entry, enter } from './guard.js';
import { readM16, readM32, readM64 } from './memory.js';
import { blocked, commit, envOf } from './outcome.js';
import { empty, INDEFINITE, put, readyToReplaceAndPush, setCc, underflow } from './stack.js';

// FADD FMUL FSUB FSUBR FDIV FDIVR in every operand form (m32fp, m64fp, m16int, m32int,
// ST(0)←ST(i), ST(i)←ST(0), and popping), FIADD.., FSQRT, FABS, FCHS, FRNDINT, FSCALE,
// FXTRACT, FPREM and FPREM1. Results are rounded by FCW.PC and FCW.RC in float80.

/** ModRM.reg of the D8/DC memory forms: 0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr. */
export type ArithKind = 0 | 1 | 4 | 5 | 6 | 7;

/** `dest op src` (the reversed forms swap the operands). */
function compute(kind: ArithKind, dest: RawExtended, src: RawExtended, env: Float80Env): RawExtended {
  switch (kind) {
    case 0:
      return f80Add(dest, src, env);
    case 1:
      return f80Mul(dest, src, env);
    case 4:
      return f80Sub(dest, src, env);
    case 5:
      return f80Sub(src, dest, env);
    case 6:
      return f80Div(dest, src, env);
    case 7:
      return f80Div(src, dest, env);
  }
}

/** The memory operand formats of the arithmetic escapes. */
export const enum MemFormat {
  F32 = 0,
  I32 = 1,
  F64 = 2,
  I16 = 3,
}

/** Operand words read by readOperand: m64's high half (other formats: 0) and the low bits. */
let operandHi = 0;
let operandLo = 0;

/** Read the memory operand into (operandHi, operandLo) before any FPU state changes. */
function readOperand(c: Cpu, i: Insn, format: MemFormat): void {
  if (format === MemFormat.F64) {
    const m = readM64(c, i);
    operandHi = m.hi;
    operandLo = m.lo;
    return;
  }
  operandHi = 0;
  operandLo = format === MemFormat.I16 ? (readM16(c, i) << 16) >> 16 : readM32(c, i);
}

/** The operand read by readOperand as an extended value (its load faults go to env). */
function convertOperand(format: MemFormat, hi: number, lo: number, env: Float80Env): RawExtended {
  switch (format) {
    case MemFormat.F32:
      return f80FromFloat32(lo, env);
    case MemFormat.F64:
      return f80FromFloat64(hi, lo, env);
    case MemFormat.I32:
    case MemFormat.I16:
      return f80FromInt32(lo | 0);
  }
}

/** ST(0) ← ST(0) op memory. */
export function arithMemory(kind: ArithKind, format: MemFormat): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    readOperand(c, i, format);
    const hi = operandHi;
    const lo = operandLo;
    if (empty(c, 0)) {
      if (underflow(c)) put(c, 0, INDEFINITE);
      return;
    }
    const env = envOf(c);
    const src = convertOperand(format, hi, lo, env);
    const r = compute(kind, c.fpu.readSt(0), src, env);
    if (!blocked(env)) c.fpu.writeSt(0, r);
    commit(c, env);
  };
}

/** D8 (ST(0) ← ST(0) op ST(i)), DC (ST(i) ← ST(i) op ST(0)) and DE (the same, then pop). */
export function arithRegister(kind: ArithKind, destIsSti: boolean, pop: boolean): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    const d = destIsSti ? i.rm : 0;
    const s = destIsSti ? 0 : i.rm;
    if (empty(c, d) || empty(c, s)) {
      if (!underflow(c)) return;
      put(c, d, INDEFINITE);
      if (pop) c.fpu.pop();
      return;
    }
    const env = envOf(c);
    const r = compute(kind, c.fpu.readSt(d), c.fpu.readSt(s), env);
    if (blocked(env)) {
      commit(c, env);
      return;
    }
    c.fpu.writeSt(d, r);
    commit(c, env);
    if (pop) c.fpu.pop();
  };
}

/** ST(0) ← f(ST(0)) for the one-operand instructions; an empty ST(0) is a stack underflow. */
function unary(f: (a: RawExtended, env: Float80Env) => RawExtended): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    if (empty(c, 0)) {
      if (underflow(c)) put(c, 0, INDEFINITE);
      return;
    }
    const env = envOf(c);
    const r = f(c.fpu.readSt(0), env);
    if (!blocked(env)) c.fpu.writeSt(0, r);
    commit(c, env);
  };
}

/** D9 E0: FCHS and D9 E1: FABS touch only the sign (no exception for NaNs). */
export const opFchs = unary((a) => ({ ...a, signExp: a.signExp ^ 0x8000 }));
export const opFabs = unary((a) => ({ ...a, signExp: a.signExp & 0x7fff }));
const fsqrt = unary(f80Sqrt);
/**
 * D9 FA: FSQRT. The SDM leaves C0, C2 and C3 undefined; like QEMU, a negative operand (the
 * invalid case, or -0) sets C2 and clears C0 and C3.
 */
export function opFsqrt(c: Cpu, i: Insn): void {
  const negative = !empty(c, 0) && (c.fpu.readSt(0).signExp & 0x8000) !== 0;
  fsqrt(c, i);
  if (negative) c.fpu.fsw = (c.fpu.fsw & ~(Fsw.C0 | Fsw.C3)) | Fsw.C2;
}
export const opFrndint = unary(f80RoundToInt);

/** D9 FD: FSCALE — ST(0) ← ST(0) × 2^trunc(ST(1)). */
export function opFscale(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  if (empty(c, 0) || empty(c, 1)) {
    if (underflow(c)) put(c, 0, INDEFINITE);
    return;
  }
  const env = envOf(c);
  const r = f80Scale(c.fpu.readSt(0), c.fpu.readSt(1), env);
  if (!blocked(env)) c.fpu.writeSt(0, r);
  commit(c, env);
}

/** D9 F4: FXTRACT — ST(0) ← exponent, then push the significand. */
export function opFxtract(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  if (!readyToReplaceAndPush(c)) return;
  const env = envOf(c);
  const r = f80Extract(c.fpu.readSt(0), env);
  if (blocked(env)) {
    commit(c, env);
    return;
  }
  c.fpu.writeSt(0, r.exponent);
  c.fpu.push(r.significand);
  commit(c, env);
}

/** FPREM/FPREM1: ST(0) ← remainder; C2 = incomplete, C0 C3 C1 = quotient bits Q2 Q1 Q0. */
function remainder(f: (a: RawExtended, b: RawExtended, env: Float80Env) => RemainderResult): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    if (empty(c, 0) || empty(c, 1)) {
      if (underflow(c)) put(c, 0, INDEFINITE);
      return;
    }
    const env = envOf(c);
    const r = f(c.fpu.readSt(0), c.fpu.readSt(1), env);
    if (blocked(env)) {
      commit(c, env);
      return;
    }
    c.fpu.writeSt(0, r.value);
    commit(c, env);
    const q = r.quotient;
    setCc(
      c,
      (r.incomplete ? Fsw.C2 : 0) | (q & 4 ? Fsw.C0 : 0) | (q & 2 ? Fsw.C3 : 0) | (q & 1 ? Fsw.C1 : 0),
    );
  };
}

export const opFprem = remainder(f80Prem);
export const opFprem1 = remainder(f80Prem1);
