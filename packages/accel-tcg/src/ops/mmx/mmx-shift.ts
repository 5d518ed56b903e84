import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { requireMmx } from '../../fpu/availability.js';
import { mmxBinary } from './mmx-lanes.js';
import { DST, enterMmxState, loadMm, type Quad, RES, rejectSsePrefixes, storeMm } from './mmx-registers.js';

// PSLL/PSRL/PSRA by MMrm/m64 (the whole 64-bit count) or by imm8 (0F 71-73 groups). A count
// above the lane width minus one clears the lane (logical) or fills it with the sign (arithmetic).

type Kind = 'll' | 'rl' | 'ra';
type Width = 'w' | 'd' | 'q';

function shiftQuad(a: Quad, r: Quad, kind: Kind, width: Width, count: number): void {
  if (width === 'w') {
    for (let k = 0; k < 4; k++) {
      if (kind === 'ra') r.i16[k] = a.i16[k] >> Math.min(count, 15);
      else r.u16[k] = count > 15 ? 0 : kind === 'll' ? a.u16[k] << count : a.u16[k] >>> count;
    }
  } else if (width === 'd') {
    for (let k = 0; k < 2; k++) {
      if (kind === 'ra') r.i32[k] = a.i32[k] >> Math.min(count, 31);
      else r.u32[k] = count > 31 ? 0 : kind === 'll' ? a.u32[k] << count : a.u32[k] >>> count;
    }
  } else {
    const lo = a.u32[0];
    const hi = a.u32[1];
    if (count > 63) {
      r.u32[0] = 0;
      r.u32[1] = 0;
    } else if (count === 0) {
      r.u32[0] = lo;
      r.u32[1] = hi;
    } else if (count >= 32) {
      r.u32[0] = kind === 'll' ? 0 : hi >>> (count - 32);
      r.u32[1] = kind === 'll' ? lo << (count - 32) : 0;
    } else if (kind === 'll') {
      r.u32[0] = lo << count;
      r.u32[1] = (hi << count) | (lo >>> (32 - count));
    } else {
      r.u32[0] = (lo >>> count) | (hi << (32 - count));
      r.u32[1] = hi >>> count;
    }
  }
}

/** Shift by the 64-bit count in MMrm or m64 (any nonzero high half means "too large"). */
const byOperand = (kind: Kind, width: Width) =>
  mmxBinary((a, b, r) => shiftQuad(a, r, kind, width, b.u32[1] !== 0 ? 0xffff : Math.min(b.u32[0], 0xffff)));

export const opPsrlw = byOperand('rl', 'w');
export const opPsrld = byOperand('rl', 'd');
export const opPsrlq = byOperand('rl', 'q');
export const opPsraw = byOperand('ra', 'w');
export const opPsrad = byOperand('ra', 'd');
export const opPsllw = byOperand('ll', 'w');
export const opPslld = byOperand('ll', 'd');
export const opPsllq = byOperand('ll', 'q');

/** 0F 71/72/73 /2 /4 /6 ib: shift MMrm by an immediate (register form only; the table enforces it). */
const byImmediate =
  (kind: Kind, width: Width) =>
  (c: Cpu, i: Insn): void => {
    rejectSsePrefixes(c, i);
    requireMmx(c);
    loadMm(c, i.rm, DST);
    shiftQuad(DST, RES, kind, width, i.imm & 0xff);
    enterMmxState(c);
    storeMm(c, i.rm, RES);
  };

export const opPsrlwImm = byImmediate('rl', 'w');
export const opPsrawImm = byImmediate('ra', 'w');
export const opPsllwImm = byImmediate('ll', 'w');
export const opPsrldImm = byImmediate('rl', 'd');
export const opPsradImm = byImmediate('ra', 'd');
export const opPslldImm = byImmediate('ll', 'd');
export const opPsrlqImm = byImmediate('rl', 'q');
export const opPsllqImm = byImmediate('ll', 'q');
