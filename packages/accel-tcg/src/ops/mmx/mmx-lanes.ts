import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { requireMmx } from '../../fpu/availability.js';
import {
  DST,
  enterMmxState,
  loadMm,
  loadSource,
  type Quad,
  RES,
  rejectSsePrefixes,
  SRC,
  storeMm,
} from './mmx-registers.js';

// Lane-wise MMX arithmetic, logic and compares: MMreg = f(MMreg, MMrm/m64), lane by lane.
// Typed-array stores truncate modulo the lane width, which is exactly wrap-around arithmetic.

type LaneFn = (a: number, b: number) => number;
type Width = 'b' | 'w' | 'd';

const sat = (lo: number, hi: number) => (v: number) => Math.max(lo, Math.min(hi, v));
export const satS8 = sat(-128, 127);
export const satU8 = sat(0, 255);
export const satS16 = sat(-32768, 32767);
export const satU16 = sat(0, 65535);

/** Run `body` with the operands loaded, then write RES to MMreg (the MMX state protocol). */
export function mmxBinary(body: (a: Quad, b: Quad, r: Quad) => void, srcBytes = 8) {
  return (c: Cpu, i: Insn): void => {
    rejectSsePrefixes(c, i);
    requireMmx(c);
    loadSource(c, i, SRC, srcBytes);
    loadMm(c, i.reg, DST);
    body(DST, SRC, RES);
    enterMmxState(c);
    storeMm(c, i.reg, RES);
  };
}

/** A lane operation on signed or unsigned lanes of `width`. */
function lanes(width: Width, signed: boolean, f: LaneFn) {
  return mmxBinary((a, b, r) => {
    if (width === 'b') {
      const x = signed ? a.i8 : a.u8;
      const y = signed ? b.i8 : b.u8;
      for (let k = 0; k < 8; k++) r.u8[k] = f(x[k], y[k]);
    } else if (width === 'w') {
      const x = signed ? a.i16 : a.u16;
      const y = signed ? b.i16 : b.u16;
      for (let k = 0; k < 4; k++) r.u16[k] = f(x[k], y[k]);
    } else {
      const x = signed ? a.i32 : a.u32;
      const y = signed ? b.i32 : b.u32;
      for (let k = 0; k < 2; k++) r.u32[k] = f(x[k], y[k]);
    }
  });
}

const add: LaneFn = (a, b) => a + b;
const sub: LaneFn = (a, b) => a - b;
const eq: LaneFn = (a, b) => (a === b ? -1 : 0);
const gt: LaneFn = (a, b) => (a > b ? -1 : 0);

export const opPaddb = lanes('b', false, add);
export const opPaddw = lanes('w', false, add);
export const opPaddd = lanes('d', false, add);
export const opPaddsb = lanes('b', true, (a, b) => satS8(a + b));
export const opPaddsw = lanes('w', true, (a, b) => satS16(a + b));
export const opPaddusb = lanes('b', false, (a, b) => satU8(a + b));
export const opPaddusw = lanes('w', false, (a, b) => satU16(a + b));
export const opPsubb = lanes('b', false, sub);
export const opPsubw = lanes('w', false, sub);
export const opPsubd = lanes('d', false, sub);
export const opPsubsb = lanes('b', true, (a, b) => satS8(a - b));
export const opPsubsw = lanes('w', true, (a, b) => satS16(a - b));
export const opPsubusb = lanes('b', false, (a, b) => satU8(a - b));
export const opPsubusw = lanes('w', false, (a, b) => satU16(a - b));
export const opPcmpeqb = lanes('b', false, eq);
export const opPcmpeqw = lanes('w', false, eq);
export const opPcmpeqd = lanes('d', false, eq);
export const opPcmpgtb = lanes('b', true, gt);
export const opPcmpgtw = lanes('w', true, gt);
export const opPcmpgtd = lanes('d', true, gt);
/** Products of two signed words fit in 31 bits plus sign: exact in a double. */
export const opPmullw = lanes('w', true, (a, b) => a * b);
export const opPmulhw = lanes('w', true, (a, b) => (a * b) >> 16);

/** PMADDWD: two signed word products summed per dword (0x8000·0x8000·2 wraps to 0x80000000). */
export const opPmaddwd = mmxBinary((a, b, r) => {
  r.u32[0] = a.i16[0] * b.i16[0] + a.i16[1] * b.i16[1];
  r.u32[1] = a.i16[2] * b.i16[2] + a.i16[3] * b.i16[3];
});

const logic = (f: (a: number, b: number) => number) =>
  mmxBinary((a, b, r) => {
    r.u32[0] = f(a.u32[0], b.u32[0]);
    r.u32[1] = f(a.u32[1], b.u32[1]);
  });
export const opPand = logic((a, b) => a & b);
export const opPandn = logic((a, b) => ~a & b);
export const opPor = logic((a, b) => a | b);
export const opPxor = logic((a, b) => a ^ b);
