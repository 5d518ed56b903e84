import { describe, expect, it } from 'vitest';
import { envFromFcw } from '../../../src/fpu/float80/env.js';
import {
  fastFromFloat32,
  fastFromFloat64,
  fastFromInt64,
  fastToFloat32,
  fastToFloat64,
  fastToInt,
} from '../../../src/fpu/float80/fast-convert.js';
import { f80ToInt16, f80ToInt32 } from '../../../src/fpu/float80/index.js';
import type { RawExtended } from '../../../src/fpu/fpu-state.js';
import { rng } from './gen.js';
import { hex } from './helpers.js';
import { decode, roundRational } from './oracle.js';

// The word-based conversions against the exact oracle, all four rounding modes, checking that
// the fast path itself answered.

const rcEnv = (rc: number) => envFromFcw(0x37f | (rc << 10));

/** A normal extended value with biased exponent in [lo, hi], low significand bits often ties. */
function operand(next: () => number, lo: number, hi: number): RawExtended {
  const exp = lo + (next() % (hi - lo + 1));
  let sigLo = next();
  const kind = next() % 4;
  if (kind === 0) sigLo = (sigLo & 0xfffff800) | 0x400; // a tie at 53 bits
  if (kind === 1) sigLo = 0; // exact at 53 bits, maybe a tie at 24
  return { signExp: (next() & 0x8000) | exp, hi: (next() | 0x80000000) >>> 0, lo: sigLo >>> 0 };
}

