/** FRNDINT, FSCALE and FXTRACT: exponent and integer manipulation (64-bit precision always). */
import { Fsw } from '../fpu-state.js';
import { f80FromInt32, roundToInteger } from './convert-int.js';
import type { Float80Env } from './env.js';
import { denormalCheck, invalid, screenOperands, stopped } from './operands.js';
import { roundPack } from './round.js';
import {
  bitLength,
  classify,
  EXP_BIAS,
  F80Class,
  infinity,
  packExact,
  type RawExtended,
  raw,
  signOf,
  unpack,
  zero,
} from './values.js';

/** FRNDINT: round to an integer by FCW.RC (PE when inexact, C1 when rounded up). */
export function f80RoundToInt(a: RawExtended, env: Float80Env): RawExtended {
  const special = screenOperands(a, undefined, env);
  if (special) return special;
  const c = classify(a);
  if (c === F80Class.Infinity || c === F80Class.Zero) return { ...a };
  denormalCheck(env, a);
  if (stopped(env)) return a;
  if ((a.signExp & 0x7fff) >= EXP_BIAS + 63) return { ...a };
  const r = roundToInteger(a, env.rc);
  if (r.inexact) {
    env.flags |= Fsw.PE;
    if (r.up) env.roundedUp = true;
  }
  const sign = signOf(a);
  return packExact(sign, r.value < 0n ? -r.value : r.value, 0);
}

/** FSCALE: a × 2^trunc(b), with the SDM's FSCALE table for zeros and infinities. */
export function f80Scale(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  const special = screenOperands(a, b, env);
  if (special) return special;
  const ca = classify(a);
  const cb = classify(b);
  const sign = signOf(a);
  if (cb === F80Class.Infinity) {
    if (signOf(b) === 0) {
      if (ca === F80Class.Zero) return invalid(env);
      denormalCheck(env, a);
      return infinity(sign);
    }
    if (ca === F80Class.Infinity) return invalid(env);
    denormalCheck(env, a);
    return zero(sign);
  }
  denormalCheck(env, a, b);
  if (stopped(env)) return a;
  if (ca === F80Class.Infinity || ca === F80Class.Zero) return { ...a };
  // Truncate b; beyond ±2^20 every result is saturated anyway.
  const t = roundToInteger(b, 3).value;
  const n = t > 1n << 20n ? 1 << 20 : t < -(1n << 20n) ? -(1 << 20) : Number(t);
  const u = unpack(a);
  return roundPack(sign, u.sig, u.exp + n, false, env, 64);
}

export interface ExtractResult {
  /** The unbiased exponent as a value (goes to ST(1) after the push). */
  exponent: RawExtended;
  /** The significand with exponent 0x3fff and a's sign (the new ST(0)). */
  significand: RawExtended;
}

/** FXTRACT: ±0 → ZE, exponent -inf, significand ±0; ±inf → +inf and ±inf. */
export function f80Extract(a: RawExtended, env: Float80Env): ExtractResult {
  const special = screenOperands(a, undefined, env);
  if (special) return { exponent: special, significand: { ...special } };
  const c = classify(a);
  if (c === F80Class.Zero) {
    env.flags |= Fsw.ZE;
    return { exponent: infinity(1), significand: { ...a } };
  }
  if (c === F80Class.Infinity) return { exponent: infinity(0), significand: { ...a } };
  denormalCheck(env, a);
  const u = unpack(a);
  const len = bitLength(u.sig);
  const sig = u.sig << BigInt(64 - len);
  return {
    exponent: f80FromInt32(len - 1 + u.exp),
    significand: raw((signOf(a) << 15) | EXP_BIAS, Number(sig >> 32n), Number(sig & 0xffffffffn)),
  };
}
