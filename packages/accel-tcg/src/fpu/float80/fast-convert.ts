/**
 * Conversions on the fast path, in 32-bit words instead of BigInt: FLD m32/m64 of normal values,
 * FST m32/m64 of normal values that stay normal in the target, FILD m64, and FIST of values whose
 * integer fits in 31 bits. Everything else returns undefined and takes the exact path.
 */
import { Fsw } from '../fpu-state.js';
import { type Float80Env, Rc } from './env.js';
import { roundPackWords, TWO32 } from './fast-round.js';
import type { RawExtended } from './values.js';

/** FLD m64real of a normal double: exact, no flags. */
export function fastFromFloat64(hi: number, lo: number): RawExtended | undefined {
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0 || e === 0x7ff) return undefined;
  return {
    signExp: ((hi >>> 31) << 15) | (e - 1023 + 16383),
    hi: (0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21)) >>> 0,
    lo: (lo << 11) >>> 0,
  };
}

/** FLD m32real of a normal single: exact, no flags. */
export function fastFromFloat32(bits: number): RawExtended | undefined {
  const e = (bits >>> 23) & 0xff;
  if (e === 0 || e === 0xff) return undefined;
  return {
    signExp: ((bits >>> 31) << 15) | (e - 127 + 16383),
    hi: (0x80000000 | ((bits & 0x7fffff) << 8)) >>> 0,
    lo: 0,
  };
}

/** Rounded to `precision` bits by RC, with the double/single exponent still normal and finite. */
function roundForStore(
  a: RawExtended,
  precision: number,
  bias: number,
  maxBiased: number,
  env: Float80Env,
): RawExtended | undefined {
  const e = a.signExp & 0x7fff;
  // Normal in the target (≥ 1) with room for a rounding carry below its all-ones exponent.
  const target = e - 16383 + bias;
  if (target < 1 || target > maxBiased - 2 || a.hi >>> 31 === 0) return undefined;
  return roundPackWords(a.signExp >>> 15, e, a.hi, a.lo, 0, false, precision, env.rc, env);
}

/** FST m64real: the halves, or undefined off the fast path. */
export function fastToFloat64(a: RawExtended, env: Float80Env): { hi: number; lo: number } | undefined {
  const r = roundForStore(a, 53, 1023, 0x7ff, env);
  if (!r) return undefined;
  const e = (r.signExp & 0x7fff) - 16383 + 1023;
  return {
    hi: (((r.signExp >>> 15) << 31) | (e << 20) | ((r.hi >>> 11) & 0xfffff)) >>> 0,
    lo: ((r.hi << 21) | (r.lo >>> 11)) >>> 0,
  };
}

/** FST m32real: the bit pattern, or undefined off the fast path. */
export function fastToFloat32(a: RawExtended, env: Float80Env): number | undefined {
  const r = roundForStore(a, 24, 127, 0xff, env);
  if (!r) return undefined;
  const e = (r.signExp & 0x7fff) - 16383 + 127;
  return (((r.signExp >>> 15) << 31) | (e << 23) | ((r.hi >>> 8) & 0x7fffff)) >>> 0;
}

/** FILD m64: exact, every input. */
export function fastFromInt64(hi: number, lo: number): RawExtended {
  let h = hi >>> 0;
  let l = lo >>> 0;
  const sign = h >>> 31;
  if (sign === 1) {
    // Two's complement negation in words (-2^63 stays 0x80000000:00000000, its magnitude).
    l = (TWO32 - l) >>> 0;
    h = (~h + (l === 0 ? 1 : 0)) >>> 0;
  }
  if (h === 0 && l === 0) return { signExp: 0, hi: 0, lo: 0 };
  let e = 16383 + 63;
  if (h === 0) {
    h = l;
    l = 0;
    e -= 32;
  }
  const z = Math.clz32(h);
  if (z !== 0) {
    h = ((h << z) | (l >>> (32 - z))) >>> 0;
    l = (l << z) >>> 0;
    e -= z;
  }
  return { signExp: (sign << 15) | e, hi: h, lo: l };
}

/**
 * FIST: the rounded integer of a normal value below 2^31 in magnitude, if it lies in
 * [min, max]; undefined (the exact path decides, with its IE response) otherwise. Sets PE and
 * C1 like the exact path.
 */
export function fastToInt(a: RawExtended, env: Float80Env, min: number, max: number): number | undefined {
  const biased = a.signExp & 0x7fff;
  const e = biased - 16383;
  if (e > 30 || biased === 0 || a.hi >>> 31 === 0) return undefined;
  const sign = a.signExp >>> 15;
  let int: number;
  let half: boolean;
  let below: boolean;
  if (e >= 0) {
    // Integer part: the top e+1 bits of hi; the rest of hi (1..31 bits) and lo are the fraction.
    const fracBits = 31 - e;
    int = a.hi >>> fracBits;
    const frac = (a.hi << (32 - fracBits)) >>> 0;
    half = frac >>> 31 === 1;
    below = (frac & 0x7fffffff) !== 0 || a.lo !== 0;
  } else {
    int = 0;
    half = e === -1;
    below = e < -1 || (a.hi & 0x7fffffff) !== 0 || a.lo !== 0;
  }
  const inexact = half || below;
  let up = false;
  if (inexact) {
    switch (env.rc) {
      case Rc.Nearest:
        up = half && (below || (int & 1) === 1);
        break;
      case Rc.Down:
        up = sign === 1;
        break;
      case Rc.Up:
        up = sign === 0;
        break;
    }
    if (up) int += 1;
  }
  const v = sign === 1 ? -int : int;
  if (v < min || v > max) return undefined;
  if (inexact) {
    env.flags |= Fsw.PE;
    if (up) env.roundedUp = true;
  }
  return v;
}
