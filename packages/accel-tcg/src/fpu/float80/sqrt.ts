/** FSQRT: correctly rounded square root to FCW.PC/RC; -0 → -0, negative → IE/indefinite. */
import { type Float80Env, precisionBits } from './env.js';
import { fastSqrt } from './fast-div-sqrt.js';
import { denormalCheck, invalid, screenOperands, stopped } from './operands.js';
import { roundPack } from './round.js';
import { bitLength, classify, F80Class, type RawExtended, signOf, unpack } from './values.js';

export function f80Sqrt(a: RawExtended, env: Float80Env): RawExtended {
  const fast = fastSqrt(a, env);
  if (fast) return fast;
  const special = screenOperands(a, undefined, env);
  if (special) return special;
  const c = classify(a);
  if (c === F80Class.Zero) return { ...a };
  if (signOf(a) === 1) return invalid(env);
  if (c === F80Class.Infinity) return { ...a };
  denormalCheck(env, a);
  if (stopped(env)) return a;
  const x = unpack(a);
  // Scale to ~145 bits with an even exponent: the root then has 72+ bits, enough for rounding.
  let shift = 144 - bitLength(x.sig);
  if (((x.exp - shift) & 1) !== 0) shift += 1;
  const radicand = x.sig << BigInt(shift);
  const root = isqrt(radicand);
  return roundPack(0, root, (x.exp - shift) / 2, root * root !== radicand, env, precisionBits(env.pc));
}

/** floor(sqrt(n)) for n ≥ 0 (Newton's iteration from a power of two above the root). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 2) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}
