/**
 * The hot-path add/sub and mul in 32-bit halves (no BigInt) for the common case: both operands
 * normal, 64-bit precision control, exponents far enough from the range ends that the result
 * can neither overflow nor underflow. Everything else returns undefined and takes the exact
 * BigInt path; the oracle tests cover both. Measured in the README (FPU arithmetic).
 */
import { Fsw } from '../fpu-state.js';
import { type Float80Env, Pc, Rc } from './env.js';
import type { RawExtended } from './values.js';

const TWO32 = 4294967296;

/** Round (h, l) with guard word g and sticky by env.rc; pack with exponent e and sign s. */
function roundPackFast(
  s: number,
  e: number,
  h: number,
  l: number,
  g: number,
  sticky: boolean,
  env: Float80Env,
): RawExtended {
  const inexact = g !== 0 || sticky;
  if (inexact) {
    let up: boolean;
    switch (env.rc) {
      case Rc.Nearest:
        up = g >>> 31 === 1 && ((g & 0x7fffffff) !== 0 || sticky || (l & 1) === 1);
        break;
      case Rc.Down:
        up = s === 1;
        break;
      case Rc.Up:
        up = s === 0;
        break;
      default:
        up = false;
    }
    env.flags |= Fsw.PE;
    if (up) {
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
  return { signExp: (s << 15) | e, hi: h >>> 0, lo: l >>> 0 };
}

function fastEligible(a: RawExtended, env: Float80Env): boolean {
  const e = a.signExp & 0x7fff;
  return (
    (env.pc === Pc.Extended || env.pc === Pc.Reserved) && e >= 128 && e <= 0x7ffe - 2 && a.hi >>> 31 === 1
  );
}

/** a + (b with its sign flipped when negateB), or undefined when not on the fast path. */
export function fastAddSub(
  a: RawExtended,
  b: RawExtended,
  negateB: number,
  env: Float80Env,
): RawExtended | undefined {
  if (!fastEligible(a, env) || !fastEligible(b, env)) return undefined;
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
  if (d > 64) return undefined;
  // y >> d into (yh, yl, yg) and a sticky bit for what falls below the guard word.
  let yh = y.hi;
  let yl = y.lo;
  let yg = 0;
  let sticky = false;
  if (d >= 64) {
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
    l %= TWO32;
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
  return roundPackFast(s, e, h, l, g, sticky, env);
}

/** 32 × 32 → 64-bit product as [high word, low word], exact in doubles via 16-bit pieces. */
function mul32(x: number, y: number): [number, number] {
  const xl = x & 0xffff;
  const xh = x >>> 16;
  const yl = y & 0xffff;
  const yh = y >>> 16;
  const mid = xl * yh + xh * yl; // < 2^33
  const lowFull = xl * yl + (mid % 65536) * 65536; // < 2^33
  const hi = xh * yh + Math.floor(mid / 65536) + Math.floor(lowFull / TWO32);
  return [hi, lowFull % TWO32];
}

/** a × b, or undefined when not on the fast path. */
export function fastMul(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended | undefined {
  if (!fastEligible(a, env) || !fastEligible(b, env)) return undefined;
  let e = (a.signExp & 0x7fff) + (b.signExp & 0x7fff) - 16383;
  if (e < 128 || e > 0x7ffe - 2) return undefined;
  const [hhH, hhL] = mul32(a.hi, b.hi);
  const [hlH, hlL] = mul32(a.hi, b.lo);
  const [lhH, lhL] = mul32(a.lo, b.hi);
  const [llH, llL] = mul32(a.lo, b.lo);
  // Columns of 32 bits: w3 w2 w1 w0.
  const w0 = llL;
  let t = llH + hlL + lhL;
  const w1 = t % TWO32;
  t = Math.floor(t / TWO32) + hhL + hlH + lhH;
  let w2 = t % TWO32;
  let w3 = Math.floor(t / TWO32) + hhH;
  let w1n = w1;
  let w0n = w0;
  if (w3 >>> 31 === 1) {
    e += 1;
  } else {
    // Product in [2^126, 2^127): shift left one.
    w3 = ((w3 << 1) | (w2 >>> 31)) >>> 0;
    w2 = ((w2 << 1) | (w1 >>> 31)) >>> 0;
    w1n = ((w1 << 1) | (w0 >>> 31)) >>> 0;
    w0n = (w0 << 1) >>> 0;
  }
  return roundPackFast((a.signExp ^ b.signExp) >>> 15, e, w3, w2, w1n, w0n !== 0, env);
}