describe('fast FST m64/m32: rounded once by RC, equal to the oracle at 53/24 bits', () => {
  for (const [name, p, bias, store] of [
    ['m64', 53, 1023, (a: RawExtended, e: ReturnType<typeof rcEnv>) => fastToFloat64(a, e)],
    ['m32', 24, 127, (a: RawExtended, e: ReturnType<typeof rcEnv>) => fastToFloat32(a, e)],
  ] as const) {
    it(`${name}: 2000 values × 4 RC`, () => {
      const next = rng(p * 977);
      const failures: string[] = [];
      for (let n = 0; n < 2000; n++) {
        const a = operand(next, 16383 - bias + 1, 16383 + bias - 1);
        for (let rc = 0; rc < 4; rc++) {
          const want = roundRational(decode(a), rc, p, 0x3f);
          const env = rcEnv(rc);
          const got = store(a, env);
          // Repack the oracle's extended result in the target format.
          const w = want.value;
          const e = (w.signExp & 0x7fff) - 16383 + bias;
          const bits =
            p === 53
              ? {
                  hi: (((w.signExp >>> 15) << 31) | (e << 20) | ((w.hi >>> 11) & 0xfffff)) >>> 0,
                  lo: ((w.hi << 21) | (w.lo >>> 11)) >>> 0,
                }
              : (((w.signExp >>> 15) << 31) | (e << 23) | ((w.hi >>> 8) & 0x7fffff)) >>> 0;
          if (got === undefined) failures.push(`${hex(a)} rc=${rc}: not on the fast path`);
          else if (
            JSON.stringify(got) !== JSON.stringify(bits) ||
            env.flags !== want.flags ||
            env.roundedUp !== want.roundedUp
          )
            failures.push(
              `${hex(a)} rc=${rc}: got ${JSON.stringify(got)} flags ${env.flags}, want ${JSON.stringify(bits)} flags ${want.flags}`,
            );
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  }

  it('leaves the target range edges, denormals, unnormals and specials to the exact path', () => {
    const env = rcEnv(0);
    const at = (exp: number, hi = 0x80000000) => ({ signExp: exp, hi, lo: 0 });
    expect(fastToFloat64(at(16383 + 1023), env)).toBeUndefined(); // could round to infinity
    expect(fastToFloat64(at(16383 + 1022), env)).toBeDefined();
    expect(fastToFloat64(at(16383 - 1022), env)).toBeDefined(); // smallest normal double
    expect(fastToFloat64(at(16383 - 1023), env)).toBeUndefined(); // a double denormal
    expect(fastToFloat32(at(16383 + 127), env)).toBeUndefined();
    expect(fastToFloat32(at(16383 + 126), env)).toBeDefined();
    expect(fastToFloat32(at(16383 - 127), env)).toBeUndefined();
    expect(fastToFloat64(at(16383, 0x40000000), env)).toBeUndefined(); // unnormal
    expect(fastToFloat64(at(0x7fff), env)).toBeUndefined(); // infinity
    expect(fastToFloat64(at(0), env)).toBeUndefined(); // pseudo-denormal
    expect(env.flags).toBe(0);
  });

  it('carries a rounding out of the significand into the exponent (RC up)', () => {
    const env = rcEnv(2);
    expect(fastToFloat64({ signExp: 0x3fff, hi: 0xffffffff, lo: 0xfffff801 }, env)).toEqual({
      hi: 0x40000000,
      lo: 0,
    });
    expect(env.roundedUp).toBe(true);
    expect(fastToFloat32({ signExp: 0xbfff, hi: 0xffffff80, lo: 0 }, rcEnv(0))).toBe(0xc0000000);
  });
});

describe('fast FLD m64/m32 of normals', () => {
  it('matches the value as a JS number and leaves zeros, denormals, inf and NaN alone', () => {
    const f64 = new Float64Array(1);
    const w = new Uint32Array(f64.buffer);
    const next = rng(5);
    for (let n = 0; n < 2000; n++) {
      w[0] = next();
      w[1] = next();
      const r = fastFromFloat64(w[1], w[0]);
      const expNormal = ((w[1] >>> 20) & 0x7ff) % 0x7ff !== 0;
      expect(r !== undefined).toBe(expNormal);
      if (r) {
        // The double is ±(2^52 + fraction) × 2^(e - 1075): compare the rationals exactly.
        const v = decode(r);
        const e = ((w[1] >>> 20) & 0x7ff) - 1075;
        let n = ((1n << 52n) | (BigInt(w[1] & 0xfffff) << 32n) | BigInt(w[0])) * (w[1] >>> 31 ? -1n : 1n);
        let d = 1n;
        if (e >= 0) n <<= BigInt(e);
        else d <<= BigInt(-e);
        expect(v.n * d).toBe(n * v.d);
      }
    }
    expect(fastFromFloat64(0, 1)).toBeUndefined();
    expect(fastFromFloat32(0x00000001)).toBeUndefined();
    expect(fastFromFloat32(0x7f800000)).toBeUndefined();
    expect(hex(fastFromFloat32(0xbf800000)!)).toBe('bfff:8000000000000000');
    expect(hex(fastFromFloat32(0x3fffffff)!)).toBe('3fff:ffffff0000000000');
  });
});

describe('fast FILD m64 and FIST', () => {
  it('FILD m64 is exact for random and extreme integers', () => {
    const next = rng(64064);
    const cases: [number, number][] = [
      [0, 0],
      [0, 1],
      [0xffffffff, 0xffffffff],
      [0x80000000, 0],
      [0x7fffffff, 0xffffffff],
      [0xffffffff, 0],
      [0, 0x80000000],
    ];
    for (let n = 0; n < 1000; n++) cases.push([next() >>> (next() % 32), next()]);
    for (const [hi, lo] of cases) {
      const want = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
      const r = decode(fastFromInt64(hi, lo));
      expect(r.n).toBe(want * r.d);
    }
  });

  it('FIST m16/m32 on the fast path round like the exact rational, ties included', () => {
    const next = rng(1632);
    for (let n = 0; n < 2000; n++) {
      // Exponents −3..30: fractions, ties (.5 with few bits), the int16 and int32 edges.
      const a = operand(next, 16383 - 3, 16383 + 30);
      if (next() % 3 === 0) a.lo = 0;
      if (next() % 3 === 0) a.hi = (a.hi & ~((1 << (30 - ((a.signExp & 0x7fff) - 16383))) - 1)) >>> 0;
      const r = decode(a);
      for (let rc = 0; rc < 4; rc++) {
        const fl = r.n >= 0n ? r.n / r.d : -((-r.n + r.d - 1n) / r.d);
        const rem = r.n - fl * r.d;
        let want = fl;
        if (rem !== 0n) {
          if (rc === 2 || (rc === 3 && r.n < 0n)) want = fl + 1n;
          else if (rc === 0 && (2n * rem > r.d || (2n * rem === r.d && fl % 2n !== 0n))) want = fl + 1n;
        }
        for (const [bits, f80To] of [
          [16, f80ToInt16],
          [32, f80ToInt32],
        ] as const) {
          const min = -(2 ** (bits - 1));
          const max = 2 ** (bits - 1) - 1;
          const env = rcEnv(rc);
          const fast = fastToInt(a, env, min, max);
          const inRange = want >= BigInt(min) && want <= BigInt(max);
          expect(fast === undefined ? undefined : BigInt(fast)).toBe(inRange ? want : undefined);
          if (inRange) {
            expect(env.flags).toBe(rem !== 0n ? 0x20 : 0);
            expect(env.roundedUp).toBe(
              rem !== 0n && (want < 0n ? -want : want) * r.d > (r.n < 0n ? -r.n : r.n),
            );
          } else {
            // Off the fast path nothing was flagged; the exact path gives IE and the indefinite.
            expect(env.flags).toBe(0);
            const e = rcEnv(rc);
            expect(f80To(a, e)).toBe(min);
            expect(e.flags).toBe(1);
          }
        }
      }
    }
  });
});
