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

  it.each([
    ['an aligned image (32-bit word path)', 0],
    ['an unaligned image (byte path)', 1],
  ])('keeps every physical register in place for each TOP change (0..7), %s', (_name, offset) => {
    const f = new FpuState(new Uint8Array(512 + offset).subarray(offset));
    for (let i = 0; i < 8; i++) f.writeSt(i, ext(i));
    // ST(i) at TOP=0 is physical register i; it must stay physical register i whatever TOP becomes.
    for (const next of [1, 5, 2, 7, 3, 3, 0, 4, 6, 0]) {
      f.top = next;
      for (let i = 0; i < 8; i++) expect(f.readSt(i)).toEqual(ext((next + i) & 7));
    }
    // The reserved bytes of a written slot are zero; the 80 bits sit little-endian at its start.
    f.image.fill(0xaa, Fx.ST0, Fx.ST0 + 16);
    f.writeSt(0, { signExp: 0xbffe, hi: 0x89abcdef, lo: 0x01234567 });
    expect([...f.image.subarray(Fx.ST0, Fx.ST0 + 16)]).toEqual([
      0x67, 0x45, 0x23, 0x01, 0xef, 0xcd, 0xab, 0x89, 0xfe, 0xbf, 0, 0, 0, 0, 0, 0,
    ]);
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
