import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import {
  BCD_INDEFINITE,
  type Float80Env,
  f80FromBcd,
  f80FromFloat32,
  f80FromFloat64,
  f80FromInt32,
  f80FromInt64,
  f80ToBcd,
  f80ToFloat32,
  f80ToFloat64,
  f80ToInt16,
  f80ToInt32,
  f80ToInt64,
  type RawExtended,
} from '../../fpu/float80/index.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { ea } from '../operands.js';
import { Entry, enter } from './guard.js';
import { type Halves, readM16, readM32, readM64, writeM16, writeM32, writeM64 } from './memory.js';
import { blocked, blockedStore, commit, envOf } from './outcome.js';
import { empty, INDEFINITE, overflow, setC1, underflow } from './stack.js';

// Loads and stores that convert: FLD m32/m64, FILD m16/m32/m64, FBLD, FST(P) m32/m64,
// FIST(P) m16/m32/m64 and FBSTP. Loads are exact (m32/m64: SNaN → IE, denormal → DE); stores
// round once by FCW.RC to the memory format.

/**
 * Push a value converted under `env`: stack overflow first (masked: the indefinite, and the
 * conversion's own flags are dropped), then the load's own faults. Converting before the check
 * changes nothing visible: the conversion only writes env.
 */
function pushLoaded(c: Cpu, env: Float80Env, v: RawExtended): void {
  setC1(c, false);
  if (!empty(c, 7)) {
    if (overflow(c)) c.fpu.push(INDEFINITE);
    return;
  }
  if (blocked(env)) {
    commit(c, env);
    return;
  }
  c.fpu.push(v);
  commit(c, env);
}

export function opFldM32(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const bits = readM32(c, i);
  const env = envOf(c);
  pushLoaded(c, env, f80FromFloat32(bits, env));
}

export function opFldM64(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const m = readM64(c, i);
  const env = envOf(c);
  pushLoaded(c, env, f80FromFloat64(m.hi, m.lo, env));
}

export function opFildM16(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const v = (readM16(c, i) << 16) >> 16;
  pushLoaded(c, envOf(c), f80FromInt32(v));
}

export function opFildM32(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const v = readM32(c, i) | 0;
  pushLoaded(c, envOf(c), f80FromInt32(v));
}

export function opFildM64(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const m = readM64(c, i);
  pushLoaded(c, envOf(c), f80FromInt64(m.hi, m.lo));
}

/** DF /4: FBLD m80bcd. */
export function opFbld(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const a = ea(c, i);
  const bytes = new Uint8Array(10);
  for (let k = 0; k < 10; k++) bytes[k] = c.read(i.seg, i.a32 ? (a + k) >>> 0 : (a + k) & 0xffff, 1);
  pushLoaded(c, envOf(c), f80FromBcd(bytes));
}

/**
 * The common shape of a converting store: an empty ST(0) is a stack underflow (masked: the
 * format's indefinite is stored); an unmasked IE/DE/OE/UE stores nothing and does not pop.
 */
function storeConverted<T>(
  c: Cpu,
  pop: boolean,
  convert: (v: RawExtended, env: ReturnType<typeof envOf>) => T,
  indefinite: T,
  write: (v: T) => void,
): void {
  if (empty(c, 0)) {
    // Masked: the indefinite is stored before any flag changes (a faulting store changes nothing).
    if (c.fpu.fcw & Fsw.IE) write(indefinite);
    if (underflow(c) && pop) c.fpu.pop();
    return;
  }
  const env = envOf(c);
  const out = convert(c.fpu.readSt(0), env);
  if (blockedStore(env)) {
    commit(c, env);
    return;
  }
  write(out);
  commit(c, env);
  if (pop) c.fpu.pop();
}

const storeF32 = (c: Cpu, i: Insn, pop: boolean) =>
  storeConverted(c, pop, f80ToFloat32, 0xffc00000, (v) => writeM32(c, i, v));
const storeF64 = (c: Cpu, i: Insn, pop: boolean) =>
  storeConverted<Halves>(c, pop, f80ToFloat64, { hi: 0xfff80000, lo: 0 }, (v) => writeM64(c, i, v));
const storeI16 = (c: Cpu, i: Insn, pop: boolean) =>
  storeConverted(c, pop, f80ToInt16, 0x8000, (v) => writeM16(c, i, v));
const storeI32 = (c: Cpu, i: Insn, pop: boolean) =>
  storeConverted(c, pop, f80ToInt32, 0x80000000, (v) => writeM32(c, i, v));

export function opFstM32(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeF32(c, i, false);
}
export function opFstpM32(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeF32(c, i, true);
}
export function opFstM64(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeF64(c, i, false);
}
export function opFstpM64(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeF64(c, i, true);
}
export function opFistM16(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeI16(c, i, false);
}
export function opFistpM16(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeI16(c, i, true);
}
export function opFistM32(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeI32(c, i, false);
}
export function opFistpM32(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeI32(c, i, true);
}
export function opFistpM64(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  storeConverted<Halves>(c, true, f80ToInt64, { hi: 0x80000000, lo: 0 }, (v) => writeM64(c, i, v));
}

/** DF /6: FBSTP m80bcd. */
export function opFbstp(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const a = ea(c, i);
  const write = (bytes: ArrayLike<number>) => {
    c.mmu.probeWrite(c.linW(i.seg, a, 10), 10);
    for (let k = 0; k < 10; k++) c.write(i.seg, i.a32 ? (a + k) >>> 0 : (a + k) & 0xffff, 1, bytes[k]);
  };
  storeConverted<ArrayLike<number>>(c, true, f80ToBcd, BCD_INDEFINITE, write);
}
