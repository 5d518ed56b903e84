/** Seeded operand generator with special values over-represented (finite encodings only). */
import type { RawExtended } from '../../../src/fpu/fpu-state.js';

export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const INTERESTING_EXPS = [
  0, 0, 1, 2, 63, 64, 0x3ffe, 0x3fff, 0x4000, 0x403e, 0x7ffd, 0x7ffe, 0x1fff, 0x2000, 0x5fff, 0x6000,
];

/** A random finite extended value: normals, denormals, pseudo-denormals, zeros, edge significands. */
export function finiteOperand(next: () => number): RawExtended {
  const sign = next() & 1 ? 0x8000 : 0;
  const pick = next() % 16;
  let exp: number;
  if (pick < 6) exp = INTERESTING_EXPS[next() % INTERESTING_EXPS.length];
  else if (pick < 9) exp = 0x3fff + ((next() % 200) - 100);
  else exp = 1 + (next() % 0x7ffe);
  let hi: number;
  let lo: number;
  switch (next() % 9) {
    case 0:
      hi = 0x80000000;
      lo = 0;
      break;
    case 1:
      hi = 0xffffffff;
      lo = 0xffffffff;
      break;
    case 2:
      hi = 0x80000000;
      lo = 1;
      break;
    case 3:
    case 7: {
      // few significant bits (exact results, ties in mul at every precision)
      const bits = 1 + (next() % 40);
      const r = (BigInt(next()) << 32n) | BigInt(next()) | (1n << 63n);
      const sig = (r >> BigInt(64 - bits)) << BigInt(64 - bits);
      hi = Number(sig >> 32n);
      lo = Number(sig & 0xffffffffn);
      break;
    }
    case 4:
      hi = 0xffffffff;
      lo = (next() & 0xffffff00) >>> 0;
      break;
    default:
      hi = (next() | 0x80000000) >>> 0;
      lo = next();
  }
  if (exp === 0) {
    const kind = next() % 4;
    if (kind === 0) return { signExp: sign, hi: 0, lo: 0 };
    if (kind === 1) hi &= 0x7fffffff; // denormal
    if (kind === 2) hi >>>= 1 + (next() % 40); // smaller denormal
    // kind 3: pseudo-denormal (J = 1)
  }
  return { signExp: sign | exp, hi: hi >>> 0, lo: lo >>> 0 };
}

/** A second operand related to the first often: same exponent (cancellation), nearby, or product-extreme. */
export function relatedOperand(a: RawExtended, next: () => number): RawExtended {
  const b = finiteOperand(next);
  const mode = next() % 6;
  const aexp = a.signExp & 0x7fff;
  if (mode === 0 && aexp !== 0) {
    // same magnitude region: b = a with a few low bits changed
    return { signExp: (b.signExp & 0x8000) | aexp, hi: a.hi, lo: (a.lo ^ (next() & 0xff)) >>> 0 };
  }
  if (mode === 1 && aexp !== 0) {
    const exp = Math.min(0x7ffe, Math.max(1, aexp + ((next() % 130) - 65)));
    return { ...b, signExp: (b.signExp & 0x8000) | exp, hi: (b.hi | 0x80000000) >>> 0 };
  }
  if (mode === 2 && aexp !== 0) {
    // exponents summing near the overflow/underflow thresholds for mul/div
    const target = next() & 1 ? 0x7ffe + 0x3fff : 0x3fff - 0x3ffe;
    const exp = Math.min(0x7ffe, Math.max(1, target - aexp + ((next() % 5) - 2)));
    return { ...b, signExp: (b.signExp & 0x8000) | exp, hi: (b.hi | 0x80000000) >>> 0 };
  }
  return b;
}
