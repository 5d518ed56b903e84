/**
 * FDIV and FSQRT on the fast path (no BigInt): normal operands far from the exponent range ends.
 * Division is long division in 16-bit quotient digits over a remainder held in 32-bit words,
 * each digit estimated in doubles and corrected exactly; the square root starts from Math.sqrt,
 * takes one Newton step in doubles on the exact remainder and is corrected to floor(√N) exactly.
 * Both hand roundPackWords an exact truncated result plus a sticky bit. Returns undefined
 * whenever the exact BigInt path must decide.
 */
import type { Float80Env } from './env.js';
import { fastEligible, isZero, mul64, PRODUCT, signedZero } from './fast-path.js';
import { fastPrecision, roundPackWords, TWO32 } from './fast-round.js';
import type { RawExtended } from './values.js';

const TWO16 = 65536;
const TWO64 = TWO32 * TWO32;

/** a / b, or undefined when not on the fast path. */
export function fastDiv(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended | undefined {
  if (!fastEligible(a) || !fastEligible(b))
    return isZero(a) && fastEligible(b) ? signedZero(a, b) : undefined;
  const e0 = (a.signExp & 0x7fff) - (b.signExp & 0x7fff) + 16383;
  if (e0 < 129 || e0 > 0x7ffe - 2) return undefined;
  const bh = b.hi;
  const bl = b.lo;
  const bApprox = bh * TWO32 + bl;
  // Remainder r2:r1:r0 (r2 < 2^17), starting at A; the quotient A·2^80/B collects in q.
  let r2 = 0;
  let r1 = a.hi;
  let r0 = a.lo;
  let w2 = 0;
  let w1 = 0;
  let w0 = 0;
  for (let k = 0; k < 6; k++) {
    if (k > 0) {
      // r ← r·2^16 (r < B < 2^64 before the shift).
      r2 = r2 * TWO16 + (r1 >>> 16);
      r1 = (r1 & 0xffff) * TWO16 + (r0 >>> 16);
      r0 = (r0 & 0xffff) * TWO16;
    }
    // Estimate within one of the true digit (doubles carry 53 bits; the digit is < 2^17).
    let q = Math.floor((r2 * TWO64 + r1 * TWO32 + r0) / bApprox);
    // r -= q·B exactly: every partial value stays below 2^53.
    let t0 = r0 - q * bl;
    let c = Math.floor(t0 / TWO32);
    t0 -= c * TWO32;
    let t1 = r1 - q * bh + c;
    c = Math.floor(t1 / TWO32);
    t1 -= c * TWO32;
    let t2 = r2 + c;
    while (t2 < 0) {
      q -= 1;
      t0 += bl;
      c = t0 >= TWO32 ? 1 : 0;
      t0 -= c * TWO32;
      t1 += bh + c;
      c = t1 >= TWO32 ? 1 : 0;
      t1 -= c * TWO32;
      t2 += c;
    }
    while (t2 > 0 || t1 > bh || (t1 === bh && t0 >= bl)) {
      q += 1;
      t0 -= bl;
      c = t0 < 0 ? 1 : 0;
      t0 += c * TWO32;
      t1 -= bh + c;
      c = t1 < 0 ? 1 : 0;
      t1 += c * TWO32;
      t2 -= c;
    }
    r2 = t2;
    r1 = t1;
    r0 = t0;
    // Quotient words: w2 = digits 0..1, w1 = digits 2..3, w0 = digits 4..5.
    if (k === 0) w2 = q * TWO16;
    else if (k === 1) w2 += q;
    else if (k === 2) w1 = q * TWO16;
    else if (k === 3) w1 += q;
    else if (k === 4) w0 = q * TWO16;
    else w0 += q;
  }
  // A/B ∈ (1/2, 2): w2 holds 16 or 17 significant bits; normalize the 96-bit quotient.
  const z = Math.clz32(w2);
  const h = ((w2 << z) | (w1 >>> (32 - z))) >>> 0;
  const l = ((w1 << z) | (w0 >>> (32 - z))) >>> 0;
  const g = (w0 << z) >>> 0;
  const e = e0 + 15 - z;
  const sticky = r0 !== 0 || r1 !== 0 || r2 !== 0;
  const s = (a.signExp ^ b.signExp) >>> 15;
  return roundPackWords(s, e, h, l, g, sticky, fastPrecision(env.pc), env.rc, env);
}

/** √a for a positive normal, or undefined when not on the fast path. */
export function fastSqrt(a: RawExtended, env: Float80Env): RawExtended | undefined {
  if (a.signExp >>> 15 === 1 || !fastEligible(a)) return undefined;
  // a = A·2^E with E = biased - 16383 - 63; N = A·2^shift with E - shift even, N ∈ [2^126, 2^128).
  const E = (a.signExp & 0x7fff) - 16383 - 63;
  const shift = (E & 1) === 0 ? 64 : 63;
  const n3 = shift === 64 ? a.hi : a.hi >>> 1;
  const n2 = shift === 64 ? a.lo : ((a.hi << 31) | (a.lo >>> 1)) >>> 0;
  const n1 = shift === 64 ? 0 : (a.lo << 31) >>> 0;
  // r = floor(√N) ∈ [2^63, 2^64), as rh:rl; Math.sqrt lands within a few 2^11 (a double's unit there).
  let est = Math.sqrt((n3 * TWO32 + n2) * TWO64);
  if (est >= TWO64) est = TWO64 - 4096;
  let rh = Math.floor(est / TWO32);
  let rl = est - rh * TWO32;
  // One Newton step, r + (N - r²)/2r, added in words (r itself has more bits than a double).
  const step = Math.floor(remainder(n3, n2, n1, rh, rl) / (2 * est));
  let v = rl + step;
  let c = Math.floor(v / TWO32);
  rh += c;
  rl = v - c * TWO32;
  if (rh >= TWO32) {
    rh = TWO32 - 1;
    rl = TWO32 - 1;
  }
  // Now within one or two of floor(√N): exact unit steps until 0 ≤ N - r² ≤ 2r.
  for (let k = 0; ; k++) {
    if (k === 4) return undefined;
    remainder(n3, n2, n1, rh, rl);
    if (REM_NEGATIVE) v = rl - 1;
    else if (remGreaterThanTwice(rh, rl)) v = rl + 1;
    else break;
    c = Math.floor(v / TWO32);
    rh += c;
    rl = v - c * TWO32;
  }
  // √N ≥ r + 1/2 ⇔ N - r² > r (never equal: √N is not a half-integer); then more bits follow.
  const half = remGreaterThan(rh, rl);
  const sticky = REM[0] !== 0 || REM[1] !== 0 || REM[2] !== 0 || REM[3] !== 0;
  const e = (E - shift) / 2 + 63 + 16383;
  return roundPackWords(0, e, rh, rl, half ? 0x80000000 : 0, sticky, fastPrecision(env.pc), env.rc, env);
}

/** |N - r²| as words in REM (high first), its sign in REM_NEGATIVE; returns it approximately. */
const REM = [0, 0, 0, 0];
let REM_NEGATIVE = false;
function remainder(n3: number, n2: number, n1: number, rh: number, rl: number): number {
  mul64(rh, rl, rh, rl);
  let p3 = PRODUCT[0];
  let p2 = PRODUCT[1];
  let p1 = PRODUCT[2];
  let p0 = PRODUCT[3];
  let m3 = n3;
  let m2 = n2;
  let m1 = n1;
  let m0 = 0;
  REM_NEGATIVE = p3 > n3 || (p3 === n3 && (p2 > n2 || (p2 === n2 && (p1 > n1 || (p1 === n1 && p0 > 0)))));
  if (REM_NEGATIVE) {
    m3 = p3;
    m2 = p2;
    m1 = p1;
    m0 = p0;
    p3 = n3;
    p2 = n2;
    p1 = n1;
    p0 = 0;
  }
  // m - p with borrows, m ≥ p.
  let d0 = m0 - p0;
  let b = d0 < 0 ? 1 : 0;
  d0 += b * TWO32;
  let d1 = m1 - p1 - b;
  b = d1 < 0 ? 1 : 0;
  d1 += b * TWO32;
  let d2 = m2 - p2 - b;
  b = d2 < 0 ? 1 : 0;
  d2 += b * TWO32;
  const d3 = m3 - p3 - b;
  REM[0] = d3;
  REM[1] = d2;
  REM[2] = d1;
  REM[3] = d0;
  const mag = ((d3 * TWO32 + d2) * TWO32 + d1) * TWO32 + d0;
  return REM_NEGATIVE ? -mag : mag;
}

/** REM > 2r (REM non-negative); 2r < 2^65 as words 0 or 1 : 2rh : 2rl. */
function remGreaterThanTwice(rh: number, rl: number): boolean {
  const tl = rl * 2;
  const cl = tl >= TWO32 ? 1 : 0;
  const th = rh * 2 + cl;
  const ch = th >= TWO32 ? 1 : 0;
  return compare3(REM[0] * TWO32 + REM[1], REM[2], REM[3], ch, th - ch * TWO32, tl - cl * TWO32) > 0;
}

/** REM > r (REM non-negative). */
function remGreaterThan(rh: number, rl: number): boolean {
  return compare3(REM[0] * TWO32 + REM[1], REM[2], REM[3], 0, rh, rl) > 0;
}

/** Compare x2:x1:x0 with y2:y1:y0 (low words < 2^32, top words exact integers). */
function compare3(x2: number, x1: number, x0: number, y2: number, y1: number, y0: number): number {
  if (x2 !== y2) return x2 - y2;
  if (x1 !== y1) return x1 - y1;
  return x0 - y0;
}
