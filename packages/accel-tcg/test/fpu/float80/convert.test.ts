import { describe, expect, it } from 'vitest';
import {
  BCD_INDEFINITE,
  f80FromBcd,
  f80FromFloat32,
  f80FromFloat64,
  f80FromInt32,
  f80FromInt64,
  f80ToBcd,
  f80ToFloat32,
  f80ToFloat64,
  f80ToInt16,
  f80ToInt32,
  f80ToInt64,
} from '../../../src/fpu/float80/index.js';
import { Fsw } from '../../../src/fpu/fpu-state.js';
import { finiteOperand, rng } from './gen.js';
import {
  env,
  fromNumber,
  hex,
  INDEFINITE,
  NEG_INF,
  NEG_ZERO,
  QNAN,
  rcEnv,
  SNAN,
  toNumber,
  UNNORMAL,
  x,
} from './helpers.js';
import { decode } from './oracle.js';

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64bits = new Uint32Array(f64.buffer);

function randomDouble(next: () => number): number {
  f64bits[0] = next();
  f64bits[1] = next();
  // Over-represent denormals, tiny and huge exponents.
  if (next() % 4 === 0) f64bits[1] &= 0x800fffff;
  return f64[0];
}

describe('float64/float32 loads are exact (SDM FLD; §8.5.2 for DE)', () => {
  it('f64 → f80 → f64 round-trips every finite double bit for bit, DE only for denormals', () => {
    const next = rng(64);
    for (let i = 0; i < 3000; i++) {
      const d = randomDouble(next);
      if (Number.isNaN(d)) continue;
      const e = env();
      f64[0] = d;
      const [lo, hi] = [f64bits[0], f64bits[1]];
      const loaded = f80FromFloat64(hi, lo, e);
      const denormal = d !== 0 && Math.abs(d) < 2 ** -1022;
      expect(e.flags).toBe(denormal ? Fsw.DE : 0);
      const back = f80ToFloat64(loaded, env());
      expect([back.hi, back.lo]).toEqual([hi, lo]);
    }
  });
  it('f32 → f80 → f32 round-trips, and the f80 value equals the float', () => {
    const next = rng(32);
    for (let i = 0; i < 3000; i++) {
      const bits = next() % 3 === 0 ? next() & 0x807fffff : next();
      f32bits[0] = bits;
      if (Number.isNaN(f32[0])) continue;
      const loaded = f80FromFloat32(bits, env());
      expect(f80ToFloat32(loaded, env()) >>> 0).toBe(bits >>> 0);
      expect(toNumber(loaded)).toBe(f32[0]);
    }
  });
  it('an SNaN load raises IE and quietens; a QNaN load does not', () => {
    const e = env();
    expect(hex(f80FromFloat32(0x7f800001, e))).toBe(hex(x(0x7fff, 0xc0000100, 0)));
    expect(e.flags).toBe(Fsw.IE);
    const q = env();
    expect(hex(f80FromFloat64(0xfff80000, 0, q))).toBe(hex(INDEFINITE));
    expect(q.flags).toBe(0);
  });
});

