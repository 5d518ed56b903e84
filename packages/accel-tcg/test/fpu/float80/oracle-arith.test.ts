import { describe, expect, it } from 'vitest';
import { f80Add, f80Sub } from '../../../src/fpu/float80/add-sub.js';
import { envFromFcw } from '../../../src/fpu/float80/env.js';
import { f80Div, f80Mul } from '../../../src/fpu/float80/mul-div.js';
import { f80Sqrt } from '../../../src/fpu/float80/sqrt.js';
import type { RawExtended } from '../../../src/fpu/fpu-state.js';
import { finiteOperand, relatedOperand, rng } from './gen.js';
import { expected, type Op } from './oracle.js';

const COUNT = Number(process.env.FLOAT80_ORACLE_COUNT ?? 150);
const hex = (v: RawExtended) =>
  `${v.signExp.toString(16).padStart(4, '0')}:${v.hi.toString(16).padStart(8, '0')}${v.lo.toString(16).padStart(8, '0')}`;

const OPS: Record<Op, (a: RawExtended, b: RawExtended, env: ReturnType<typeof envFromFcw>) => RawExtended> = {
  add: f80Add,
  sub: f80Sub,
  mul: f80Mul,
  div: f80Div,
  sqrt: (a, _b, env) => f80Sqrt(a, env),
};

describe('float80 arithmetic against the exact rational oracle (all RC × PC, masked and unmasked OE/UE)', () => {
  for (const op of Object.keys(OPS) as Op[]) {
    it(`${op}: ${COUNT} seeded operand pairs × 4 RC × 3 PC × 2 mask settings`, () => {
      const next = rng(0x5eed0000 + op.length * 7919 + op.charCodeAt(0));
      let checked = 0;
      const failures: string[] = [];
      for (let n = 0; n < COUNT; n++) {
        let a = finiteOperand(next);
        if (op === 'sqrt') a = { ...a, signExp: a.signExp & 0x7fff };
        const b = relatedOperand(a, next);
        for (const masks of [0x3f, 0x3f & ~0x18]) {
          for (const pcField of [0, 2, 3]) {
            for (let rc = 0; rc < 4; rc++) {
              const fcw = (rc << 10) | (pcField << 8) | masks;
              const want = expected(op, a, b, rc, [24, 64, 53, 64][pcField], masks);
              if (!want) continue;
              const env = envFromFcw(fcw);
              const got = OPS[op](a, b, env);
              checked++;
              if (
                hex(got) !== hex(want.value) ||
                env.flags !== want.flags ||
                env.roundedUp !== want.roundedUp
              ) {
                failures.push(
                  `${op}(${hex(a)}, ${hex(b)}) fcw=${fcw.toString(16)}: got ${hex(got)} flags ${env.flags} up ${env.roundedUp}, want ${hex(want.value)} flags ${want.flags} up ${want.roundedUp}`,
                );
              }
            }
          }
        }
      }
      expect(failures.slice(0, 5)).toEqual([]);
      expect(checked).toBeGreaterThan(COUNT * 12);
    });
  }
});

describe('fast path: a half-way guard with bits below it must round up (sticky, SDM §4.8.4)', () => {
  it.each([
    [
      'add: 1 + 2^-64·(1 + 2^-63)',
      'add',
      { signExp: 0x3fff, hi: 0x80000000, lo: 0 },
      { signExp: 0x3fff - 64, hi: 0x80000000, lo: 1 },
    ],
    [
      'mul: (1 + 2^-63) × (1.5 + 2^-63)',
      'mul',
      { signExp: 0x3fff, hi: 0x80000000, lo: 1 },
      { signExp: 0x3fff, hi: 0xc0000000, lo: 1 },
    ],
  ])('%s', (_name, op, a, b) => {
    const want = expected(op as Op, a, b, 0, 64, 0x3f);
    const env = envFromFcw(0x37f);
    expect(hex(OPS[op as Op](a, b, env))).toBe(hex(want!.value));
    expect(env.roundedUp).toBe(true);
  });
});
