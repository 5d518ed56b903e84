/** Small helpers shared by the float80 tests. */
import { envFromFcw, type Float80Env, f80FromFloat64, f80ToFloat64 } from '../../../src/fpu/float80/index.js';
import type { RawExtended } from '../../../src/fpu/fpu-state.js';

export const MASKED = 0x037f;

export function env(fcw = MASKED): Float80Env {
  return envFromFcw(fcw);
}

/** An environment with the given RC (0..3), 64-bit precision, all exceptions masked. */
export function rcEnv(rc: number): Float80Env {
  return envFromFcw(MASKED | (rc << 10));
}

export function x(signExp: number, hi: number, lo: number): RawExtended {
  return { signExp, hi: hi >>> 0, lo: lo >>> 0 };
}

export function hex(v: RawExtended): string {
  return `${v.signExp.toString(16).padStart(4, '0')}:${v.hi.toString(16).padStart(8, '0')}${v.lo.toString(16).padStart(8, '0')}`;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function fromNumber(n: number): RawExtended {
  f64[0] = n;
  return f80FromFloat64(u32[1], u32[0], env());
}

export function toNumber(a: RawExtended, e = env()): number {
  const r = f80ToFloat64(a, e);
  u32[1] = r.hi;
  u32[0] = r.lo;
  return f64[0];
}

export const ONE = x(0x3fff, 0x80000000, 0);
export const TWO = x(0x4000, 0x80000000, 0);
export const POS_INF = x(0x7fff, 0x80000000, 0);
export const NEG_INF = x(0xffff, 0x80000000, 0);
export const POS_ZERO = x(0, 0, 0);
export const NEG_ZERO = x(0x8000, 0, 0);
export const INDEFINITE = x(0xffff, 0xc0000000, 0);
export const SNAN = x(0x7fff, 0x80000000, 0x1234);
export const QNAN = x(0x7fff, 0xc0000000, 0x5678);
export const DENORMAL = x(0, 0x40000000, 0);
export const PSEUDO_DENORMAL = x(0, 0x80000000, 0);
export const UNNORMAL = x(0x4000, 0x40000000, 0);
export const PSEUDO_INF = x(0x7fff, 0, 0);
export const PSEUDO_NAN = x(0x7fff, 0x40000000, 1);
