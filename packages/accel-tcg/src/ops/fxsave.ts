import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { gp } from '../exec/fault.js';
import { requireFxsr } from '../fpu/availability.js';
import { Fx } from '../fpu/fpu-state.js';
import { ea } from './operands.js';

// FXSAVE/FXRSTOR (0F AE /0 and /1): the 512-byte legacy area of SDM Vol. 1 Table 10-2, which is
// exactly the layout of the canonical image, so both are field-by-field copies. Only the fields
// the SDM defines are written; reserved bytes of the area keep what memory held.

const AREA = 512;
const CR4_OSFXSR = 1 << 9;
/** MXCSR bits this CPU implements (no denormals-are-zero), reported in MXCSR_MASK. */
export const MXCSR_MASK = 0xffbf;
const XMM_BYTES = 8 * 16;

/** Address checks shared by both: #GP(0) unless 16-byte aligned, then the segment limit. */
function areaOffset(c: Cpu, i: Insn, write: boolean): number {
  const off = ea(c, i);
  const lin = write ? c.linW(i.seg, off, AREA) : c.linR(i.seg, off, AREA);
  if (lin & 15) gp(0);
  if (write) c.mmu.probeWrite(lin, AREA);
  return off;
}

/** Byte ranges [start, end) of the area FXSAVE writes. */
function savedRanges(c: Cpu): Array<[number, number]> {
  const sse = (c.state.cr4 & CR4_OSFXSR) !== 0;
  const ranges: Array<[number, number]> = [[0, Fx.MXCSR]];
  if (sse) ranges.push([Fx.MXCSR, Fx.ST0]);
  for (let k = 0; k < 8; k++) ranges.push([Fx.ST0 + 16 * k, Fx.ST0 + 16 * k + 10]);
  if (sse) ranges.push([Fx.XMM0, Fx.XMM0 + XMM_BYTES]);
  return ranges;
}

export function opFxsave(c: Cpu, i: Insn): void {
  requireFxsr(c);
  const off = areaOffset(c, i, true);
  const img = c.fpu.image;
  const out = new Uint8Array(Fx.XMM0 + XMM_BYTES);
  out.set(img.subarray(0, out.length));
  // Reserved bytes of the header are stored as zero; MXCSR_MASK is the CPU's, not state.
  out[5] = 0;
  out[14] = out[15] = out[22] = out[23] = 0;
  new DataView(out.buffer).setUint32(Fx.MXCSR_MASK, MXCSR_MASK, true);
  for (const [start, end] of savedRanges(c)) {
    for (let k = start; k < end; k++) c.write8(i.seg, off + k, out[k]);
  }
}

export function opFxrstor(c: Cpu, i: Insn): void {
  requireFxsr(c);
  const off = areaOffset(c, i, false);
  const sse = (c.state.cr4 & CR4_OSFXSR) !== 0;
  // Read everything first: a fault part-way must leave the state untouched.
  const area = new Uint8Array(Fx.XMM0 + XMM_BYTES);
  for (let k = 0; k < area.length; k++) area[k] = c.read8(i.seg, off + k);
  const view = new DataView(area.buffer);
  const mxcsr = view.getUint32(Fx.MXCSR, true);
  if (sse && (mxcsr & ~MXCSR_MASK) !== 0) gp(0);
  const fpu = c.fpu;
  fpu.fcw = view.getUint16(Fx.FCW, true);
  // FSW first with TOP from memory and no rotation: the slots below are stored in ST order.
  fpu.image[Fx.FSW] = area[Fx.FSW];
  fpu.image[Fx.FSW + 1] = area[Fx.FSW + 1];
  fpu.abridgedTag = area[Fx.FTW];
  fpu.fop = view.getUint16(Fx.FOP, true);
  fpu.fip = view.getUint32(Fx.FIP, true);
  fpu.fcs = view.getUint16(Fx.FCS, true);
  fpu.fdp = view.getUint32(Fx.FDP, true);
  fpu.fds = view.getUint16(Fx.FDS, true);
  for (let k = 0; k < 8; k++) {
    const o = Fx.ST0 + 16 * k;
    fpu.writeSt(k, {
      lo: view.getUint32(o, true),
      hi: view.getUint32(o + 4, true),
      signExp: view.getUint16(o + 8, true),
    });
  }
  if (sse) {
    fpu.mxcsr = mxcsr;
    fpu.image.set(area.subarray(Fx.XMM0, Fx.XMM0 + XMM_BYTES), Fx.XMM0);
  }
}
