/**
 * An independent exact oracle for the float80 tests: operands become exact rationals
 * (sig × 2^exp), results are computed exactly and rounded here with the plainest possible code
 * (no shared helpers with src/). Finite operands only; special operands have directed tests.
 */
import type { RawExtended } from '../../../src/fpu/fpu-state.js';

export interface Rational {
  /** Signed numerator. */
  n: bigint;
  /** Positive denominator. */
  d: bigint;
}
export interface Expected {
  value: RawExtended;
  flags: number;
  roundedUp: boolean;
}

const IE = 1;
const DE = 2;
const OE = 8;
const UE = 16;
const PE = 32;

export function decode(a: RawExtended): Rational {
  const biased = a.signExp & 0x7fff;
  const sig = (BigInt(a.hi) << 32n) + BigInt(a.lo);
  const exp = (biased === 0 ? 1 : biased) - 16383 - 63;
  const mag = exp >= 0 ? { n: sig << BigInt(exp), d: 1n } : { n: sig, d: 1n << BigInt(-exp) };
  return a.signExp & 0x8000 ? { n: -mag.n, d: mag.d } : mag;
}

export function isDenormal(a: RawExtended): boolean {
  return (a.signExp & 0x7fff) === 0 && (a.hi !== 0 || a.lo !== 0);
}

