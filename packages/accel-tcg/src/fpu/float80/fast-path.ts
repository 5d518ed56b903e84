/**
 * The hot-path add/sub and mul in 32-bit halves (no BigInt) for the common case: both operands
 * normal and exponents far enough from the range ends that the result can neither overflow nor
 * underflow; any precision control. Everything else returns undefined and takes the exact
 * BigInt path; the oracle tests cover both. Measured in BENCHMARKS.md (fmark).
 */
import { type Float80Env, Rc } from './env.js';
import { fastPrecision, roundPackWords, TWO32 } from './fast-round.js';
import type { RawExtended } from './values.js';

/** Normal (integer bit set) with a biased exponent in [128, 0x7ffc]: no range edge within reach. */
export function fastEligible(a: RawExtended): boolean {
  const e = a.signExp & 0x7fff;
  return e >= 128 && e <= 0x7ffe - 2 && a.hi >>> 31 === 1;
}

/** ±0 (the sign bit may be either). */
export function isZero(a: RawExtended): boolean {
  return (a.signExp & 0x7fff) === 0 && a.hi === 0 && a.lo === 0;
}

/** The zero a product or quotient of a and b gives: the sign is the XOR of theirs. */
export function signedZero(a: RawExtended, b: RawExtended): RawExtended {
  return { signExp: (a.signExp ^ b.signExp) & 0x8000, hi: 0, lo: 0 };
}

/** a + (b with its sign flipped when negateB), or undefined when not on the fast path. */
export function fastAddSub(
  a: RawExtended,
  b: RawExtended,
  negateB: number,
  env: Float80Env,
): RawExtended | undefined {
  if (!fastEligible(a) || !fastEligible(b)) {
    // x ± 0 and 0 ± x: x itself, rounded to the precision (a sum of ±0s takes the exact path).
    if (isZero(b) && fastEligible(a))
      return roundPackWords(
        a.signExp >>> 15,
        a.signExp & 0x7fff,
        a.hi,
        a.lo,
        0,
        false,
        fastPrecision(env.pc),
        env.rc,
        env,
      );
    if (isZero(a) && fastEligible(b))
      return roundPackWords(
        (b.signExp >>> 15) ^ negateB,
        b.signExp & 0x7fff,
        b.hi,
        b.lo,
        0,
        false,
        fastPrecision(env.pc),
        env.rc,
        env,
      );
    return undefined;
  }
  const ea = a.signExp & 0x7fff;
  const eb = b.signExp & 0x7fff;
  const sa = a.signExp >>> 15;
  const sb = (b.signExp >>> 15) ^ negateB;
  const aBigger = ea > eb || (ea === eb && (a.hi > b.hi || (a.hi === b.hi && a.lo >= b.lo)));
  const x = aBigger ? a : b;
  const y = aBigger ? b : a;
  const s = aBigger ? sa : sb;
  let e = aBigger ? ea : eb;
  const d = e - (aBigger ? eb : ea);
  // y >> d into (yh, yl, yg) and a sticky bit for what falls below the guard word.
  let yh = y.hi;
  let yl = y.lo;
  let yg = 0;
  let sticky = false;
  if (d >= 96) {
    // Entirely below the guard word: only "something nonzero" (y is normal) survives.
    yh = 0;
    yl = 0;
    sticky = true;
  } else if (d > 64) {
    const k = d - 64;
    yg = yh >>> k;
    sticky = yl !== 0 || (yh << (32 - k)) >>> 0 !== 0;
    yh = 0;
    yl = 0;
  } else if (d === 64) {
    yg = yh;
    sticky = yl !== 0;
    yh = 0;
    yl = 0;
  } else if (d >= 32) {
    const k = d - 32;
    sticky = k !== 0 && (yl << (32 - k)) >>> 0 !== 0;
    yg = k === 0 ? yl : ((yl >>> k) | (yh << (32 - k))) >>> 0;
    yl = yh >>> k;
    yh = 0;
  } else if (d > 0) {
    yg = (yl << (32 - d)) >>> 0;
    yl = ((yl >>> d) | (yh << (32 - d))) >>> 0;
    yh >>>= d;
  }
  let h: number;
  let l: number;
  let g: number;
  if (sa === sb) {
    g = yg;
    l = x.lo + yl;
    h = x.hi + yh + (l >= TWO32 ? 1 : 0);
    l >>>= 0;
    if (h >= TWO32) {
      // Carry out: shift right one, the bit leaving the guard joins the sticky.
      sticky ||= (g & 1) !== 0;
      g = ((g >>> 1) | ((l & 1) << 31)) >>> 0;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = ((h - TWO32) >>> 1) | 0x80000000;
      e += 1;
    }
  } else {
    // x - (y + δ) with 0 < δ < 1 guard unit = (x - y - 1) + (1 - δ): borrow one, keep sticky.
    g = 0 - yg - (sticky ? 1 : 0);
    let borrow = g < 0 ? 1 : 0;
    g = (g + TWO32 * borrow) >>> 0;
    l = x.lo - yl - borrow;
    borrow = l < 0 ? 1 : 0;
    l = (l + TWO32 * borrow) >>> 0;
    h = (x.hi - yh - borrow) >>> 0;
    if (h === 0 && l === 0 && g === 0 && !sticky) {
      return { signExp: env.rc === Rc.Down ? 0x8000 : 0, hi: 0, lo: 0 };
    }
    // Normalize: large cancellation only happens for d ≤ 1, where the sticky bit is clear.
    while (h === 0) {
      h = l;
      l = g;
      g = 0;
      e -= 32;
    }
    const z = Math.clz32(h);
    if (z !== 0) {
      h = ((h << z) | (l >>> (32 - z))) >>> 0;
      l = ((l << z) | (g >>> (32 - z))) >>> 0;
      g = (g << z) >>> 0;
      e -= z;
    }
  }
  return roundPackWords(s, e, h, l, g, sticky, fastPrecision(env.pc), env.rc, env);
}

