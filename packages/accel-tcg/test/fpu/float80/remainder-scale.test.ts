import { describe, expect, it } from 'vitest';
import { f80Extract, f80Prem, f80Prem1, f80RoundToInt, f80Scale } from '../../../src/fpu/float80/index.js';
import { Fsw } from '../../../src/fpu/fpu-state.js';
import { finiteOperand, rng } from './gen.js';
import {
  DENORMAL,
  env,
  fromNumber,
  hex,
  INDEFINITE,
  NEG_INF,
  NEG_ZERO,
  ONE,
  POS_INF,
  POS_ZERO,
  rcEnv,
  toNumber,
  x,
} from './helpers.js';
import { decode, type Rational } from './oracle.js';

function nonzero(next: () => number) {
  for (;;) {
    const a = finiteOperand(next);
    if ((a.signExp & 0x7fff) !== 0 || a.hi !== 0 || a.lo !== 0) return a;
  }
}

/** The exact remainder and quotient of a/b (quotient truncated, or nearest-even for IEEE). */
function exactRemainder(a: Rational, b: Rational, ieee: boolean): { r: Rational; q: bigint } {
  const num = a.n * b.d;
  const den = b.n * a.d;
  let q = num / den; // truncates toward zero
  if (ieee) {
    const rem = num - q * den;
    const twice = 2n * (rem < 0n ? -rem : rem);
    const absDen = den < 0n ? -den : den;
    const away = num < 0n !== den < 0n ? -1n : 1n;
    if (twice > absDen || (twice === absDen && q % 2n !== 0n)) q += away;
  }
  return { r: { n: a.n * b.d - q * b.n * a.d, d: a.d * b.d }, q };
}

describe('FPREM and FPREM1 (SDM FPREM/FPREM1: exact remainders, 64-bit exponent-difference rule)', () => {
  for (const ieee of [false, true]) {
    const name = ieee ? 'FPREM1' : 'FPREM';
    it(`${name}: iterated until C2 = 0 gives the exact remainder and the low quotient bits`, () => {
      const next = rng(ieee ? 11 : 10);
      for (let i = 0; i < 600; i++) {
        const a = nonzero(next);
        const b = nonzero(next);
        const want = exactRemainder(decode(a), decode(b), ieee);
        let cur = a;
        let last = { value: a, quotient: 0, incomplete: true };
        let rounds = 0;
        while (last.incomplete) {
          const e = env();
          last = ieee ? f80Prem1(cur, b, e) : f80Prem(cur, b, e);
          expect(e.flags & ~Fsw.DE).toBe(0);
          cur = last.value;
          rounds++;
        }
        const got = decode(cur);
        expect(got.n * want.r.d).toBe(want.r.n * got.d);
        if (rounds === 1) expect(last.quotient).toBe(Number((want.q < 0n ? -want.q : want.q) & 7n));
        else expect(rounds).toBeGreaterThan(1);
      }
    });
  }
  it('an exponent difference of 64 or more is partial (C2=1), reducing by 32..63 bits per step', () => {
    const a = x(0x3fff + 200, 0xdeadbeef, 0x12345678);
    const r = f80Prem(a, fromNumber(3), env());
    expect(r.incomplete).toBe(true);
    expect(r.quotient).toBe(0);
    const d = 200 - 1; // exponent difference to 3 = 1.5 × 2^1
    const n = 32 + (d % 32);
    expect((r.value.signExp & 0x7fff) - 0x3fff).toBeLessThanOrEqual(200 - n + 2);
  });
  it('FPREM1 gives a remainder of either sign, FPREM keeps the dividend sign', () => {
    expect(toNumber(f80Prem(fromNumber(5), fromNumber(3), env()).value)).toBe(2);
    const r = f80Prem1(fromNumber(5), fromNumber(3), env());
    expect(toNumber(r.value)).toBe(-1);
    expect(r.quotient).toBe(2);
    expect(hex(f80Prem(fromNumber(-6), fromNumber(3), env()).value)).toBe(hex(NEG_ZERO));
  });
  it('infinite dividend or zero divisor → IE and the indefinite; infinite divisor leaves the dividend', () => {
    const e = env();
    expect(hex(f80Prem(POS_INF, ONE, e).value)).toBe(hex(INDEFINITE));
    expect(e.flags).toBe(Fsw.IE);
    expect(hex(f80Prem1(ONE, NEG_ZERO, env()).value)).toBe(hex(INDEFINITE));
    expect(hex(f80Prem(fromNumber(7.5), NEG_INF, env()).value)).toBe(hex(fromNumber(7.5)));
  });
});