function bitLen(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

function pow2(e: number): Rational {
  return e >= 0 ? { n: 1n << BigInt(e), d: 1n } : { n: 1n, d: 1n << BigInt(-e) };
}

function times(a: Rational, b: Rational): Rational {
  return { n: a.n * b.n, d: a.d * b.d };
}

/** floor(log2(|r|)) for r ≠ 0. */
function floorLog2(r: Rational): number {
  const n = r.n < 0n ? -r.n : r.n;
  let e = bitLen(n) - bitLen(r.d);
  // 2^e ≤ n/d  ⇔  n ≥ d·2^e
  const ge = (k: number) => (k >= 0 ? n >= r.d << BigInt(k) : n << BigInt(-k) >= r.d);
  while (!ge(e)) e--;
  while (ge(e + 1)) e++;
  return e;
}

function encode(sign: number, k: bigint, q: number): RawExtended {
  if (k === 0n) return { signExp: sign << 15, hi: 0, lo: 0 };
  const top = bitLen(k) - 1 + q;
  let biased: number;
  let sig: bigint;
  if (top >= -16382) {
    biased = top + 16383;
    sig = k << BigInt(64 - bitLen(k));
  } else {
    biased = 0;
    const shift = q + 16445;
    sig = shift >= 0 ? k << BigInt(shift) : k >> BigInt(-shift);
  }
  return { signExp: (sign << 15) | biased, hi: Number(sig >> 32n), lo: Number(sig & 0xffffffffn) };
}

/** Round a nonzero exact rational, or (for sqrt) the root of one, to p bits by rc. */
export function roundRational(
  r: Rational,
  rc: number,
  p: number,
  masks: number,
  root = false,
  adjusted = 0,
): Expected {
  const sign = r.n < 0n ? 1 : 0;
  const mag = { n: sign ? -r.n : r.n, d: r.d };
  // For a root, work on x = mag and the result sqrt(x).
  const e = root ? Math.floor(floorLog2(mag) / 2) : floorLog2(mag);
  const tiny = e < -16382;
  if (tiny && !(masks & UE) && adjusted === 0) {
    const res = roundRational(times(r, pow2(root ? 2 * 24576 : 24576)), rc, p, masks, root, 1);
    return { ...res, flags: res.flags | UE };
  }
  const q = Math.max(e, -16382) - (p - 1);
  // k = floor(result / 2^q); compare the remainder with half a unit.
  let k: bigint;
  let inexact: boolean;
  let aboveHalf: boolean;
  let exactlyHalf: boolean;
  if (root) {
    const s = times(mag, pow2(-2 * q)); // result/2^q = sqrt(s)
    k = sqrtFloor(s.n / s.d);
    inexact = k * k * s.d !== s.n;
    // sqrt(s) vs k + 1/2  ⇔  4s vs (2k+1)^2
    const lhs = 4n * s.n;
    const rhs = (2n * k + 1n) ** 2n * s.d;
    aboveHalf = lhs > rhs;
    exactlyHalf = lhs === rhs;
  } else {
    const s = times(mag, pow2(-q));
    k = s.n / s.d;
    const rem = s.n - k * s.d;
    inexact = rem !== 0n;
    aboveHalf = 2n * rem > s.d;
    exactlyHalf = 2n * rem === s.d;
  }
  let up = false;
  if (inexact) {
    if (rc === 0) up = aboveHalf || (exactlyHalf && (k & 1n) === 1n);
    else if (rc === 1) up = sign === 1;
    else if (rc === 2) up = sign === 0;
  }
  if (up) k += 1n;
  let flags = inexact ? PE : 0;
  if (tiny && inexact && adjusted === 0) flags |= UE;
  if (bitLen(k) - 1 + q > 16383) {
    if (!(masks & OE) && adjusted === 0) {
      const res = roundRational(times(r, pow2(root ? -2 * 24576 : -24576)), rc, p, masks, root, -1);
      return { ...res, flags: res.flags | OE };
    }
    const toInf = rc === 0 || (rc === 2 && sign === 0) || (rc === 1 && sign === 1);
    if (toInf) {
      return {
        value: { signExp: (sign << 15) | 0x7fff, hi: 0x80000000, lo: 0 },
        flags: OE | PE,
        roundedUp: true,
      };
    }
    const max = ((1n << BigInt(p)) - 1n) << BigInt(64 - p);
    return {
      value: { signExp: (sign << 15) | 0x7ffe, hi: Number(max >> 32n), lo: Number(max & 0xffffffffn) },
      flags: OE | PE,
      roundedUp: false,
    };
  }
  return { value: encode(sign, k, q), flags, roundedUp: up };
}

function sqrtFloor(n: bigint): bigint {
  if (n < 2n) return n;
  let lo = 0n;
  let hi = 1n << BigInt(Math.ceil(bitLen(n) / 2) + 1);
  while (hi - lo > 1n) {
    const mid = (lo + hi) >> 1n;
    if (mid * mid <= n) lo = mid;
    else hi = mid;
  }
  return lo;
}

export type Op = 'add' | 'sub' | 'mul' | 'div' | 'sqrt';

/** The expected result of a finite operation (b unused for sqrt); undefined = not an oracle case. */
export function expected(
  op: Op,
  a: RawExtended,
  b: RawExtended,
  rc: number,
  p: number,
  masks: number,
): Expected | undefined {
  const x = decode(a);
  const y = decode(b);
  const sa = a.signExp >> 15;
  const sb = b.signExp >> 15;
  const de = isDenormal(a) || (op !== 'sqrt' && isDenormal(b)) ? DE : 0;
  const zero = (s: number): Expected => ({
    value: { signExp: s << 15, hi: 0, lo: 0 },
    flags: de,
    roundedUp: false,
  });
  const withDe = (e: Expected): Expected => ({ ...e, flags: e.flags | de });
  switch (op) {
    case 'add':
    case 'sub': {
      const yy = op === 'sub' ? { n: -y.n, d: y.d } : y;
      const sum = { n: x.n * yy.d + yy.n * x.d, d: x.d * yy.d };
      const sb2 = op === 'sub' ? sb ^ 1 : sb;
      if (sum.n === 0n) return zero(x.n === 0n && yy.n === 0n && sa === sb2 ? sa : rc === 1 ? 1 : 0);
      return withDe(roundRational(sum, rc, p, masks));
    }
    case 'mul': {
      const prod = times(x, y);
      if (prod.n === 0n) return zero(sa ^ sb);
      return withDe(roundRational(prod, rc, p, masks));
    }
    case 'div': {
      if (y.n === 0n) return undefined;
      if (x.n === 0n) return zero(sa ^ sb);
      const q = { n: x.n * y.d * (y.n < 0n ? -1n : 1n), d: x.d * (y.n < 0n ? -y.n : y.n) };
      return withDe(roundRational(q, rc, p, masks));
    }
    case 'sqrt': {
      if (x.n === 0n) return zero(sa);
      if (x.n < 0n) return undefined;
      return withDe(roundRational(x, rc, p, masks, true));
    }
  }
}

export const FLAG = { IE, DE, OE, UE, PE };