/** High word of the 64-bit product x·y (x, y < 2^32), exact in doubles via 16-bit pieces. */
function hi32(x: number, y: number): number {
  const xl = x & 0xffff;
  const xh = x >>> 16;
  const yl = y & 0xffff;
  const yh = y >>> 16;
  // x·y = xh·yh·2^32 + (xl·yh + xh·yl)·2^16 + xl·yl; the middle sum is < 2^34, exact.
  return xh * yh + Math.floor((xl * yh + xh * yl + ((xl * yl) >>> 16)) / 65536);
}

/** The 128-bit product of two 64-bit significands as four words, high first, into PRODUCT. */
export const PRODUCT = [0, 0, 0, 0];
export function mul64(ah: number, al: number, bh: number, bl: number): void {
  // Low words from Math.imul (exact modulo 2^32), high words from hi32; columns stay < 2^35.
  let t = hi32(al, bl) + (Math.imul(ah, bl) >>> 0) + (Math.imul(al, bh) >>> 0);
  PRODUCT[3] = Math.imul(al, bl) >>> 0;
  PRODUCT[2] = t >>> 0; // t < 2^35: >>> 0 is t mod 2^32
  t = Math.floor(t / TWO32) + (Math.imul(ah, bh) >>> 0) + hi32(ah, bl) + hi32(al, bh);
  PRODUCT[1] = t >>> 0;
  PRODUCT[0] = Math.floor(t / TWO32) + hi32(ah, bh);
}

/** a × b, or undefined when not on the fast path. */
export function fastMul(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended | undefined {
  if (!fastEligible(a) || !fastEligible(b)) {
    if ((isZero(a) && fastEligible(b)) || (isZero(b) && fastEligible(a))) return signedZero(a, b);
    return undefined;
  }
  let e = (a.signExp & 0x7fff) + (b.signExp & 0x7fff) - 16383;
  if (e < 128 || e > 0x7ffe - 2) return undefined;
  mul64(a.hi, a.lo, b.hi, b.lo);
  let w3 = PRODUCT[0];
  let w2 = PRODUCT[1];
  let w1 = PRODUCT[2];
  let w0 = PRODUCT[3];
  if (w3 >>> 31 === 1) {
    e += 1;
  } else {
    // Product in [2^126, 2^127): shift left one.
    w3 = ((w3 << 1) | (w2 >>> 31)) >>> 0;
    w2 = ((w2 << 1) | (w1 >>> 31)) >>> 0;
    w1 = ((w1 << 1) | (w0 >>> 31)) >>> 0;
    w0 = (w0 << 1) >>> 0;
  }
  const s = (a.signExp ^ b.signExp) >>> 15;
  return roundPackWords(s, e, w3, w2, w1, w0 !== 0, fastPrecision(env.pc), env.rc, env);
}