describe('FRNDINT (SDM FRNDINT: rounds by RC, PE, C1)', () => {
  it.each([
    [2.5, [2, 2, 3, 2]],
    [-2.5, [-2, -3, -2, -2]],
    [3.5, [4, 3, 4, 3]],
    [-0.25, [-0, -1, -0, -0]],
  ])('%d → [nearest, down, up, zero] = %j', (v, wants) => {
    for (let rc = 0; rc < 4; rc++) {
      const e = rcEnv(rc);
      const r = f80RoundToInt(fromNumber(v), e);
      expect(Object.is(toNumber(r), wants[rc])).toBe(true);
      expect(e.flags).toBe(Fsw.PE);
      expect(e.roundedUp).toBe(Math.abs(wants[rc]) > Math.abs(v));
    }
  });
  it('integers and huge values are returned unchanged without PE; a denormal raises DE', () => {
    const e = env();
    const big = x(0x3fff + 70, 0x80000001, 1);
    expect(hex(f80RoundToInt(big, e))).toBe(hex(big));
    expect(e.flags).toBe(0);
    const d = env();
    expect(hex(f80RoundToInt(DENORMAL, d))).toBe(hex(POS_ZERO));
    expect(d.flags).toBe(Fsw.DE | Fsw.PE);
  });
});

describe('FSCALE (SDM FSCALE table)', () => {
  it('scales by the truncated ST(1) exactly', () => {
    expect(toNumber(f80Scale(fromNumber(3), fromNumber(4.9), env()))).toBe(48);
    expect(toNumber(f80Scale(fromNumber(3), fromNumber(-2.9), env()))).toBe(0.75);
  });
  it('overflows and underflows through the usual responses (precision control does not apply)', () => {
    const e = env(0x007f); // PC = 24 bits must not matter
    const r = f80Scale(x(0x3fff, 0xffffffff, 0xffffffff), fromNumber(20000), e);
    expect(hex(r)).toBe('7fff:8000000000000000');
    expect(e.flags).toBe(Fsw.OE | Fsw.PE);
    const u = env();
    expect(hex(f80Scale(x(0x3fff, 0xc0000000, 0), fromNumber(-16446), u))).toBe('0000:0000000000000001');
    expect(u.flags).toBe(Fsw.UE | Fsw.PE);
  });
  it.each([
    ['0 × 2^+inf', POS_ZERO, POS_INF, hex(INDEFINITE)],
    ['inf × 2^-inf', NEG_INF, NEG_INF, hex(INDEFINITE)],
    ['F × 2^-inf', fromNumber(-5), NEG_INF, hex(NEG_ZERO)],
    ['F × 2^+inf', fromNumber(-5), POS_INF, hex(NEG_INF)],
    ['-0 × 2^F', NEG_ZERO, fromNumber(100), hex(NEG_ZERO)],
  ])('%s', (_name, a, b, want) => {
    expect(hex(f80Scale(a, b, env()))).toBe(want);
  });
});

describe('FXTRACT (SDM FXTRACT)', () => {
  it('splits into the unbiased exponent and a significand in [1, 2) with the sign', () => {
    const r = f80Extract(fromNumber(-24), env());
    expect(toNumber(r.exponent)).toBe(4);
    expect(toNumber(r.significand)).toBe(-1.5);
  });
  it('a denormal gives its true exponent (normalized) and DE', () => {
    const e = env();
    const r = f80Extract(DENORMAL, e);
    expect(toNumber(r.exponent)).toBe(-16383);
    expect(hex(r.significand)).toBe(hex(ONE));
    expect(e.flags).toBe(Fsw.DE);
  });
  it('±0 → ZE, exponent -inf, significand ±0; ±inf → exponent +inf', () => {
    const e = env();
    const r = f80Extract(NEG_ZERO, e);
    expect(hex(r.exponent)).toBe(hex(NEG_INF));
    expect(hex(r.significand)).toBe(hex(NEG_ZERO));
    expect(e.flags).toBe(Fsw.ZE);
    expect(hex(f80Extract(NEG_INF, env()).exponent)).toBe(hex(POS_INF));
  });
});
