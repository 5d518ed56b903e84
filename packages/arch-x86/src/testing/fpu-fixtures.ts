import type { X86CpuState } from '../state/x86-cpu-state.js';

/**
 * A non-trivial x87 state for snapshot and writeback tests, written into the canonical FXSAVE
 * image: TOP = 5 with ST(0)..ST(2) in use (R5..R7) and the rest empty, an unmasked invalid-
 * operation exception pending (IE with ES and B), non-default rounding and precision control,
 * the last-instruction and last-operand pointers set, and register contents that include a
 * denormal and a quiet NaN. Returns a copy of the 512-byte image for comparisons.
 */
export function paintNonTrivialFpuState(state: X86CpuState): Uint8Array {
  const img = state.fxsave;
  img.fill(0);
  const v = new DataView(img.buffer, img.byteOffset, img.byteLength);
  v.setUint16(0, 0x0e7e, true); // FCW: IM unmasked, PC 53 bits (9:8 = 10b), RC toward zero (11:10 = 11b)
  v.setUint16(2, (5 << 11) | 0x8081, true); // FSW: B, TOP=5, ES, IE
  img[4] = 0xe0; // abridged tags: R5, R6, R7 in use
  v.setUint16(6, 0x05c1, true); // FOP
  v.setUint32(8, 0x00001234, true); // FIP
  v.setUint16(12, 0x0008, true); // FCS
  v.setUint32(16, 0x00005678, true); // FDP
  v.setUint16(20, 0x0010, true); // FDS
  v.setUint32(24, 0x1f80, true); // MXCSR
  const regs: Array<[number, number, number]> = [
    [0x3fff, 0x80000000, 0x00000000], // ST(0) = 1.0
    [0x0000, 0x00001234, 0x56789abc], // ST(1): a denormal
    [0xffff, 0xc0000000, 0x00000001], // ST(2): a quiet NaN
    [0x4000, 0xc90fdaa2, 0x2168c235], // ST(3..7): stale contents of empty registers
    [0xc001, 0x80000000, 0x00000000],
    [0x7fff, 0x80000000, 0x00000000],
    [0x0000, 0x00000000, 0x00000000],
    [0x3ffe, 0xffffffff, 0xffffffff],
  ];
  regs.forEach(([signExp, hi, lo], k) => {
    v.setUint32(32 + 16 * k, lo, true);
    v.setUint32(32 + 16 * k + 4, hi, true);
    v.setUint16(32 + 16 * k + 8, signExp, true);
  });
  return img.slice();
}
