/**
 * Rounding for the fast paths, in 32-bit words instead of BigInt: a significand h:l (bit 63 of
 * h:l set), a guard word g below it and a sticky bit for anything smaller, rounded once to 24,
 * 53 or 64 bits by RC. Callers guarantee the result exponent is far from both range ends, so
 * no overflow, underflow or denormal can arise here; that is what keeps this short.
 */
import { Fsw } from '../fpu-state.js';
import { type Float80Env, Pc, Rc } from './env.js';
import type { RawExtended } from './values.js';

export const TWO32 = 4294967296;

/** The precision a PC field selects (PC=01b reserved rounds to 64 bits, as in precisionBits). */
export function fastPrecision(pc: number): number {
  return pc === Pc.Single ? 24 : pc === Pc.Double ? 53 : 64;
}

/** Whether to add one unit in the last place: `half` = the bit below it, `below` = anything under that. */
function roundsUp(rc: number, sign: number, half: boolean, below: boolean, odd: boolean): boolean {
  switch (rc) {
    case Rc.Nearest:
      return half && (below || odd);
    case Rc.Down:
      return sign === 1;
    case Rc.Up:
      return sign === 0;
    default:
      return false;
  }
}

/**
 * Round sign × (h:l . g, sticky) × 2^(e - 16383 - 63) to `precision` bits by `rc` and pack it
 * with biased exponent e (e + 1 on a carry out). Sets PE and C1 (roundedUp) in env.
 */
export function roundPackWords(
  s: number,
  e: number,
  h: number,
  l: number,
  g: number,
  sticky: boolean,
  precision: number,
  rc: number,
  env: Float80Env,
): RawExtended {
  // Callers may pass words built with | (signed); rounding compares against 2^32.
  h >>>= 0;
  l >>>= 0;
  g >>>= 0;
  if (precision === 64) {
    if (g !== 0 || sticky) {
      env.flags |= Fsw.PE;
      if (roundsUp(rc, s, g >>> 31 === 1, (g & 0x7fffffff) !== 0 || sticky, (l & 1) === 1)) {
        env.roundedUp = true;
        l += 1;
        if (l === TWO32) {
          l = 0;
          h += 1;
          if (h === TWO32) {
            h = 0x80000000;
            e += 1;
          }
        }
      }
    }
  } else if (precision === 53) {
    // Kept: h and the top 21 bits of l; the 11 bits below them are the rounded-off part.
    const rest = l & 0x7ff;
    if (rest !== 0 || g !== 0 || sticky) {
      env.flags |= Fsw.PE;
      l -= rest;
      if (roundsUp(rc, s, rest >= 0x400, (rest & 0x3ff) !== 0 || g !== 0 || sticky, (l & 0x800) !== 0)) {
        env.roundedUp = true;
        l += 0x800;
        if (l >= TWO32) {
          l -= TWO32;
          h += 1;
          if (h === TWO32) {
            h = 0x80000000;
            e += 1;
          }
        }
      }
    }
  } else {
    // Kept: the top 24 bits of h; its low 8 bits, l and g are rounded off.
    const rest = h & 0xff;
    if (rest !== 0 || l !== 0 || g !== 0 || sticky) {
      env.flags |= Fsw.PE;
      const below = (rest & 0x7f) !== 0 || l !== 0 || g !== 0 || sticky;
      h -= rest;
      l = 0;
      if (roundsUp(rc, s, rest >= 0x80, below, (h & 0x100) !== 0)) {
        env.roundedUp = true;
        h += 0x100;
        if (h >= TWO32) {
          h = 0x80000000;
          e += 1;
        }
      }
    } else {
      l = 0;
    }
  }
  return { signExp: (s << 15) | e, hi: h >>> 0, lo: l >>> 0 };
}
