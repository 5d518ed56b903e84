/** FILD/FIST(P) conversions (integers are exact in 64 bits; stores round by FCW.RC). */
import { Fsw } from '../fpu-state.js';
import { type Float80Env, Rc } from './env.js';
import { fastFromInt64, fastToInt } from './fast-convert.js';
import { classify, F80Class, type RawExtended, raw, unpack } from './values.js';

/** FILD m16/m32: a signed integer (any JS integer in int32 range). Exact. */
export function f80FromInt32(n: number): RawExtended {
  if (n === 0) return raw(0, 0, 0);
  const sign = n < 0 ? 0x8000 : 0;
  const mag = Math.abs(n) >>> 0;
  const lz = Math.clz32(mag);
  return raw(sign | (16383 + 31 - lz), (mag << lz) >>> 0, 0);
}

/** FILD m64: two's complement halves (hi, lo as 32-bit values). Exact. */
export function f80FromInt64(hi: number, lo: number): RawExtended {
  return fastFromInt64(hi, lo);
}

/**
 * Round to an integer by env.rc: the signed BigInt and whether it was inexact/rounded up.
 * Finite inputs only.
 */
export function roundToInteger(a: RawExtended, rc: number): { value: bigint; inexact: boolean; up: boolean } {
  const u = unpack(a);
  if (u.exp >= 0) {
    const m = u.sig << BigInt(u.exp);
    return { value: u.sign ? -m : m, inexact: false, up: false };
  }
  const shift = -u.exp;
  // Beyond 66 bits of shift the integer part is 0 and only "nonzero below" matters.
  const s = shift > 66 ? (u.sig === 0n ? 0n : 1n) : u.sig;
  const sh = BigInt(Math.min(shift, 66));
  let int = s >> sh;
  const rem = s & ((1n << sh) - 1n);
  let up = false;
  if (rem !== 0n) {
    const half = 1n << (sh - 1n);
    if (rc === Rc.Nearest) up = rem > half || (rem === half && (int & 1n) === 1n);
    else if (rc === Rc.Down) up = u.sign === 1;
    else if (rc === Rc.Up) up = u.sign === 0;
    if (up) int += 1n;
  }
  return { value: u.sign ? -int : int, inexact: rem !== 0n, up };
}

/**
 * The integer for FIST/FISTP/FBSTP, or undefined after raising IE (NaN, infinity, unsupported,
 * or out of [min, max]); QNaNs raise IE here too (SDM §8.5.1.2). PE and C1 on inexact.
 */
export function integerFor(a: RawExtended, env: Float80Env, min: bigint, max: bigint): bigint | undefined {
  const c = classify(a);
  if (c === F80Class.NaN || c === F80Class.Infinity || c === F80Class.Unsupported) {
    env.flags |= Fsw.IE;
    return undefined;
  }
  if (c === F80Class.Zero) return 0n;
  if ((a.signExp & 0x7fff) > 16383 + 80) {
    env.flags |= Fsw.IE;
    return undefined;
  }
  const r = roundToInteger(a, env.rc);
  if (r.value < min || r.value > max) {
    env.flags |= Fsw.IE;
    return undefined;
  }
  if (r.inexact) {
    env.flags |= Fsw.PE;
    if (r.up) env.roundedUp = true;
  }
  return r.value;
}

/** FIST m16: signed result; out of range, NaN, inf, unsupported → IE and -32768 (indefinite). */
export function f80ToInt16(a: RawExtended, env: Float80Env): number {
  const fast = fastToInt(a, env, -0x8000, 0x7fff);
  if (fast !== undefined) return fast;
  const v = integerFor(a, env, -(1n << 15n), (1n << 15n) - 1n);
  return v === undefined ? -0x8000 : Number(v);
}

/** FIST m32: signed result; overflow/NaN → IE and -2^31 (the integer indefinite). */
export function f80ToInt32(a: RawExtended, env: Float80Env): number {
  const fast = fastToInt(a, env, -0x80000000, 0x7fffffff);
  if (fast !== undefined) return fast;
  const v = integerFor(a, env, -(1n << 31n), (1n << 31n) - 1n);
  return v === undefined ? -0x80000000 : Number(v);
}

/** FISTP m64: two's complement halves; overflow/NaN → IE and 0x80000000_00000000. */
export function f80ToInt64(a: RawExtended, env: Float80Env): { hi: number; lo: number } {
  const fast = fastToInt(a, env, -0x80000000, 0x7fffffff);
  if (fast !== undefined) return { hi: fast < 0 ? 0xffffffff : 0, lo: fast >>> 0 };
  const v = integerFor(a, env, -(1n << 63n), (1n << 63n) - 1n);
  if (v === undefined) return { hi: 0x80000000, lo: 0 };
  const u = BigInt.asUintN(64, v);
  return { hi: Number(u >> 32n), lo: Number(u & 0xffffffffn) };
}
