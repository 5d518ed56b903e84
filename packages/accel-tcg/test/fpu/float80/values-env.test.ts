import { describe, expect, it } from 'vitest';
import {
  envFromFcw,
  postComputationFault,
  preComputationFault,
  precisionBits,
} from '../../../src/fpu/float80/env.js';
import { classify, F80Class, raw } from '../../../src/fpu/float80/values.js';
import { Fsw } from '../../../src/fpu/fpu-state.js';

describe('float80 encodings (SDM Vol. 1 Table 8-3)', () => {
  it.each([
    ['zero', raw(0x8000, 0, 0), F80Class.Zero],
    ['denormal', raw(0, 0x00000001, 0), F80Class.Denormal],
    ['pseudo-denormal (exp 0, J=1) is accepted as a denormal', raw(0, 0x80000000, 1), F80Class.Denormal],
    ['unnormal (J=0, exp nonzero) is unsupported', raw(0x3fff, 0x40000000, 0), F80Class.Unsupported],
    ['pseudo-infinity is unsupported', raw(0x7fff, 0, 0), F80Class.Unsupported],
    ['pseudo-NaN is unsupported', raw(0x7fff, 0x40000000, 0), F80Class.Unsupported],
    ['infinity', raw(0xffff, 0x80000000, 0), F80Class.Infinity],
    ['SNaN', raw(0x7fff, 0x80000000, 1), F80Class.NaN],
    ['QNaN / indefinite', raw(0xffff, 0xc0000000, 0), F80Class.NaN],
    ['normal', raw(0x3fff, 0x80000000, 0), F80Class.Normal],
  ])('%s', (_name, value, expected) => {
    expect(classify(value)).toBe(expected);
  });
});

describe('float80 environment', () => {
  it('decodes RC, PC and the masks from the FCW', () => {
    const env = envFromFcw(0x0e7a);
    expect(env).toEqual({ rc: 3, pc: 2, masks: 0x3a, flags: 0, roundedUp: false });
    expect([0, 1, 2, 3].map(precisionBits)).toEqual([24, 64, 53, 64]);
  });
  it('tells pre- from post-computation faults by the masks', () => {
    const env = envFromFcw(0x037f & ~1); // IE unmasked
    env.flags = Fsw.IE;
    expect(preComputationFault(env)).toBe(true);
    expect(postComputationFault(env)).toBe(false);
    const masked = envFromFcw(0x037f);
    masked.flags = Fsw.IE | Fsw.OE;
    expect(preComputationFault(masked)).toBe(false);
    expect(postComputationFault(masked)).toBe(false);
  });
});
