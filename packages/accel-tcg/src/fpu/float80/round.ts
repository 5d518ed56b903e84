/**
 * The one rounding step every inexact result goes through: an exact value (plus a sticky bit
 * for "and something smaller") is rounded once to `precision` significand bits by env.rc within
 * the extended exponent range, with the SDM's overflow/underflow responses (SDM Vol. 1
 * §4.8.4, §4.9.1.4, §4.9.1.5, §8.1.5).
 */
import { Fsw } from '../fpu-state.js';
import { type Float80Env, Rc } from './env.js';
import {
  bitLength,
  EMAX,
  EMIN,
  infinity,
  packExact,
  type RawExtended,
  raw,
  UNMASKED_BIAS_ADJUST,
  zero,
} from './values.js';

/**
 * Round (-1)^sign × (sig + δ) × 2^exp, 0 ≤ δ < 1 (δ > 0 iff `sticky`), to `precision` bits.
 * `emin`/`emax` default to the extended range; conversions to float32/64 pass their own.
 * Returns the packed extended value (callers of narrower formats repack it).
 */
export function roundPack(
  sign: number,
  sig: bigint,
  exp: number,
  sticky: boolean,
  env: Float80Env,
  precision: number,
  emin = EMIN,
  emax = EMAX,
  adjustable = true,
): RawExtended {
  let s = sig;
  let e0 = exp;
  if (sticky) {
    // Fold the sticky bit in strictly below every bit that can matter for rounding.
    const k = Math.max(1, precision + 3 - bitLength(s));
    s = (s << BigInt(k)) | 1n;
    e0 -= k;
  }
  if (s === 0n) return zero(sign);
  let lead = bitLength(s) - 1 + e0;
  // Tininess is judged after rounding with an unbounded exponent, to the precision (SDM Vol. 1
  // §4.9.1.5): a value just below 2^emin that rounds up to it is not tiny.
  const tiny = lead < emin && !(lead === emin - 1 && carriesOut(sign, s, e0, lead, env, precision));
  if (tiny && (env.masks & Fsw.UE) === 0) {
    // Unmasked underflow is flagged whenever the result is tiny (SDM §4.9.1.5); a register
    // destination gets the result scaled up by 2^24576, a memory one gets nothing (caller).
    env.flags |= Fsw.UE;
    if (adjustable) {
      e0 += UNMASKED_BIAS_ADJUST;
      lead += UNMASKED_BIAS_ADJUST;
    }
    return finish(sign, s, e0, lead, env, precision, emin, emax, false, adjustable);
  }
  return finish(sign, s, e0, lead, env, precision, emin, emax, tiny, adjustable);
}

/** Rounding s × 2^e0 to `precision` bits at its own exponent carries into the next power of two. */
function carriesOut(
  sign: number,
  s: bigint,
  e0: number,
  lead: number,
  env: Float80Env,
  precision: number,
): boolean {
  const shift = lead - (precision - 1) - e0;
  if (shift <= 0) return false;
  const b = BigInt(shift);
  const kept = s >> b;
  const rem = s & ((1n << b) - 1n);
  if (rem === 0n) return false;
  const half = 1n << (b - 1n);
  const up =
    env.rc === Rc.Nearest
      ? rem > half || (rem === half && (kept & 1n) === 1n)
      : env.rc === Rc.Down
        ? sign === 1
        : env.rc === Rc.Up
          ? sign === 0
          : false;
  return up && (kept + 1n) >> BigInt(precision) !== 0n;
}

function finish(
  sign: number,
  s: bigint,
  e0: number,
  lead: number,
  env: Float80Env,
  precision: number,
  emin: number,
  emax: number,
  tinyMasked: boolean,
  adjustable: boolean,
): RawExtended {
  const q = Math.max(lead, emin) - (precision - 1);
  let kept: bigint;
  let inexact = false;
  let up = false;
  if (q <= e0) {
    kept = s << BigInt(e0 - q);
  } else {
    const shift = BigInt(q - e0);
    kept = s >> shift;
    const rem = s & ((1n << shift) - 1n);
    if (rem !== 0n) {
      inexact = true;
      const half = 1n << (shift - 1n);
      switch (env.rc) {
        case Rc.Nearest:
          up = rem > half || (rem === half && (kept & 1n) === 1n);
          break;
        case Rc.Down:
          up = sign === 1;
          break;
        case Rc.Up:
          up = sign === 0;
          break;
        default:
          up = false;
      }
      if (up) kept += 1n;
    }
  }
  let qq = q;
  if (kept >> BigInt(precision) !== 0n) {
    kept >>= 1n;
    qq += 1;
  }
  const resultLead = kept === 0n ? emin - precision : bitLength(kept) - 1 + qq;
  if (resultLead > emax) {
    if ((env.masks & Fsw.OE) === 0) {
      // Unmasked overflow: a register destination gets the result scaled down by 2^24576
      // (SDM §4.9.1.4); a memory destination gets nothing (the caller checks the flag).
      env.flags |= Fsw.OE;
      if (adjustable) {
        return roundPack(sign, s, e0 - UNMASKED_BIAS_ADJUST, false, env, precision, emin, emax, false);
      }
    }
    env.flags |= Fsw.OE | Fsw.PE;
    const toInfinity =
      env.rc === Rc.Nearest || (env.rc === Rc.Up && sign === 0) || (env.rc === Rc.Down && sign === 1);
    if (toInfinity) {
      env.roundedUp = true;
      return infinityFor(sign, emax);
    }
    return largestFinite(sign, precision, emax);
  }
  if (inexact) {
    env.flags |= Fsw.PE;
    if (tinyMasked) env.flags |= Fsw.UE;
    if (up) env.roundedUp = true;
  }
  return packExact(sign, kept, qq);
}

/** Infinity, encoded in the extended format (narrow formats translate by exponent). */
function infinityFor(sign: number, _emax: number): RawExtended {
  return infinity(sign);
}

/** The largest finite value with `precision` bits below 2^(emax+1), as an extended value. */
export function largestFinite(sign: number, precision: number, emax: number): RawExtended {
  const sig = ((1n << BigInt(precision)) - 1n) << BigInt(64 - precision);
  return raw((sign ? 0x8000 : 0) | (emax + 16383), Number(sig >> 32n), Number(sig & 0xffffffffn));
}
