import { X86CpuState } from '@tsvm/arch-x86';
import { describe, expect, it } from 'vitest';
import { FpuState, Fx, Tag } from '../../src/fpu/fpu-state.js';

const ext = (n: number) => ({ signExp: 0x3fff + n, hi: 0x80000000, lo: n });

describe('FpuState over the FXSAVE image', () => {
  it('keeps slots in stack order and tags by physical register across pushes and pops', () => {
    const s = new X86CpuState();
    const f = new FpuState(s.fxsave);
    f.push(ext(1));
    f.push(ext(2));
    expect(f.top).toBe(6);
    expect(f.readSt(0)).toEqual(ext(2));
    expect(f.readSt(1)).toEqual(ext(1));
    // Physical registers 6 and 7 are in use: abridged tag bits 6 and 7.
    expect(f.abridgedTag).toBe(0xc0);
    expect(s.fxsave[Fx.ST0 + 8]).toBe(0x01); // ST0's exponent low byte is in slot 0 of the image
    f.pop();
    expect(f.top).toBe(7);
    expect(f.readSt(0)).toEqual(ext(1));
    expect(f.isEmpty(0)).toBe(false);
    expect(f.abridgedTag).toBe(0x80);
    // The popped value stays in physical register 6, now ST(7).
    expect(f.readSt(7)).toEqual(ext(2));
    expect(f.isEmpty(7)).toBe(true);
  });

  it('derives the full tag word from contents and reads it back as abridged tags', () => {
    const f = new FpuState(new X86CpuState().fxsave);
    f.push({ signExp: 0x7fff, hi: 0x80000000, lo: 0 }); // infinity → special, R7
    f.push({ signExp: 0, hi: 0, lo: 0 }); // zero, R6
    f.push({ signExp: 0x3fff, hi: 0x80000000, lo: 0 }); // 1.0 → valid, R5
    f.push({ signExp: 0x3fff, hi: 0x00000001, lo: 0 }); // unnormal → special, R4
    expect(f.fullTagWord).toBe(
      ((Tag.Empty * 0x55) & 0xff) |
        (Tag.Special << 8) |
        (Tag.Valid << 10) |
        (Tag.Zero << 12) |
        (Tag.Special << 14),
    );
    f.fullTagWord = 0xfff0; // R0, R1 not empty; the rest empty
    expect(f.abridgedTag).toBe(0x03);
  });
});
