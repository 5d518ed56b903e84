/**
 * FSIN/FCOS/FSINCOS/FPTAN/FPATAN/F2XM1/FYL2X/FYL2XP1: the SDM's special-operand tables here,
 * the values from series.ts (200-bit multiprecision with a 384-bit π), rounded once to 64 bits
 * by FCW.RC. Results are the correctly rounded true values except when the true value lies
 * within ~2^-190 (relative) of a rounding boundary; exact cases (zeros, 2^n - 1, y·log2(2^k))
 * are computed exactly. Precision control does not apply (SDM §8.1.5.2).
 */
import { Fsw } from '../fpu-state.js';
import { compareMagnitude } from './compare-classify.js';
import { roundToInteger } from './convert-int.js';
import type { Float80Env } from './env.js';
import { add, div, fromRaw, ldexp, type Mp, mp, mul, neg, sub, top, toRaw } from './mp.js';
import { denormalCheck, invalid, propagateNaN, screenOperands, stopped } from './operands.js';
import { roundPack } from './round.js';
import { atanMp, expm1Mp, ln1pMp, ln2Mp, lnMp, MP_ONE, piMp, sinCosMp } from './series.js';
import {
  classify,
  EXP_BIAS,
  F80Class,
  infinity,
  POS_ONE,
  type RawExtended,
  raw,
  signOf,
  unpack,
  zero,
} from './values.js';

export interface TrigResult {
  value: RawExtended;
  /** |x| ≥ 2^63: FSW.C2 = 1 and ST(0) is left unchanged (value is a itself), no flags. */
  outOfRange: boolean;
}

type TrigPrologue = { done: TrigResult } | { done?: undefined };

/** Shared screening of FSIN/FCOS/FSINCOS/FPTAN; `zeroValue` is the result for ±0. */
function trigPrologue(
  a: RawExtended,
  env: Float80Env,
  zeroValue: (a: RawExtended) => RawExtended,
): TrigPrologue {
  const c = classify(a);
  if (c === F80Class.Unsupported || c === F80Class.Infinity)
    return { done: { value: invalid(env), outOfRange: false } };
  if (c === F80Class.NaN) return { done: { value: propagateNaN(a, undefined, env), outOfRange: false } };
  if (c === F80Class.Zero) return { done: { value: zeroValue(a), outOfRange: false } };
  if ((a.signExp & 0x7fff) >= EXP_BIAS + 63) return { done: { value: { ...a }, outOfRange: true } };
  denormalCheck(env, a);
  if (stopped(env)) return { done: { value: { ...a }, outOfRange: false } };
  return {};
}

export function f80Sin(a: RawExtended, env: Float80Env): TrigResult {
  const p = trigPrologue(a, env, (z) => ({ ...z }));
  if (p.done) return p.done;
  return { value: toRaw(sinCosMp(a).sin, env), outOfRange: false };
}

export function f80Cos(a: RawExtended, env: Float80Env): TrigResult {
  const p = trigPrologue(a, env, () => ({ ...POS_ONE }));
  if (p.done) return p.done;
  return { value: toRaw(sinCosMp(a).cos, env), outOfRange: false };
}

export function f80SinCos(
  a: RawExtended,
  env: Float80Env,
): { sin: RawExtended; cos: RawExtended; outOfRange: boolean } {
  const p = trigPrologue(a, env, (z) => ({ ...z }));
  if (p.done) {
    const { value, outOfRange } = p.done;
    const zeroIn = classify(a) === F80Class.Zero;
    return { sin: value, cos: zeroIn ? { ...POS_ONE } : { ...value }, outOfRange };
  }
  const sc = sinCosMp(a);
  return { sin: toRaw(sc.sin, env), cos: toRaw(sc.cos, env), outOfRange: false };
}

/** FPTAN's tangent (the caller then pushes +1.0). */
export function f80Tan(a: RawExtended, env: Float80Env): TrigResult {
  const p = trigPrologue(a, env, (z) => ({ ...z }));
  if (p.done) return p.done;
  const sc = sinCosMp(a);
  return { value: toRaw(div(sc.sin, sc.cos), env), outOfRange: false };
}

function fromConstant(x: Mp, sign: number, env: Float80Env): RawExtended {
  return toRaw(sign ? neg(x) : x, env);
}

/** FPATAN: atan2(y = ST(1), x = ST(0)) with the SDM's quadrant table (C's atan2 for zeros and infinities). */
export function f80Atan2(y: RawExtended, x: RawExtended, env: Float80Env): RawExtended {
  const special = screenOperands(y, x, env);
  if (special) return special;
  const cy = classify(y);
  const cx = classify(x);
  const sy = signOf(y);
  const sx = signOf(x);
  const pi = piMp();
  if (cy === F80Class.Zero || (cx === F80Class.Infinity && cy !== F80Class.Infinity)) {
    denormalCheck(env, x, y);
    if (stopped(env)) return y;
    return sx ? fromConstant(pi, sy, env) : zero(sy);
  }
  if (cx === F80Class.Zero || (cy === F80Class.Infinity && cx !== F80Class.Infinity)) {
    denormalCheck(env, x, y);
    if (stopped(env)) return y;
    return fromConstant(ldexp(pi, -1), sy, env);
  }
  if (cy === F80Class.Infinity) {
    const quarter = ldexp(pi, -2);
    return fromConstant(sx ? sub(pi, quarter) : quarter, sy, env);
  }
  denormalCheck(env, x, y);
  if (stopped(env)) return y;
  const ay = abs(fromRaw(y));
  const ax = abs(fromRaw(x));
  let angle = compareMagnitudeMp(ay, ax) <= 0 ? atanMp(div(ay, ax)) : sub(ldexp(pi, -1), atanMp(div(ax, ay)));
  if (sx) angle = sub(pi, angle);
  return fromConstant(angle, sy, env);
}

