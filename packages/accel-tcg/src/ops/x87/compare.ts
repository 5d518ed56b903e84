import type { Handler, Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { AF, CF, OF, PF, SF, setArith, ZF } from '../../exec/flags.js';
import {
  F80Order,
  type Float80Env,
  f80Compare,
  f80Examine,
  f80FromFloat32,
  f80FromFloat64,
  f80FromInt32,
  POS_ZERO,
  type RawExtended,
} from '../../fpu/float80/index.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { Entry, enter } from './guard.js';
import { readM16, readM32, readM64 } from './memory.js';
import { blocked, commit, envOf } from './outcome.js';
import { empty, setCc, underflow } from './stack.js';

// FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/FUCOMPP, FICOM/FICOMP, FCOMI/FCOMIP/FUCOMI/FUCOMIP, FTST
// and FXAM. FCOM-style results go to C3 C2 C0 (C1 cleared); FCOMI-style to ZF PF CF (OF SF
// AF cleared). An unmasked invalid operand leaves the condition codes / flags as they were.

const CC_OF_ORDER = [0, Fsw.C0, Fsw.C3, Fsw.C3 | Fsw.C2 | Fsw.C0];
const EFLAGS_OF_ORDER = [0, CF, ZF, ZF | PF | CF];
const COMI_FLAGS = CF | PF | ZF | OF | SF | AF;

/** Compare ST(0) with `b` (given lazily so an empty ST(0) is seen first); returns the order or -1 if blocked. */
function compareSt0(c: Cpu, b: () => RawExtended, bEmpty: boolean, quiet: boolean, env: Float80Env): number {
  if (empty(c, 0) || bEmpty) {
    // Stack underflow: masked, the operands compare unordered.
    return underflow(c) ? F80Order.Unordered : -1;
  }
  const order = f80Compare(c.fpu.readSt(0), b(), !quiet, env);
  const ok = !blocked(env);
  commit(c, env);
  return ok ? order : -1;
}

/** FCOM-style: C3 C2 C0 from the order, C1 = 0; then pop `pops` times. */
function toConditionCodes(c: Cpu, order: number, pops: number): void {
  if (order < 0) return;
  setCc(c, CC_OF_ORDER[order]);
  for (let k = 0; k < pops; k++) c.fpu.pop();
}

/** D8 D0+i / DC D0+i (FCOM ST(i)), D8 D8+i (FCOMP), DD E0+i (FUCOM), DD E8+i (FUCOMP), DE D9, DA E9. */
export function compareRegister(quiet: boolean, pops: number, fixedSecond?: number): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    const k = fixedSecond ?? i.rm;
    const order = compareSt0(c, () => c.fpu.readSt(k), empty(c, k), quiet, envOf(c));
    toConditionCodes(c, order, pops);
  };
}

/** D8 /2 /3, DC /2 /3 (FCOM(P) m32fp/m64fp) and DA/DE /2 /3 (FICOM(P) m32int/m16int). */
export function compareMemory(format: 'f32' | 'f64' | 'i32' | 'i16', pop: boolean): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    const env = envOf(c);
    let load: () => RawExtended;
    if (format === 'f32') {
      const bits = readM32(c, i);
      load = () => f80FromFloat32(bits, env);
    } else if (format === 'f64') {
      const m = readM64(c, i);
      load = () => f80FromFloat64(m.hi, m.lo, env);
    } else if (format === 'i32') {
      const v = readM32(c, i) | 0;
      load = () => f80FromInt32(v);
    } else {
      const v = (readM16(c, i) << 16) >> 16;
      load = () => f80FromInt32(v);
    }
    toConditionCodes(c, compareSt0(c, load, false, false, env), pop ? 1 : 0);
  };
}

/** D9 E4: FTST — compare ST(0) with +0.0. */
export function opFtst(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  toConditionCodes(
    c,
    compareSt0(c, () => POS_ZERO, false, false, envOf(c)),
    0,
  );
}

/** DB F0+i (FCOMI), DB E8+i (FUCOMI), DF F0+i (FCOMIP), DF E8+i (FUCOMIP): EFLAGS from the order. */
export function compareToEflags(quiet: boolean, pop: boolean): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    c.fpu.fsw &= ~Fsw.C1;
    const order = compareSt0(c, () => c.fpu.readSt(i.rm), empty(c, i.rm), quiet, envOf(c));
    if (order < 0) return;
    setArith(c, COMI_FLAGS, EFLAGS_OF_ORDER[order]);
    if (pop) c.fpu.pop();
  };
}

/** D9 E5: FXAM — class in C3 C2 C0, sign in C1; an empty register is class 101. */
export function opFxam(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const v = c.fpu.readSt(0);
  const sign = v.signExp & 0x8000 ? Fsw.C1 : 0;
  setCc(c, empty(c, 0) ? Fsw.C3 | Fsw.C0 | sign : f80Examine(v));
}
