import { describe, expect, it } from 'vitest';
import { f80Add, f80Sub } from '../../../src/fpu/float80/add-sub.js';
import { envFromFcw } from '../../../src/fpu/float80/env.js';
import { fastDiv, fastSqrt } from '../../../src/fpu/float80/fast-div-sqrt.js';
import { fastAddSub, fastMul } from '../../../src/fpu/float80/fast-path.js';
import { f80Div, f80Mul } from '../../../src/fpu/float80/mul-div.js';
import { f80Sqrt } from '../../../src/fpu/float80/sqrt.js';
import type { RawExtended } from '../../../src/fpu/fpu-state.js';
import { finiteOperand, rng } from './gen.js';
import { expected, type Op } from './oracle.js';

// The 32-bit-word fast paths (normal operands away from the range ends) against the exact
// rational oracle, at every precision control and rounding mode, checking that the fast path
// really produced the result (the BigInt path would hide a fast-path bug otherwise).

const COUNT = Number(process.env.FLOAT80_ORACLE_COUNT ?? 150);
const hex = (v: RawExtended) =>
  `${v.signExp.toString(16).padStart(4, '0')}:${v.hi.toString(16).padStart(8, '0')}${v.lo.toString(16).padStart(8, '0')}`;
type Env = ReturnType<typeof envFromFcw>;

const FULL: Record<Op, (a: RawExtended, b: RawExtended, env: Env) => RawExtended> = {
  add: f80Add,
  sub: f80Sub,
  mul: f80Mul,
  div: f80Div,
  sqrt: (a, _b, env) => f80Sqrt(a, env),
};
const FAST: Record<Op, (a: RawExtended, b: RawExtended, env: Env) => RawExtended | undefined> = {
  add: (a, b, env) => fastAddSub(a, b, 0, env),
  sub: (a, b, env) => fastAddSub(a, b, 1, env),
  mul: fastMul,
  div: fastDiv,
  sqrt: (a, _b, env) => fastSqrt(a, env),
};

/** A normal operand near 1 (so sums, products and quotients stay on the fast path). */
function nearOne(next: () => number, spread: number): RawExtended {
  const a = finiteOperand(next);
  const exp = 0x3fff + (next() % (2 * spread + 1)) - spread;
  return { signExp: (a.signExp & 0x8000) | exp, hi: (a.hi | 0x80000000) >>> 0, lo: a.lo };
}

/** b shares a's significand but for a few low bits, or is near it in exponent, or is independent. */
function partner(a: RawExtended, next: () => number): RawExtended {
  const b = nearOne(next, 100);
  switch (next() % 4) {
    case 0:
      return {
        signExp: (b.signExp & 0x8000) | (a.signExp & 0x7fff),
        hi: a.hi,
        lo: (a.lo ^ (next() & 0xfff)) >>> 0,
      };
    case 1:
      return { ...b, signExp: (b.signExp & 0x8000) | ((a.signExp & 0x7fff) + (next() % 5) - 2) };
    default:
      return b;
  }
}

function check(op: Op, a: RawExtended, b: RawExtended, failures: string[]): void {
  for (const pcField of [0, 1, 2, 3]) {
    for (let rc = 0; rc < 4; rc++) {
      const fcw = 0x3f | (pcField << 8) | (rc << 10);
      const want = expected(op, a, b, rc, [24, 64, 53, 64][pcField], 0x3f);
      const fastEnv = envFromFcw(fcw);
      const fast = FAST[op](a, b, fastEnv);
      const env = envFromFcw(fcw);
      const got = FULL[op](a, b, env);
      const line = `${op}(${hex(a)}, ${hex(b)}) fcw=${fcw.toString(16)}`;
      if (!fast) failures.push(`${line}: not on the fast path`);
      else if (!want) failures.push(`${line}: the oracle has no answer`);
      else if (hex(got) !== hex(want.value) || env.flags !== want.flags || env.roundedUp !== want.roundedUp)
        failures.push(
          `${line}: got ${hex(got)} flags ${env.flags} up ${env.roundedUp}, want ${hex(want.value)} flags ${want.flags} up ${want.roundedUp}`,
        );
    }
  }
}

