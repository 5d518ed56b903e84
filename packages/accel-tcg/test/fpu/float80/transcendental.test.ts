import { describe, expect, it } from 'vitest';
import {
  type Float80Env,
  f80Atan2,
  f80Cos,
  f80Sin,
  f80SinCos,
  f80Tan,
  f80TwoToXMinus1,
  f80YLog2X,
  f80YLog2XP1,
  type RawExtended,
} from '../../../src/fpu/float80/index.js';
import { setMpPrecision } from '../../../src/fpu/float80/mp.js';
import { Fsw } from '../../../src/fpu/fpu-state.js';
import { rng } from './gen.js';
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

type Unary = (a: RawExtended, e: Float80Env) => RawExtended;
type Binary = (y: RawExtended, x: RawExtended, e: Float80Env) => RawExtended;

const sin: Unary = (a, e) => f80Sin(a, e).value;
const cos: Unary = (a, e) => f80Cos(a, e).value;
const tan: Unary = (a, e) => f80Tan(a, e).value;

function randomIn(next: () => number, lo: number, hi: number): number {
  return lo + ((next() / 2 ** 32) * 2 ** -21 + next() / 2 ** 32) * (hi - lo);
}

describe('transcendental values against Math.* (double reference, 2 double ulps)', () => {
  const cases: [string, () => [RawExtended, RawExtended | undefined, number]][] = [];
  const next = rng(2024);
  const unary = (name: string, f: Unary, ref: (v: number) => number, lo: number, hi: number) => {
    it(`${name} on [${lo}, ${hi}]`, () => {
      for (let i = 0; i < 150; i++) {
        const v = randomIn(next, lo, hi);
        const got = toNumber(f(fromNumber(v), env()));
        const want = ref(v);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(2 * Math.abs(want) * 2 ** -52 + 2 ** -1074);
      }
    });
  };
  unary('sin', sin, Math.sin, -1e6, 1e6);
  unary('cos', cos, Math.cos, -10, 10);
  unary('tan', tan, Math.tan, -1.5, 1.5);
  unary('f2xm1', f80TwoToXMinus1, (v) => Math.expm1(v * Math.LN2), -1, 1);
  const binary = (name: string, f: Binary, ref: (y: number, x: number) => number, xs: [number, number]) => {
    it(`${name}`, () => {
      for (let i = 0; i < 150; i++) {
        const y = randomIn(next, -100, 100);
        const v = randomIn(next, xs[0], xs[1]);
        const got = toNumber(f(fromNumber(y), fromNumber(v), env()));
        const want = ref(y, v);
        expect(Math.abs(got - want)).toBeLessThanOrEqual(3 * Math.abs(want) * 2 ** -52);
      }
    });
  };
  binary('fyl2x', f80YLog2X, (y, v) => y * Math.log2(v), [1e-300, 1e300]);
  binary('fyl2xp1', f80YLog2XP1, (y, v) => (y * Math.log1p(v)) / Math.LN2, [-0.29, 0.29]);
  binary('fpatan', f80Atan2, Math.atan2, [-100, 100]);
  expect(cases).toEqual([]);
});

describe('correct rounding: 200-bit evaluation equals a 320-bit one, all RC (the accuracy claim)', () => {
  const fns: [string, (a: RawExtended, b: RawExtended, e: Float80Env) => RawExtended][] = [
    ['sin', (a, _b, e) => sin(a, e)],
    ['cos', (a, _b, e) => cos(a, e)],
    ['tan', (a, _b, e) => tan(a, e)],
    ['f2xm1', (a, _b, e) => f80TwoToXMinus1(a, e)],
    ['fyl2x', (a, b, e) => f80YLog2X(a, b, e)],
    ['fyl2xp1', (a, b, e) => f80YLog2XP1(a, b, e)],
    ['fpatan', (a, b, e) => f80Atan2(a, b, e)],
  ];
  for (const [name, f] of fns) {
    it(name, () => {
      const next = rng(name.length * 31 + 7);
      for (let i = 0; i < 60; i++) {
        const a = x((next() & 0x8000) | (0x3fff + (next() % 40) - 30), next() | 0x80000000, next());
        const b = x(0x3fff + (next() % 6) - 4, next() | 0x80000000, next());
        const rc = next() & 3;
        const low = rcEnv(rc);
        const r200 = f(a, b, low);
        const old = setMpPrecision(320);
        try {
          const high = rcEnv(rc);
          const r320 = f(a, b, high);
          expect([hex(r200), low.flags, low.roundedUp]).toEqual([hex(r320), high.flags, high.roundedUp]);
        } finally {
          setMpPrecision(old);
        }
      }
    });
  }
});

