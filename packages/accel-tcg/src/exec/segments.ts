import { copySegment, makeSegment, type SegmentRegister } from '@tsvm/arch-x86';
import { type Cpu, Seg } from './cpu.js';
import {
  descDpl,
  descPresent,
  isCode,
  isConforming,
  loadCache,
  loadNull,
  markAccessed,
  readDescriptor,
} from './descriptors.js';
import { fault, Vec } from './fault.js';

/**
 * MOV/POP/LxS to a data segment register or SS (SDM Vol. 2 "MOV—Move to segment register").
 * In real and virtual-8086 mode only the selector and base change.
 */
export function loadSegment(c: Cpu, idx: number, sel: number): void {
  sel &= 0xffff;
  if (!c.pe || c.v86) {
    c.loadSegReal(idx, sel);
    return;
  }
  const sg = c.segs[idx];
  const rpl = sel & 3;
  if (idx === Seg.SS) {
    if ((sel & 0xfffc) === 0) fault(Vec.GP, 0);
    const d = readDescriptor(c, sel);
    if (rpl !== c.cpl || descDpl(d) !== c.cpl) fault(Vec.GP, sel & 0xfffc);
    // Writable data only.
    if (isCode(d) || !(d.hi & 0x1000) || !(d.hi & 0x200)) fault(Vec.GP, sel & 0xfffc);
    if (!descPresent(d)) fault(Vec.SS, sel & 0xfffc);
    markAccessed(c, d);
    loadCache(sg, sel, d);
  } else {
    if ((sel & 0xfffc) === 0) {
      loadNull(sg, sel);
      c.refreshSeg(idx);
      return;
    }
    const d = readDescriptor(c, sel);
    if (!(d.hi & 0x1000) || (isCode(d) && !(d.hi & 0x200))) fault(Vec.GP, sel & 0xfffc);
    if (!isConforming(d) && (rpl > descDpl(d) || c.cpl > descDpl(d))) fault(Vec.GP, sel & 0xfffc);
    if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
    markAccessed(c, d);
    loadCache(sg, sel, d);
  }
  c.refreshSeg(idx);
}

/** Saved architectural state for instructions that must change everything or nothing. */
export interface CpuSnapshot {
  segs: SegmentRegister[];
  esp: number;
  eip: number;
  flags: number;
  cpl: number;
}

export function snapshot(c: Cpu): CpuSnapshot {
  return {
    segs: c.segs.map((s) => {
      const copy = makeSegment();
      copySegment(copy, s);
      return copy;
    }),
    esp: c.r[4],
    eip: c.eip,
    flags: c.getFlags(),
    cpl: c.cpl,
  };
}

export function restore(c: Cpu, s: CpuSnapshot): void {
  for (let k = 0; k < 6; k++) copySegment(c.segs[k], s.segs[k]);
  c.r[4] = s.esp;
  c.eip = s.eip;
  c.flags = s.flags;
  c.setCpl(s.cpl);
  c.modeChanged();
}

/** Run `fn`; if it throws, put segments, ESP, EIP, EFLAGS and CPL back as they were. */
export function atomically(c: Cpu, fn: () => void): void {
  const saved = snapshot(c);
  try {
    fn();
  } catch (e) {
    restore(c, saved);
    throw e;
  }
}

/** After a return to an outer level: data segments the new CPL may not use become null. */
export function nullInaccessibleSegments(c: Cpu): void {
  for (const idx of [Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
    const sg = c.segs[idx];
    const conformingCode = sg.s && (sg.type & 0xc) === 0xc;
    if (!sg.unusable && !conformingCode && sg.dpl < c.cpl) {
      loadNull(sg, 0);
      c.refreshSeg(idx);
    }
  }
}
