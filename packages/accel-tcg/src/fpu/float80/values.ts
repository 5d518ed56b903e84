/**
 * Encodings of the 80-bit extended format (SDM Vol. 1 §4.2.2, Table 8-3): classification,
 * the special values and the exact unpacked form the slow paths compute with.
 */
import type { RawExtended } from '../fpu-state.js';

export type { RawExtended };

/** Encoding classes. Pseudo-denormals count as Denormal (accepted); unnormals, pseudo-NaNs and
 *  pseudo-infinities are Unsupported (they raise IE as operands). */
export const enum F80Class {
  Unsupported = 0,
  NaN = 1,
  Normal = 2,
  Infinity = 3,
  Zero = 4,
  Denormal = 5,
}

export const EXP_BIAS = 16383;
export const EXP_MAX = 0x7fff;
/** Unbiased exponent of the smallest normal, 2^-16382. */
export const EMIN = 1 - EXP_BIAS;
/** Unbiased exponent of the largest finite, just under 2^16384. */
export const EMAX = 0x7ffe - EXP_BIAS;
/** Exponent adjustment of unmasked OE/UE results for register destinations (SDM §4.9.1.4). */
export const UNMASKED_BIAS_ADJUST = 0x6000;

export function raw(signExp: number, hi: number, lo: number): RawExtended {
  return { signExp: signExp & 0xffff, hi: hi >>> 0, lo: lo >>> 0 };
}

/** The real indefinite: sign 1, exponent all ones, significand 0xC000000000000000. */
export const INDEFINITE: Readonly<RawExtended> = Object.freeze(raw(0xffff, 0xc0000000, 0));
export const POS_ZERO: Readonly<RawExtended> = Object.freeze(raw(0, 0, 0));
export const NEG_ZERO: Readonly<RawExtended> = Object.freeze(raw(0x8000, 0, 0));
export const POS_ONE: Readonly<RawExtended> = Object.freeze(raw(EXP_BIAS, 0x80000000, 0));

export function indefinite(): RawExtended {
  return { ...INDEFINITE };
}
export function zero(sign: number): RawExtended {
  return raw(sign ? 0x8000 : 0, 0, 0);
}
export function infinity(sign: number): RawExtended {
  return raw((sign ? 0x8000 : 0) | EXP_MAX, 0x80000000, 0);
}

export function signOf(a: RawExtended): number {
  return (a.signExp >> 15) & 1;
}
export function biasedExp(a: RawExtended): number {
  return a.signExp & EXP_MAX;
}

export function classify(a: RawExtended): F80Class {
  const exp = a.signExp & EXP_MAX;
  const integerBit = a.hi >>> 31;
  if (exp === 0) return a.hi === 0 && a.lo === 0 ? F80Class.Zero : F80Class.Denormal;
  if (integerBit === 0) return F80Class.Unsupported;
  if (exp === EXP_MAX) {
    return a.hi === 0x80000000 && a.lo === 0 ? F80Class.Infinity : F80Class.NaN;
  }
  return F80Class.Normal;
}

export function isNaN80(a: RawExtended): boolean {
  return classify(a) === F80Class.NaN;
}
/** An SNaN: a NaN with significand bit 62 clear. */
export function isSignalingNaN(a: RawExtended): boolean {
  return classify(a) === F80Class.NaN && (a.hi & 0x40000000) === 0;
}
/** The NaN with its quiet bit (62) set. */
export function quietNaN(a: RawExtended): RawExtended {
  return raw(a.signExp, a.hi | 0x40000000, a.lo);
}

/** Significand as a BigInt. */
export function significand(a: RawExtended): bigint {
  return (BigInt(a.hi) << 32n) | BigInt(a.lo);
}

/** A finite value as sign × sig × 2^exp exactly (denormals and pseudo-denormals use exponent 1). */
export interface Unpacked {
  sign: number;
  sig: bigint;
  exp: number;
}

export function unpack(a: RawExtended): Unpacked {
  const e = a.signExp & EXP_MAX;
  return { sign: signOf(a), sig: significand(a), exp: Math.max(e, 1) - EXP_BIAS - 63 };
}

/** Pack an already-representable value (sig < 2^64, normal or denormal range) without rounding. */
export function packExact(sign: number, sig: bigint, exp: number): RawExtended {
  if (sig === 0n) return zero(sign);
  let s = sig;
  let e = exp;
  const len = bitLength(s);
  // Normalize so bit 63 is the integer bit, but never below the denormal exponent.
  let shift = 64 - len;
  const minExp = EMIN - 63;
  if (e - shift < minExp) shift = e - minExp;
  if (shift > 0) s <<= BigInt(shift);
  else if (shift < 0) s >>= BigInt(-shift);
  e -= shift;
  const biased = s >> 63n === 1n ? e + 63 + EXP_BIAS : 0;
  return raw((sign ? 0x8000 : 0) | biased, Number((s >> 32n) & 0xffffffffn), Number(s & 0xffffffffn));
}

export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  let len = 0;
  let x = n < 0n ? -n : n;
  while (x >= 1n << 64n) {
    x >>= 64n;
    len += 64;
  }
  const hi = Number(x >> 32n);
  const lo = Number(x & 0xffffffffn);
  return len + (hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo));
}
