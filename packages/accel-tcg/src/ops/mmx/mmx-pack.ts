import { mmxBinary, satS8, satS16, satU8 } from './mmx-lanes.js';

// Packs narrow each lane with saturation (destination lanes low, source lanes high); unpacks
// interleave the low or high halves of destination and source. The MMX low unpacks read only
// 32 bits from memory (SDM: PUNPCKLBW mm, mm/m32).

export const opPacksswb = mmxBinary((a, b, r) => {
  for (let k = 0; k < 4; k++) {
    r.i8[k] = satS8(a.i16[k]);
    r.i8[k + 4] = satS8(b.i16[k]);
  }
});

export const opPackuswb = mmxBinary((a, b, r) => {
  for (let k = 0; k < 4; k++) {
    r.u8[k] = satU8(a.i16[k]);
    r.u8[k + 4] = satU8(b.i16[k]);
  }
});

export const opPackssdw = mmxBinary((a, b, r) => {
  for (let k = 0; k < 2; k++) {
    r.i16[k] = satS16(a.i32[k]);
    r.i16[k + 2] = satS16(b.i32[k]);
  }
});

const unpackBytes = (from: number, srcBytes: number) =>
  mmxBinary((a, b, r) => {
    for (let k = 0; k < 4; k++) {
      r.u8[2 * k] = a.u8[from + k];
      r.u8[2 * k + 1] = b.u8[from + k];
    }
  }, srcBytes);

const unpackWords = (from: number, srcBytes: number) =>
  mmxBinary((a, b, r) => {
    for (let k = 0; k < 2; k++) {
      r.u16[2 * k] = a.u16[from + k];
      r.u16[2 * k + 1] = b.u16[from + k];
    }
  }, srcBytes);

const unpackDwords = (from: number, srcBytes: number) =>
  mmxBinary((a, b, r) => {
    r.u32[0] = a.u32[from];
    r.u32[1] = b.u32[from];
  }, srcBytes);

export const opPunpcklbw = unpackBytes(0, 4);
export const opPunpcklwd = unpackWords(0, 4);
export const opPunpckldq = unpackDwords(0, 4);
export const opPunpckhbw = unpackBytes(4, 8);
export const opPunpckhwd = unpackWords(2, 8);
export const opPunpckhdq = unpackDwords(1, 8);
