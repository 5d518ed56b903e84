import { describe, expect, it } from 'vitest';
import { F80Const, F80Order, f80Compare, f80Constant, f80Examine } from '../../../src/fpu/float80/index.js';
import { Fsw } from '../../../src/fpu/fpu-state.js';
import { finiteOperand, rng } from './gen.js';
import {
  DENORMAL,
  env,
  hex,
  NEG_INF,
  NEG_ZERO,
  ONE,
  POS_INF,
  POS_ZERO,
  PSEUDO_DENORMAL,
  QNAN,
  SNAN,
  UNNORMAL,
  x,
} from './helpers.js';
import { decode } from './oracle.js';

describe('FCOM/FUCOM comparisons (SDM FCOM, FUCOM: condition codes, IE rules)', () => {
  it('orders random finite values like their exact rationals; +0 = -0', () => {
    const next = rng(99);
    for (let i = 0; i < 3000; i++) {
      const a = finiteOperand(next);
      const b = next() % 4 === 0 ? { ...a, signExp: a.signExp ^ (next() & 0x8000) } : finiteOperand(next);
      const ra = decode(a);
      const rb = decode(b);
      const diff = ra.n * rb.d - rb.n * ra.d;
      const want = diff > 0n ? F80Order.Greater : diff < 0n ? F80Order.Less : F80Order.Equal;
      expect(f80Compare(a, b, true, env())).toBe(want);
    }
    expect(f80Compare(POS_ZERO, NEG_ZERO, true, env())).toBe(F80Order.Equal);
  });
  it('a pseudo-denormal equals the same value with exponent 1 (and raises DE)', () => {
    const e = env();
    expect(f80Compare(PSEUDO_DENORMAL, x(1, 0x80000000, 0), false, e)).toBe(F80Order.Equal);
    expect(e.flags).toBe(Fsw.DE);
  });
  it('infinities order outside the finite values', () => {
    expect(f80Compare(NEG_INF, x(0xfffe, 0xffffffff, 0xffffffff), true, env())).toBe(F80Order.Less);
    expect(f80Compare(POS_INF, POS_INF, true, env())).toBe(F80Order.Equal);
  });
  it('FCOM (signalling): any NaN → unordered with IE; FUCOM (quiet): only SNaN raises IE', () => {
    const s = env();
    expect(f80Compare(QNAN, ONE, true, s)).toBe(F80Order.Unordered);
    expect(s.flags).toBe(Fsw.IE);
    const q = env();
    expect(f80Compare(ONE, QNAN, false, q)).toBe(F80Order.Unordered);
    expect(q.flags).toBe(0);
    const qs = env();
    expect(f80Compare(ONE, SNAN, false, qs)).toBe(F80Order.Unordered);
    expect(qs.flags).toBe(Fsw.IE);
  });
  it('an unsupported operand is unordered with IE even for FUCOM', () => {
    const e = env();
    expect(f80Compare(UNNORMAL, ONE, false, e)).toBe(F80Order.Unordered);
    expect(e.flags).toBe(Fsw.IE);
  });
});

describe('FXAM classes (SDM FXAM table: C3 C2 C0, C1 = sign)', () => {
  it.each([
    ['unsupported', UNNORMAL, 0],
    ['NaN', QNAN, Fsw.C0],
    ['normal', ONE, Fsw.C2],
    ['infinity', NEG_INF, Fsw.C2 | Fsw.C0 | Fsw.C1],
    ['zero', NEG_ZERO, Fsw.C3 | Fsw.C1],
    ['denormal', DENORMAL, Fsw.C3 | Fsw.C2],
    ['pseudo-denormal', PSEUDO_DENORMAL, Fsw.C3 | Fsw.C2],
  ])('%s', (_name, value, bits) => {
    expect(f80Examine(value)).toBe(bits);
  });
});

describe('constants (SDM §8.3.8: rounded from the internal value by RC)', () => {
  // Significand bits of the true constants beyond 64 decide the rounding; expected values are
  // the published x87 results (nearest / down / up / toward zero).
  it.each([
    [
      'FLDPI',
      F80Const.Pi,
      ['4000:c90fdaa22168c235', '4000:c90fdaa22168c234', '4000:c90fdaa22168c235', '4000:c90fdaa22168c234'],
    ],
    [
      'FLDL2T',
      F80Const.Log2Ten,
      ['4000:d49a784bcd1b8afe', '4000:d49a784bcd1b8afe', '4000:d49a784bcd1b8aff', '4000:d49a784bcd1b8afe'],
    ],
    [
      'FLDL2E',
      F80Const.Log2E,
      ['3fff:b8aa3b295c17f0bc', '3fff:b8aa3b295c17f0bb', '3fff:b8aa3b295c17f0bc', '3fff:b8aa3b295c17f0bb'],
    ],
    [
      'FLDLG2',
      F80Const.Log10Two,
      ['3ffd:9a209a84fbcff799', '3ffd:9a209a84fbcff798', '3ffd:9a209a84fbcff799', '3ffd:9a209a84fbcff798'],
    ],
    [
      'FLDLN2',
      F80Const.LnTwo,
      ['3ffe:b17217f7d1cf79ac', '3ffe:b17217f7d1cf79ab', '3ffe:b17217f7d1cf79ac', '3ffe:b17217f7d1cf79ab'],
    ],
  ])('%s', (_name, which, wants) => {
    expect([0, 1, 2, 3].map((rc) => hex(f80Constant(which, rc)))).toEqual(wants);
  });
  it('FLD1 and FLDZ are exact', () => {
    expect(hex(f80Constant(F80Const.One, 1))).toBe(hex(ONE));
    expect(hex(f80Constant(F80Const.Zero, 2))).toBe(hex(POS_ZERO));
  });
});