function abs(x: Mp): Mp {
  return x.m < 0n ? neg(x) : x;
}

function compareMagnitudeMp(a: Mp, b: Mp): number {
  const d = sub(a, b).m;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** F2XM1: 2^x - 1 (defined by the SDM for -1 ≤ x ≤ 1; beyond that still the true value). */
export function f80TwoToXMinus1(a: RawExtended, env: Float80Env): RawExtended {
  const special = screenOperands(a, undefined, env);
  if (special) return special;
  const c = classify(a);
  const sign = signOf(a);
  if (c === F80Class.Zero) return { ...a };
  if (c === F80Class.Infinity) return sign ? raw(0xbfff, 0x80000000, 0) : { ...a };
  denormalCheck(env, a);
  if (stopped(env)) return a;
  const x = fromRaw(a);
  if (top(x) >= 15) {
    // |x| ≥ 32768: 2^x overflows, or 2^x - 1 is -1 plus a sliver.
    if (!sign) return roundPack(0, 1n, 1 << 20, false, env, 64);
    return toRaw(add(mp(-1n), { m: 1n, e: -(1 << 20) }), env);
  }
  const asInt = roundToInteger(a, 3);
  if (!asInt.inexact) {
    // 2^n - 1 is rational: compute it exactly and round once.
    const n = Number(asInt.value);
    if (n > 0) return roundPack(0, (1n << BigInt(n)) - 1n, 0, false, env, 64);
    return roundPack(1, (1n << BigInt(-n)) - 1n, n, false, env, 64);
  }
  const ln2 = ln2Mp();
  if (top(x) < 0) return toRaw(expm1Mp(mul(x, ln2)), env);
  const n = roundToInteger(a, 1).value;
  const f = sub(x, mp(n));
  const power = ldexp(add(expm1Mp(mul(f, ln2)), MP_ONE), Number(n));
  return toRaw(sub(power, MP_ONE), env);
}

/** log2 of a positive finite value. */
function log2Mp(z: Mp): Mp {
  return div(lnMp(z), ln2Mp());
}

/** FYL2X: y × log2(x), y = ST(1), x = ST(0). */
export function f80YLog2X(y: RawExtended, x: RawExtended, env: Float80Env): RawExtended {
  const special = screenOperands(y, x, env);
  if (special) return special;
  const cy = classify(y);
  const cx = classify(x);
  const sy = signOf(y);
  if (signOf(x) === 1 && cx !== F80Class.Zero) return invalid(env);
  if (cx === F80Class.Zero) {
    if (cy === F80Class.Zero) return invalid(env);
    if (cy !== F80Class.Infinity) env.flags |= Fsw.ZE;
    return infinity(sy ^ 1);
  }
  // Sign of log2(x): -1 below one, 0 at one, +1 above.
  const side = cx === F80Class.Infinity ? 1 : Math.sign(compareMagnitude(x, POS_ONE));
  if (cx === F80Class.Infinity || cy === F80Class.Infinity) {
    if (side === 0 || cy === F80Class.Zero) return invalid(env);
    denormalCheck(env, x, y);
    return infinity(side < 0 ? sy ^ 1 : sy);
  }
  denormalCheck(env, x, y);
  if (stopped(env)) return y;
  if (cy === F80Class.Zero || side === 0) return zero(side < 0 ? sy ^ 1 : sy);
  const ux = unpack(x);
  if ((ux.sig & (ux.sig - 1n)) === 0n) {
    // x = 2^k: the result y·k is rational, computed exactly and rounded once.
    const k = top(fromRaw(x));
    const uy = unpack(y);
    return roundPack(sy ^ (k < 0 ? 1 : 0), uy.sig * BigInt(Math.abs(k)), uy.exp, false, env, 64);
  }
  return toRaw(mul(fromRaw(y), log2Mp(fromRaw(x))), env);
}

/** FYL2XP1: y × log2(x + 1) (the SDM defines |x| < 1 - √2/2; beyond that the true value). */
export function f80YLog2XP1(y: RawExtended, x: RawExtended, env: Float80Env): RawExtended {
  const special = screenOperands(y, x, env);
  if (special) return special;
  const cy = classify(y);
  const cx = classify(x);
  const sy = signOf(y);
  const sx = signOf(x);
  const belowMinusOne = sx === 1 && (cx === F80Class.Infinity || compareMagnitude(x, POS_ONE) > 0);
  if (belowMinusOne) return invalid(env);
  const minusOne = sx === 1 && cx !== F80Class.Infinity && compareMagnitude(x, POS_ONE) === 0;
  if (minusOne) {
    if (cy === F80Class.Zero) return invalid(env);
    if (cy !== F80Class.Infinity) env.flags |= Fsw.ZE;
    return infinity(sy ^ 1);
  }
  if (cx === F80Class.Infinity || cy === F80Class.Infinity) {
    if (cx === F80Class.Zero || cy === F80Class.Zero) return invalid(env);
    denormalCheck(env, x, y);
    return infinity(sy ^ sx);
  }
  denormalCheck(env, x, y);
  if (stopped(env)) return y;
  if (cx === F80Class.Zero || cy === F80Class.Zero) return zero(sy ^ sx);
  const mx = fromRaw(x);
  const ln = top(mx) < -1 ? ln1pMp(mx) : lnMp(add(MP_ONE, mx));
  return toRaw(mul(fromRaw(y), div(ln, ln2Mp())), env);
}
