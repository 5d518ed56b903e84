/**
 * FPREM (truncating quotient) and FPREM1 (IEEE, round-to-nearest quotient). When the exponent
 * difference D is 64 or more only a partial reduction is done (C2 = 1): the quotient is taken
 * against b × 2^(D-N) with N = 32 + (D mod 32), truncated, as AMD's manuals specify and Intel
 * hardware follows; the quotient bits are then reported as 0.
 */
import type { Float80Env } from './env.js';
import { denormalCheck, invalid, screenOperands, stopped } from './operands.js';
import { roundPack } from './round.js';
import { bitLength, classify, F80Class, type RawExtended, signOf, unpack } from './values.js';

export interface RemainderResult {
  value: RawExtended;
  /** Low three quotient bits Q2 Q1 Q0 (FSW C0 = Q2, C3 = Q1, C1 = Q0); 0 when incomplete. */
  quotient: number;
  /** Partial remainder (FSW C2). */
  incomplete: boolean;
}

/** FPREM: ST(0) rem ST(1) with a truncated quotient. */
export function f80Prem(a: RawExtended, b: RawExtended, env: Float80Env): RemainderResult {
  return remainder(a, b, false, env);
}

/** FPREM1: IEEE remainder (quotient rounded to nearest even). */
export function f80Prem1(a: RawExtended, b: RawExtended, env: Float80Env): RemainderResult {
  return remainder(a, b, true, env);
}

function remainder(a: RawExtended, b: RawExtended, ieee: boolean, env: Float80Env): RemainderResult {
  const done = (value: RawExtended, quotient = 0, incomplete = false) => ({ value, quotient, incomplete });
  const special = screenOperands(a, b, env);
  if (special) return done(special);
  const ca = classify(a);
  const cb = classify(b);
  if (ca === F80Class.Infinity || cb === F80Class.Zero) return done(invalid(env));
  denormalCheck(env, a, b);
  if (stopped(env)) return done(a);
  if (cb === F80Class.Infinity || ca === F80Class.Zero) return done({ ...a });
  const x = unpack(a);
  const y = unpack(b);
  const ex = bitLength(x.sig) - 1 + x.exp;
  const ey = bitLength(y.sig) - 1 + y.exp;
  const d = ex - ey;
  const sign = signOf(a);
  // |a| < |b| / 2: the quotient is 0 under either rounding.
  if (d < -1) return done({ ...a });
  const partial = d >= 64;
  const scale = partial ? d - (32 + (d % 32)) : 0;
  const e0 = Math.min(x.exp, y.exp + scale);
  const mx = x.sig << BigInt(x.exp - e0);
  const my = y.sig << BigInt(y.exp + scale - e0);
  let q = mx / my;
  let r = mx - q * my;
  let rSign = sign;
  if (ieee && !partial && (2n * r > my || (2n * r === my && (q & 1n) === 1n))) {
    q += 1n;
    r = my - r;
    rSign ^= 1;
  }
  const value = r === 0n ? { signExp: sign << 15, hi: 0, lo: 0 } : roundPack(rSign, r, e0, false, env, 64);
  return partial ? done(value, 0, true) : done(value, Number(q & 7n));
}