describe('special operands of the transcendental instructions (SDM FSIN/FCOS/FPTAN/FPATAN/F2XM1/FYL2X/FYL2XP1 tables)', () => {
  it('FSIN/FCOS/FSINCOS/FPTAN of ±inf → IE and the indefinite', () => {
    const e = env();
    expect(hex(sin(NEG_INF, e))).toBe(hex(INDEFINITE));
    expect(e.flags).toBe(Fsw.IE);
    expect(hex(f80SinCos(POS_INF, env()).cos)).toBe(hex(INDEFINITE));
  });
  it('|x| ≥ 2^63 is out of range: C2, operand unchanged, no flags', () => {
    const big = x(0x3fff + 63, 0x80000000, 0);
    const e = env();
    const r = f80Tan(big, e);
    expect(r.outOfRange).toBe(true);
    expect(hex(r.value)).toBe(hex(big));
    expect(e.flags).toBe(0);
    expect(f80Sin(x(0x3fff + 62, 0xffffffff, 0xffffffff), env()).outOfRange).toBe(false);
  });
  it('zeros: sin/tan keep the signed zero, cos(±0) = 1, all exact', () => {
    const e = env();
    expect(hex(sin(NEG_ZERO, e))).toBe(hex(NEG_ZERO));
    expect(hex(cos(NEG_ZERO, e))).toBe(hex(ONE));
    const sc = f80SinCos(NEG_ZERO, e);
    expect([hex(sc.sin), hex(sc.cos)]).toEqual([hex(NEG_ZERO), hex(ONE)]);
    expect(e.flags).toBe(0);
  });
  it('tiny arguments round on the correct side of x (sin x < x < tan x)', () => {
    const t = x(0x3fff - 40, 0x80000000, 0);
    const below = x(0x3fff - 41, 0xffffffff, 0xffffffff);
    const above = x(0x3fff - 40, 0x80000000, 1);
    expect(hex(sin(t, rcEnv(0)))).toBe(hex(t));
    expect(hex(sin(t, rcEnv(3)))).toBe(hex(below));
    expect(hex(tan(t, rcEnv(2)))).toBe(hex(above));
    expect(hex(tan(t, rcEnv(3)))).toBe(hex(t));
    const e = rcEnv(1);
    expect(hex(cos(t, e))).toBe('3ffe:ffffffffffffffff');
    expect(e.flags).toBe(Fsw.PE);
  });
  it('a denormal argument raises DE, and sin of it underflows (UE|PE)', () => {
    const e = env();
    expect(hex(sin(DENORMAL, e))).toBe(hex(DENORMAL));
    expect(e.flags).toBe(Fsw.DE | Fsw.UE | Fsw.PE);
  });
  it.each([
    ['atan2(+0, -0) = +π', POS_ZERO, NEG_ZERO, Math.PI],
    ['atan2(-0, +0) = -0', NEG_ZERO, POS_ZERO, -0],
    ['atan2(-F, ±0) = -π/2', fromNumber(-3), POS_ZERO, -Math.PI / 2],
    ['atan2(+inf, -inf) = 3π/4', POS_INF, NEG_INF, (3 * Math.PI) / 4],
    ['atan2(-inf, +inf) = -π/4', NEG_INF, POS_INF, -Math.PI / 4],
    ['atan2(+F, -inf) = +π', fromNumber(2), NEG_INF, Math.PI],
    ['atan2(+F, +inf) = +0', fromNumber(2), POS_INF, 0],
  ])('FPATAN %s', (_name, y, v, want) => {
    expect(Object.is(toNumber(f80Atan2(y, v, env())), want)).toBe(true);
  });
  it('F2XM1: exact at ±1 and -inf, the true value of 2^x-1 near zero', () => {
    const e = env();
    expect(toNumber(f80TwoToXMinus1(ONE, e))).toBe(1);
    expect(toNumber(f80TwoToXMinus1(fromNumber(-1), e))).toBe(-0.5);
    expect(toNumber(f80TwoToXMinus1(NEG_INF, e))).toBe(-1);
    expect(e.flags).toBe(0);
  });
  it.each([
    ['x < 0 → IE', fromNumber(1), fromNumber(-2), 'IE'],
    ['x = ±0, y finite → ZE, -inf', fromNumber(3), NEG_ZERO, 'ZE'],
    ['x = ±0, y = 0 → IE', POS_ZERO, POS_ZERO, 'IE'],
    ['x = +inf, y = 0 → IE', NEG_ZERO, POS_INF, 'IE'],
    ['x = 1, y = inf → IE', POS_INF, ONE, 'IE'],
  ])('FYL2X %s', (_name, y, v, flag) => {
    const e = env();
    const r = f80YLog2X(y, v, e);
    expect(e.flags).toBe(flag === 'IE' ? Fsw.IE : Fsw.ZE);
    if (flag === 'ZE') expect(hex(r)).toBe(hex(NEG_INF));
    else expect(hex(r)).toBe(hex(INDEFINITE));
  });
  it('FYL2X with x a power of two is exact: 3 × log2(1/8) = -9, and y·log2(1) = ±0', () => {
    const e = env();
    expect(toNumber(f80YLog2X(fromNumber(3), fromNumber(0.125), e))).toBe(-9);
    expect(hex(f80YLog2X(fromNumber(-3), ONE, e))).toBe(hex(NEG_ZERO));
    expect(e.flags).toBe(0);
  });
  it('FYL2XP1: ±0 gives the xor-signed zero; x < -1 → IE', () => {
    expect(hex(f80YLog2XP1(fromNumber(-2), POS_ZERO, env()))).toBe(hex(NEG_ZERO));
    const e = env();
    expect(hex(f80YLog2XP1(ONE, fromNumber(-1.5), e))).toBe(hex(INDEFINITE));
    expect(e.flags).toBe(Fsw.IE);
  });
});
