import type { Handler, Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import {
  type Float80Env,
  f80Atan2,
  f80Cos,
  f80Sin,
  f80SinCos,
  f80Tan,
  f80TwoToXMinus1,
  f80YLog2X,
  f80YLog2XP1,
  POS_ONE,
  type RawExtended,
  type TrigResult,
} from '../../fpu/float80/index.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { Entry, enter } from './guard.js';
import { blocked, commit, envOf } from './outcome.js';
import { empty, INDEFINITE, put, readyToReplaceAndPush, underflow } from './stack.js';

// FSIN, FCOS, FSINCOS, FPTAN (C2 = 1 and ST(0) untouched when |x| ≥ 2^63), FPATAN, F2XM1,
// FYL2X and FYL2XP1. The values come from float80's multiprecision evaluation, rounded once.

const setC2 = (c: Cpu, on: boolean): void => {
  c.fpu.fsw = on ? c.fpu.fsw | Fsw.C2 : c.fpu.fsw & ~Fsw.C2;
};

/** FSIN/FCOS: ST(0) ← f(ST(0)). */
function trig(f: (a: RawExtended, env: Float80Env) => TrigResult): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    if (empty(c, 0)) {
      if (underflow(c)) put(c, 0, INDEFINITE);
      return;
    }
    const env = envOf(c);
    const r = f(c.fpu.readSt(0), env);
    if (r.outOfRange) {
      setC2(c, true);
      return;
    }
    if (!blocked(env)) c.fpu.writeSt(0, r.value);
    commit(c, env);
    setC2(c, false);
  };
}

export const opFsin = trig(f80Sin);
export const opFcos = trig(f80Cos);

/** What FPTAN and FSINCOS compute: ST(0)'s replacement and the value pushed after it. */
interface ReplaceAndPush {
  readonly outOfRange: boolean;
  readonly first: RawExtended;
  readonly pushed: RawExtended;
}

/** FPTAN/FSINCOS: ST(0) ← first, then push; C2 = 1 and nothing changed when out of range. */
function replaceAndPush(f: (a: RawExtended, env: Float80Env) => ReplaceAndPush): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    if (!readyToReplaceAndPush(c)) return;
    const env = envOf(c);
    const r = f(c.fpu.readSt(0), env);
    if (r.outOfRange) {
      setC2(c, true);
      return;
    }
    if (blocked(env)) {
      commit(c, env);
      return;
    }
    c.fpu.writeSt(0, r.first);
    c.fpu.push(r.pushed);
    commit(c, env);
    setC2(c, false);
  };
}

/** FPTAN: ST(0) ← tan(ST(0)), then push +1.0. */
export const opFptan = replaceAndPush((a, env) => {
  const r = f80Tan(a, env);
  return { outOfRange: r.outOfRange, first: r.value, pushed: POS_ONE };
});

/** FSINCOS: ST(0) ← sin, then push cos. */
export const opFsincos = replaceAndPush((a, env) => {
  const r = f80SinCos(a, env);
  return { outOfRange: r.outOfRange, first: r.sin, pushed: r.cos };
});

/** F2XM1: ST(0) ← 2^ST(0) − 1. */
export function opF2xm1(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  if (empty(c, 0)) {
    if (underflow(c)) put(c, 0, INDEFINITE);
    return;
  }
  const env = envOf(c);
  const r = f80TwoToXMinus1(c.fpu.readSt(0), env);
  if (!blocked(env)) c.fpu.writeSt(0, r);
  commit(c, env);
}

/** FPATAN, FYL2X, FYL2XP1: ST(1) ← f(ST(1), ST(0)), then pop. */
function binaryPop(f: (y: RawExtended, x: RawExtended, env: Float80Env) => RawExtended): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    if (empty(c, 0) || empty(c, 1)) {
      if (!underflow(c)) return;
      put(c, 1, INDEFINITE);
      c.fpu.pop();
      return;
    }
    const env = envOf(c);
    const r = f(c.fpu.readSt(1), c.fpu.readSt(0), env);
    if (blocked(env)) {
      commit(c, env);
      return;
    }
    c.fpu.writeSt(1, r);
    commit(c, env);
    c.fpu.pop();
  };
}

export const opFpatan = binaryPop(f80Atan2);
export const opFyl2x = binaryPop(f80YLog2X);
export const opFyl2xp1 = binaryPop(f80YLog2XP1);
