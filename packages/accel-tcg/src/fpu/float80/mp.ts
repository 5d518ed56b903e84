/**
 * A small multiprecision binary float for the transcendental functions: value = m × 2^e with
 * |m| kept to PREC bits by round-to-odd (a truncation that ORs "something was dropped" into
 * the last bit), so a final rounding to 64 bits still sees which side an almost-exact value
 * lies on. Relative error of each operation ≤ 2^-(PREC-1).
 */
import type { Float80Env } from './env.js';
import { roundPack } from './round.js';
import { isqrt } from './sqrt.js';
import { bitLength, type RawExtended, unpack } from './values.js';

/** Working precision in bits (the default is what the accuracy statement is about). */
export let PREC = 200;

/** Change the working precision (tests compare against a higher one); returns the old value. */
export function setMpPrecision(bits: number): number {
  const old = PREC;
  PREC = bits;
  return old;
}

export interface Mp {
  /** Signed significand. */
  m: bigint;
  e: number;
}

export function mp(m: bigint, e = 0): Mp {
  return norm({ m, e });
}

function norm(x: Mp): Mp {
  const neg = x.m < 0n;
  const a = neg ? -x.m : x.m;
  const extra = bitLength(a) - PREC;
  if (extra <= 0) return x;
  const s = BigInt(extra);
  let kept = a >> s;
  if ((a & ((1n << s) - 1n)) !== 0n) kept |= 1n;
  return { m: neg ? -kept : kept, e: x.e + extra };
}

export function fromRaw(a: RawExtended): Mp {
  const u = unpack(a);
  return { m: u.sign ? -u.sig : u.sig, e: u.exp };
}

/** Exponent of the leading bit (value magnitude in [2^top, 2^(top+1))). */
export function top(x: Mp): number {
  return bitLength(x.m) - 1 + x.e;
}

export function neg(x: Mp): Mp {
  return { m: -x.m, e: x.e };
}

export function add(x: Mp, y: Mp): Mp {
  if (x.m === 0n) return y;
  if (y.m === 0n) return x;
  // A negligible addend only nudges the larger one towards its side (kept by round-to-odd).
  if (top(y) < x.e - 4 && top(y) < top(x) - PREC - 4) return nudge(x, y.m > 0n ? 1n : -1n);
  if (top(x) < y.e - 4 && top(x) < top(y) - PREC - 4) return nudge(y, x.m > 0n ? 1n : -1n);
  const e = Math.min(x.e, y.e);
  return norm({ m: (x.m << BigInt(x.e - e)) + (y.m << BigInt(y.e - e)), e });
}

function nudge(x: Mp, direction: bigint): Mp {
  // Widen to PREC + 2 bits first so the nudge is below the last kept bit.
  const k = Math.max(2, PREC + 2 - bitLength(x.m));
  return norm({ m: (x.m << BigInt(k)) + direction, e: x.e - k });
}

export function sub(x: Mp, y: Mp): Mp {
  return add(x, neg(y));
}

export function mul(x: Mp, y: Mp): Mp {
  return norm({ m: x.m * y.m, e: x.e + y.e });
}

/** x × small integer / small integer, the series step. */
export function scaleRatio(x: Mp, num: bigint, den: bigint): Mp {
  return div(mul(x, { m: num, e: 0 }), { m: den, e: 0 });
}

export function div(x: Mp, y: Mp): Mp {
  const negative = x.m < 0n !== y.m < 0n;
  const a = x.m < 0n ? -x.m : x.m;
  const b = y.m < 0n ? -y.m : y.m;
  // At least PREC + 2 quotient bits, so ORing in the remainder's presence is round-to-odd.
  const shift = Math.max(0, PREC + 2 + bitLength(b) - bitLength(a));
  const n = a << BigInt(shift);
  let q = n / b;
  if (q * b !== n) q |= 1n;
  return norm({ m: negative ? -q : q, e: x.e - y.e - shift });
}

export function sqrt(x: Mp): Mp {
  let shift = 2 * PREC + 4 - bitLength(x.m);
  if (((x.e - shift) & 1) !== 0) shift += 1;
  const n = shift >= 0 ? x.m << BigInt(shift) : x.m >> BigInt(-shift);
  let r = isqrt(n);
  if (r * r !== n) r |= 1n;
  return norm({ m: r, e: (x.e - shift) / 2 });
}

export function ldexp(x: Mp, n: number): Mp {
  return { m: x.m, e: x.e + n };
}

/** Round to the 80-bit format (64 bits, env.rc), always inexact. */
export function toRaw(x: Mp, env: Float80Env): RawExtended {
  return x.m < 0n ? roundPack(1, -x.m, x.e, true, env, 64) : roundPack(0, x.m, x.e, true, env, 64);
}
