import { describe, expect, it } from 'vitest';
import {
  f80Add,
  f80Div,
  f80Mul,
  f80Sqrt,
  f80Sub,
  postComputationFault,
  preComputationFault,
} from '../../../src/fpu/float80/index.js';
import { Fsw } from '../../../src/fpu/fpu-state.js';
import {
  DENORMAL,
  env,
  hex,
  INDEFINITE,
  NEG_INF,
  NEG_ZERO,
  ONE,
  POS_INF,
  POS_ZERO,
  PSEUDO_DENORMAL,
  PSEUDO_INF,
  PSEUDO_NAN,
  QNAN,
  rcEnv,
  SNAN,
  TWO,
  UNNORMAL,
  x,
} from './helpers.js';

describe('NaN propagation (SDM Vol. 1 §4.8.3.5, Table 4-7, x87 column)', () => {
  const bigSnan = x(0xffff, 0xbfffffff, 0xffffffff);
  const bigQnan = x(0x7fff, 0xffffffff, 0);
  it('SNaN + number → the SNaN quietened, IE', () => {
    const e = env();
    expect(hex(f80Add(SNAN, ONE, e))).toBe(hex(x(0x7fff, 0xc0000000, 0x1234)));
    expect(e.flags).toBe(Fsw.IE);
  });
  it('QNaN + number → the QNaN, no exception', () => {
    const e = env();
    expect(hex(f80Mul(ONE, QNAN, e))).toBe(hex(QNAN));
    expect(e.flags).toBe(0);
  });
  it('SNaN and QNaN → the QNaN source, IE (whatever the significands)', () => {
    const e = env();
    expect(hex(f80Add(bigSnan, QNAN, e))).toBe(hex(QNAN));
    expect(e.flags).toBe(Fsw.IE);
  });
  it('two QNaNs → the larger significand', () => {
    expect(hex(f80Sub(QNAN, bigQnan, env()))).toBe(hex(bigQnan));
    expect(hex(f80Sub(bigQnan, QNAN, env()))).toBe(hex(bigQnan));
  });
  it('two SNaNs → the larger significand quietened, IE', () => {
    const e = env();
    expect(hex(f80Div(SNAN, bigSnan, e))).toBe(hex(x(0xffff, 0xffffffff, 0xffffffff)));
    expect(e.flags).toBe(Fsw.IE);
  });
  it('equal significands → the positive NaN', () => {
    const neg = { ...QNAN, signExp: 0xffff };
    expect(hex(f80Add(neg, QNAN, env()))).toBe(hex(QNAN));
    expect(hex(f80Add(QNAN, neg, env()))).toBe(hex(QNAN));
  });
});

describe('invalid operations give the real indefinite (SDM Vol. 1 §4.8.3.7, §8.5.1.2)', () => {
  it.each([
    ['+inf + -inf', () => f80Add(POS_INF, NEG_INF, env())],
    ['+inf - +inf', () => f80Sub(POS_INF, POS_INF, env())],
    ['0 × inf', () => f80Mul(NEG_ZERO, POS_INF, env())],
    ['0 / 0', () => f80Div(POS_ZERO, NEG_ZERO, env())],
    ['inf / inf', () => f80Div(NEG_INF, POS_INF, env())],
    ['sqrt(-1)', () => f80Sqrt({ ...ONE, signExp: 0xbfff }, env())],
    ['sqrt(-inf)', () => f80Sqrt(NEG_INF, env())],
  ])('%s → IE, indefinite', (_name, run) => {
    expect(hex(run())).toBe(hex(INDEFINITE));
  });
  it('IE is the only flag raised', () => {
    const e = env();
    f80Mul(POS_ZERO, NEG_INF, e);
    expect(e.flags).toBe(Fsw.IE);
  });
});

describe('unsupported encodings are invalid operands (SDM Vol. 1 §8.2.2, Table 8-3)', () => {
  it.each([
    ['unnormal', UNNORMAL],
    ['pseudo-infinity', PSEUDO_INF],
    ['pseudo-NaN', PSEUDO_NAN],
  ])('%s → IE and the indefinite, even against a QNaN', (_name, value) => {
    const e = env();
    expect(hex(f80Add(value, ONE, e))).toBe(hex(INDEFINITE));
    expect(hex(f80Mul(QNAN, value, env()))).toBe(hex(INDEFINITE));
    expect(hex(f80Sqrt(value, env()))).toBe(hex(INDEFINITE));
    expect(e.flags).toBe(Fsw.IE);
  });
});