describe('the 32-bit-word fast paths against the oracle (PC 24/53/64 and reserved × 4 RC)', () => {
  for (const op of Object.keys(FULL) as Op[]) {
    it(`${op}: ${COUNT * 4} operand pairs near each other`, () => {
      const next = rng(0xfa57 + op.charCodeAt(0) * 31 + op.charCodeAt(1));
      const failures: string[] = [];
      for (let n = 0; n < COUNT * 4; n++) {
        let a = nearOne(next, 70);
        if (op === 'sqrt') a = { ...a, signExp: a.signExp & 0x7fff };
        check(op, a, partner(a, next), failures);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }
});

const one = (hi: number, lo: number, exp = 0x3fff, sign = 0): RawExtended => ({
  signExp: (sign << 15) | exp,
  hi: hi >>> 0,
  lo: lo >>> 0,
});

describe('fast-path edge cases (ties at each precision, carries, cancellation, far operands)', () => {
  it.each<[string, Op, RawExtended, RawExtended]>([
    ['add: a tie at 24 bits (1 + 2^-24)', 'add', one(0x80000000, 0), one(0x80000000, 0, 0x3fff - 24)],
    ['add: a tie at 53 bits (1 + 2^-53)', 'add', one(0x80000000, 0), one(0x80000000, 0, 0x3fff - 53)],
    ['add: an odd tie at 53 bits', 'add', one(0x80000000, 0x800), one(0x80000000, 0, 0x3fff - 53)],
    ['add: a tie at 64 bits with sticky below', 'add', one(0x80000000, 0), one(0x80000000, 1, 0x3fff - 64)],
    ['add: all ones + all ones carries out of the significand', 'add', one(-1, -1), one(-1, -0xb9)],
    ['add: rounding carries out of the significand', 'add', one(-1, -1), one(0x80000000, 0, 0x3fff - 70)],
    [
      'sub: 1 - 2^-65·1.x (operand within the guard word)',
      'sub',
      one(0x80000000, 0),
      one(0x80000000, 5, 0x3fff - 65),
    ],
    [
      'sub: 1 - 2^-100 (operand below the guard word)',
      'sub',
      one(0x80000000, 0),
      one(0xc0000000, 0, 0x3fff - 100),
    ],
    ['sub: total cancellation gives +0', 'sub', one(0x91234567, 0x89abcdef), one(0x91234567, 0x89abcdef)],
    ['sub: cancellation to the last bit', 'sub', one(0x80000000, 1), one(0x80000000, 0)],
    ['add: x + -x gives +0', 'add', one(0xa0000000, 7), one(0xa0000000, 7, 0x3fff, 1)],
    ['mul: (1 + 2^-63)·(1.5 + 2^-63), sticky under a half', 'mul', one(0x80000000, 1), one(0xc0000000, 1)],
    ['mul: largest significands', 'mul', one(-1, -1), one(-1, -1)],
    ['mul: product below 2 (no normalising shift)', 'mul', one(0x80000000, 0x100), one(0x80000001, 0)],
    ['div: 1/3', 'div', one(0x80000000, 0), one(0xc0000000, 0, 0x4000)],
    ['div: exact quotient', 'div', one(0xc0000000, 0), one(0x80000000, 0, 0x3ffe)],
    ['div: largest by smallest significand', 'div', one(-1, -1), one(0x80000000, 0)],
    ['div: smallest by largest significand', 'div', one(0x80000000, 0), one(-1, -1)],
    ['div: a dividend just below the divisor', 'div', one(-1, -2), one(-1, -1)],
    ['add: x + 0 rounds x to the precision', 'add', one(0x92345678, 0x9abcdef1), one(0, 0, 0)],
    ['sub: 0 - x rounds -x to the precision', 'sub', one(0, 0, 0, 1), one(0xffffffff, 0xffffffff)],
    ['mul: x × -0', 'mul', one(0x92345678, 0x9abcdef1), one(0, 0, 0, 1)],
    ['mul: 0 × x', 'mul', one(0, 0, 0), one(0x92345678, 0x9abcdef1)],
    ['div: 0 / x', 'div', one(0, 0, 0), one(0x92345678, 0x9abcdef1)],
    ['sqrt: 2', 'sqrt', one(0x80000000, 0, 0x4000), one(0, 0)],
    ['sqrt: 4 (exact)', 'sqrt', one(0x80000000, 0, 0x4001), one(0, 0)],
    ['sqrt: largest significand, even exponent', 'sqrt', one(-1, -1), one(0, 0)],
    ['sqrt: largest significand, odd exponent', 'sqrt', one(-1, -1, 0x4000), one(0, 0)],
    ['sqrt: (1 + 2^-32)² exactly', 'sqrt', one(0x80000001, 0x80000000), one(0, 0)],
  ])('%s', (_name, op, a, b) => {
    const failures: string[] = [];
    check(op, a, b, failures);
    check(op, { ...a, signExp: a.signExp ^ (op === 'sqrt' ? 0 : 0x8000) }, b, failures);
    expect(failures).toEqual([]);
  });

  it('leaves operands outside its range to the exact path', () => {
    const env = envFromFcw(0x37f);
    const denormal = { signExp: 0, hi: 0x40000000, lo: 0 };
    const unnormal = { signExp: 0x3fff, hi: 0x40000000, lo: 0 };
    const pseudoDenormal = { signExp: 0, hi: 0x80000000, lo: 0 };
    const huge = { signExp: 0x7ffe, hi: 0x80000000, lo: 0 };
    const tiny = { signExp: 1, hi: 0x80000000, lo: 0 };
    const oneV = one(0x80000000, 0);
    for (const x of [denormal, unnormal, pseudoDenormal, huge, tiny]) {
      expect(fastAddSub(x, oneV, 0, env)).toBeUndefined();
      expect(fastMul(oneV, x, env)).toBeUndefined();
      expect(fastDiv(x, oneV, env)).toBeUndefined();
      expect(fastSqrt(x, env)).toBeUndefined();
    }
    // In range operands whose product or quotient would leave it.
    const big = { signExp: 0x3fff + 0x3000, hi: 0x80000000, lo: 0 };
    expect(fastMul(big, big, env)).toBeUndefined();
    expect(fastDiv(oneV, big, env)?.signExp).toBe(0x3fff - 0x3000);
    expect(fastDiv({ ...oneV, signExp: 0x3fff - 0x3000 }, big, env)).toBeUndefined();
    expect(fastSqrt({ ...oneV, signExp: 0xbfff }, env)).toBeUndefined();
    expect(env.flags).toBe(0);
  });
});