describe('float64/float32 stores round once from 80 bits (SDM FST; §4.8.4)', () => {
  it('f80 → f64 with round-to-nearest equals JS conversion of the exact value (normal range)', () => {
    const next = rng(8064);
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const exp = 0x3fff + ((next() % 2000) - 1000);
      const a = x((next() & 0x8000) | exp, next() | 0x80000000, next());
      const r = decode(a);
      // Number(bigint) rounds to nearest even once; dividing by a power of two is then exact.
      if (!Number.isFinite(Number(r.d)) || !Number.isFinite(Number(r.n))) continue;
      expect(toNumber(a)).toBe(Number(r.n) / Number(r.d));
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });
  it('f80 → f32 with round-to-nearest equals Math.fround of the exact value (53-bit significands)', () => {
    const next = rng(8032);
    for (let i = 0; i < 3000; i++) {
      const exp = 0x3fff + ((next() % 300) - 150);
      // At most 53 significant bits, so the double below is the exact value.
      const a = x((next() & 0x8000) | exp, next() | 0x80000000, next() & 0xfffff800);
      const exact = toNumber(a);
      f32[0] = Math.fround(exact);
      expect(f80ToFloat32(a, env()) >>> 0).toBe(f32bits[0]);
    }
  });
  it('rounding control applies: 1 + 2^-60 goes to the next double up only with RC=up', () => {
    const a = x(0x3fff, 0x80000000, 0x10);
    expect(toNumber(a, rcEnv(0))).toBe(1);
    expect(toNumber(a, rcEnv(2))).toBe(1 + 2 ** -52);
    const e = rcEnv(2);
    toNumber(a, e);
    expect(e.flags).toBe(Fsw.PE);
    expect(e.roundedUp).toBe(true);
  });
  it('overflow: masked → infinity (or the largest double toward zero), OE|PE', () => {
    const big = x(0x4000 + 2000, 0x80000000, 0);
    const e = env();
    expect(toNumber(big, e)).toBe(Number.POSITIVE_INFINITY);
    expect(e.flags).toBe(Fsw.OE | Fsw.PE);
    expect(toNumber(big, rcEnv(3))).toBe(Number.MAX_VALUE);
  });
  it('underflow into a float32 denormal: UE|PE when inexact, the denormal pattern', () => {
    const e = env();
    // 2^-149 × 1.5 rounds to 2^-148 (ties to even): bit pattern 2.
    expect(f80ToFloat32(x(0x3fff - 149, 0xc0000000, 0), e)).toBe(2);
    expect(e.flags).toBe(Fsw.UE | Fsw.PE);
    const exact = env();
    expect(f80ToFloat32(x(0x3fff - 149, 0x80000000, 0), exact)).toBe(1);
    expect(exact.flags).toBe(0);
  });
  it('unsupported → IE and the format indefinite; SNaN → IE, quietened and truncated', () => {
    const e = env();
    expect(f80ToFloat32(UNNORMAL, e) >>> 0).toBe(0xffc00000);
    expect(e.flags).toBe(Fsw.IE);
    const s = env();
    // Significand bits below the double's 52 are dropped: 0x1234 >> 11 = 2.
    expect(f80ToFloat64(SNAN, s)).toEqual({ hi: 0x7ff80000, lo: 0x1234 >>> 11 });
    expect(s.flags).toBe(Fsw.IE);
    expect(f80ToFloat64(QNAN, env())).toEqual({ hi: 0x7ff80000, lo: 0x5678 >>> 11 });
    expect(f80ToFloat32(NEG_INF, env()) >>> 0).toBe(0xff800000);
  });
});

/** The integer the SDM asks for, from the exact rational, by rounding mode. */
function roundRational(n: bigint, d: bigint, rc: number): bigint {
  const fl = n >= 0n ? n / d : -((-n + d - 1n) / d);
  const rem = n - fl * d; // 0 ≤ rem < d
  if (rem === 0n) return fl;
  if (rc === 1) return fl;
  if (rc === 2) return fl + 1n;
  if (rc === 3) return n < 0n ? fl + 1n : fl;
  if (2n * rem > d) return fl + 1n;
  if (2n * rem < d) return fl;
  return fl % 2n === 0n ? fl : fl + 1n;
}