describe('denormal operands (SDM Vol. 1 §8.5.2, §4.8.3.2)', () => {
  it('a denormal operand raises DE and the operation proceeds when masked', () => {
    const e = env();
    // 2^-16383 × 2 = 2^-16382, the smallest normal: exact.
    expect(hex(f80Mul(DENORMAL, TWO, e))).toBe(hex(x(1, 0x80000000, 0)));
    expect(e.flags).toBe(Fsw.DE);
  });
  it('a pseudo-denormal is accepted with DE and weighs like exponent 1', () => {
    const e = env();
    const sum = f80Add(PSEUDO_DENORMAL, POS_ZERO, e);
    expect(hex(sum)).toBe(hex(x(1, 0x80000000, 0)));
    expect(e.flags).toBe(Fsw.DE);
  });
  it('an unmasked DE stops the operation before OE/UE/PE (the caller stores nothing)', () => {
    const e = env(0x037f & ~Fsw.DE);
    f80Div(ONE, { ...DENORMAL, lo: 1 }, e);
    expect(e.flags).toBe(Fsw.DE);
    expect(preComputationFault(e)).toBe(true);
  });
});

describe('zero divide and zero signs (SDM Vol. 1 §4.9.1.3, §4.8.3.1)', () => {
  it('finite / 0 → ZE and an infinity with the xor sign', () => {
    const e = env();
    expect(hex(f80Div({ ...ONE, signExp: 0xbfff }, POS_ZERO, e))).toBe(hex(NEG_INF));
    expect(e.flags).toBe(Fsw.ZE);
  });
  it('ZE outranks DE (SDM §4.9.2)', () => {
    const e = env();
    f80Div(DENORMAL, NEG_ZERO, e);
    expect(e.flags).toBe(Fsw.ZE);
  });
  it('x - x is +0, but -0 when rounding down', () => {
    expect(hex(f80Sub(TWO, TWO, rcEnv(0)))).toBe(hex(POS_ZERO));
    expect(hex(f80Sub(TWO, TWO, rcEnv(1)))).toBe(hex(NEG_ZERO));
    expect(hex(f80Add(NEG_ZERO, NEG_ZERO, rcEnv(0)))).toBe(hex(NEG_ZERO));
  });
  it('sqrt(-0) = -0 without exceptions', () => {
    const e = env();
    expect(hex(f80Sqrt(NEG_ZERO, e))).toBe(hex(NEG_ZERO));
    expect(e.flags).toBe(0);
  });
});

describe('overflow and underflow responses (SDM Vol. 1 §4.9.1.4, §4.9.1.5, §8.5.4, §8.5.5)', () => {
  const big = x(0x7ffe, 0xffffffff, 0xffffffff);
  const tiny = x(0x0001, 0x80000000, 0);
  it.each([
    [0, '7fff:8000000000000000', true],
    [1, '7ffe:ffffffffffffffff', false],
    [2, '7fff:8000000000000000', true],
    [3, '7ffe:ffffffffffffffff', false],
  ])('masked overflow, RC=%i → %s', (rc, want, up) => {
    const e = rcEnv(rc as number);
    expect(hex(f80Add(big, big, e))).toBe(want);
    expect(e.flags).toBe(Fsw.OE | Fsw.PE);
    expect(e.roundedUp).toBe(up);
  });
  it('masked overflow at 24-bit precision saturates to the largest 24-bit significand', () => {
    const e = env((0x0f7f & ~0x0300) | 0x0000 | (3 << 10)); // PC=24, RC=toward zero
    expect(hex(f80Mul(big, big, e))).toBe('7ffe:ffffff0000000000');
  });
  it('unmasked overflow to a register: the result with its exponent reduced by 24576', () => {
    const e = env(0x037f & ~Fsw.OE);
    expect(hex(f80Add(big, big, e))).toBe(hex(x(0x7fff - 0x6000, 0xffffffff, 0xffffffff)));
    expect(e.flags).toBe(Fsw.OE);
    expect(postComputationFault(e)).toBe(true);
  });
  it('masked underflow: flagged only when the tiny result is also inexact', () => {
    const exact = env();
    expect(hex(f80Div(tiny, TWO, exact))).toBe(hex(x(0, 0x40000000, 0)));
    expect(exact.flags).toBe(0);
    const inexact = env();
    expect(hex(f80Div(tiny, x(0x4000, 0xc0000000, 0), inexact))).toBe(hex(x(0, 0x2aaaaaaa, 0xaaaaaaab)));
    expect(inexact.flags).toBe(Fsw.UE | Fsw.PE);
  });
  it('unmasked underflow: flagged even when exact, result exponent raised by 24576', () => {
    const e = env(0x037f & ~Fsw.UE);
    expect(hex(f80Div(tiny, TWO, e))).toBe(hex(x(0x6000, 0x80000000, 0)));
    expect(e.flags).toBe(Fsw.UE);
  });
});
