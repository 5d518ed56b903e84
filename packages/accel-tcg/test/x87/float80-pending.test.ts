import { describe, expect, it } from 'vitest';
import type { Insn } from '../../src/decode/insn.js';
import type { Cpu } from '../../src/exec/cpu.js';
import { CpuFault } from '../../src/exec/fault.js';
import { float80Pending } from '../../src/ops/x87/float80-pending.js';

const cpu = {} as Cpu;
const insn = {} as Insn;

describe('x87 instructions over float80 operations that are not implemented yet', () => {
  it('raise #UD (a guest exception) instead of ending the run', () => {
    const h = float80Pending(() => {
      throw new Error('float80: f80Sin(0,0) is not implemented yet');
    });
    let caught: unknown;
    try {
      h(cpu, insn);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CpuFault);
    expect((caught as CpuFault).vector).toBe(6);
  });

  it('let every other error through unchanged', () => {
    const h = float80Pending(() => {
      throw new Error('something else broke');
    });
    expect(() => h(cpu, insn)).toThrow('something else broke');
  });
});