describe('integer conversions (SDM FILD, FIST/FISTP; §8.5.1.2)', () => {
  it('FILD is exact for int16/int32/int64 extremes', () => {
    expect(hex(f80FromInt32(-32768))).toBe('c00e:8000000000000000');
    expect(hex(f80FromInt32(-2147483648))).toBe('c01e:8000000000000000');
    expect(hex(f80FromInt32(0))).toBe('0000:0000000000000000');
    expect(hex(f80FromInt64(0x80000000, 0))).toBe('c03e:8000000000000000');
    expect(hex(f80FromInt64(0x7fffffff, 0xffffffff))).toBe('403d:fffffffffffffffe');
    expect(hex(f80FromInt64(0xffffffff, 0xffffffff))).toBe('bfff:8000000000000000');
  });
  it('FIST rounds by RC, agrees with the exact rational over random values, flags PE and C1', () => {
    const next = rng(77);
    for (let i = 0; i < 2000; i++) {
      const a = finiteOperand(next);
      const withExp = { ...a, signExp: (a.signExp & 0x8000) | (0x3fff + (next() % 70) - 5) };
      if ((withExp.hi & 0x80000000) === 0) withExp.hi = (withExp.hi | 0x80000000) >>> 0;
      const r = decode(withExp);
      for (let rc = 0; rc < 4; rc++) {
        const want = roundRational(r.n, r.d, rc);
        const e = rcEnv(rc);
        const got = f80ToInt64(withExp, e);
        const inRange = want >= -(1n << 63n) && want < 1n << 63n;
        if (inRange) {
          expect(BigInt.asIntN(64, (BigInt(got.hi) << 32n) | BigInt(got.lo))).toBe(want);
          const inexact = want * r.d !== r.n;
          expect(e.flags).toBe(inexact ? Fsw.PE : 0);
          expect(e.roundedUp).toBe(inexact && (want < 0n ? -want : want) * r.d > (r.n < 0n ? -r.n : r.n));
        } else {
          expect(got).toEqual({ hi: 0x80000000, lo: 0 });
          expect(e.flags).toBe(Fsw.IE);
        }
      }
    }
  });
  it('out of range, NaN (even quiet), infinity → IE and the integer indefinite', () => {
    const e = env();
    expect(f80ToInt16(fromNumber(32768), e)).toBe(-32768);
    expect(e.flags).toBe(Fsw.IE);
    expect(f80ToInt16(fromNumber(-32768.4), env())).toBe(-32768);
    expect(f80ToInt32(fromNumber(2147483647.4), env())).toBe(2147483647);
    const q = env();
    expect(f80ToInt32(QNAN, q)).toBe(-2147483648);
    expect(q.flags).toBe(Fsw.IE);
    expect(f80ToInt64(NEG_INF, env())).toEqual({ hi: 0x80000000, lo: 0 });
  });
});

describe('packed BCD (SDM FBLD, FBSTP; Table 4-5 for the BCD indefinite)', () => {
  const bcd = (digits: string, negative = false) => {
    const out = new Uint8Array(10);
    const d = digits.padStart(18, '0');
    for (let i = 0; i < 9; i++) out[i] = Number.parseInt(d.slice(16 - 2 * i, 18 - 2 * i), 16);
    out[9] = negative ? 0x80 : 0;
    return out;
  };
  it('FBLD/FBSTP round-trip 18 digits and the sign', () => {
    const v = f80FromBcd(bcd('999999999999999999', true));
    const int = f80ToInt64(v, env());
    expect(BigInt.asIntN(64, (BigInt(int.hi) << 32n) | BigInt(int.lo))).toBe(-999999999999999999n);
    expect([...f80ToBcd(v, env())]).toEqual([...bcd('999999999999999999', true)]);
    expect([...f80ToBcd(fromNumber(1234567), env())]).toEqual([...bcd('1234567')]);
  });
  it('-0 keeps its sign both ways', () => {
    expect(hex(f80FromBcd(bcd('0', true)))).toBe(hex(NEG_ZERO));
    expect([...f80ToBcd(NEG_ZERO, env())]).toEqual([...bcd('0', true)]);
  });
  it('FBSTP rounds by RC: 2.5 → 2 nearest, 3 up; PE', () => {
    const e = env();
    expect([...f80ToBcd(fromNumber(2.5), e)]).toEqual([...bcd('2')]);
    expect(e.flags).toBe(Fsw.PE);
    expect([...f80ToBcd(fromNumber(2.5), rcEnv(2))]).toEqual([...bcd('3')]);
  });
  it('10^18 and NaN → IE and the BCD indefinite', () => {
    const e = env();
    expect([...f80ToBcd(fromNumber(1e18), e)]).toEqual(BCD_INDEFINITE);
    expect(e.flags).toBe(Fsw.IE);
    expect([...f80ToBcd(QNAN, env())]).toEqual(BCD_INDEFINITE);
  });
  it('FBLD rejects a buffer that is not 10 bytes, naming the length', () => {
    expect(() => f80FromBcd(new Uint8Array(9))).toThrow('f80FromBcd: packed BCD is 10 bytes, got 9');
  });
});
