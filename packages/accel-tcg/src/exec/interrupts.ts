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
import { CpuFault, fault, isContributory, TripleFault, Vec } from './fault.js';
import { IF, materialize, NT, RF, TF, VM } from './flags.js';
import { atomically } from './segments.js';
import { taskSwitch } from './task-switch.js';

/** How an event reached the CPU: it decides the EXT bit, DPL checks and what EIP is pushed. */
export const enum EventKind {
  /** An exception detected by the processor. */
  Exception = 0,
  /** A maskable interrupt or NMI from the board. */
  External = 1,
  /** INT n, INT3, INTO: gate DPL is checked against CPL. */
  Software = 2,
}

/** Read SS:ESP for privilege level `dpl` from the current TSS. */
export function tssStack(c: Cpu, dpl: number): { ss: number; esp: number } {
  const tr = c.state.tr;
  const is32 = (tr.type & 8) !== 0;
  const off = is32 ? 4 + dpl * 8 : 2 + dpl * 4;
  const width = is32 ? 8 : 4;
  if (off + width - 1 > tr.limit >>> 0) fault(Vec.TS, tr.selector & 0xfffc);
  const base = tr.base >>> 0;
  if (is32) return { esp: c.mmu.readSys(base + off, 4), ss: c.mmu.readSys(base + off + 4, 2) };
  return { esp: c.mmu.readSys(base + off, 2), ss: c.mmu.readSys(base + off + 2, 2) };
}

/** Load SS for an inner privilege level from a TSS stack pointer, with the #TS checks. */
export function loadInnerStack(c: Cpu, ss: number, esp: number, dpl: number): void {
  if ((ss & 0xfffc) === 0) fault(Vec.TS, 0);
  const d = readDescriptor(c, ss, Vec.TS);
  if ((ss & 3) !== dpl || descDpl(d) !== dpl || isCode(d) || !(d.hi & 0x1000) || !(d.hi & 0x200)) {
    fault(Vec.TS, ss & 0xfffc);
  }
  if (!descPresent(d)) fault(Vec.SS, ss & 0xfffc);
  markAccessed(c, d);
  loadCache(c.segs[Seg.SS], ss, d);
  c.refreshSeg(Seg.SS);
  c.r[4] = c.ss32 ? esp : (c.r[4] & ~0xffff) | (esp & 0xffff);
}

function deliverReal(c: Cpu, vector: number): void {
  const idt = c.state.idt;
  if (vector * 4 + 3 > idt.limit) fault(Vec.GP, vector * 8 + 2);
  const base = idt.base >>> 0;
  const ip = c.mmu.readSys(base + vector * 4, 2);
  const cs = c.mmu.readSys(base + vector * 4 + 2, 2);
  atomically(c, () => {
    c.push(materialize(c) & 0xffff, 2);
    c.push(c.segs[Seg.CS].selector, 2);
    c.push(c.eip & 0xffff, 2);
    c.loadSegReal(Seg.CS, cs);
    c.eip = ip;
    c.flags &= ~(IF | TF | 0x40000);
  });
}

function deliverProtected(c: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  const ext = kind === EventKind.Software ? 0 : 1;
  const idt = c.state.idt;
  const gateErr = vector * 8 + 2 + ext;
  if (vector * 8 + 7 > idt.limit) fault(Vec.GP, gateErr);
  const addr = (idt.base >>> 0) + vector * 8;
  const lo = c.mmu.readSys(addr, 4);
  const hi = c.mmu.readSys(addr + 4, 4);
  const type = (hi >> 8) & 0x1f;
  if (type !== 5 && type !== 6 && type !== 7 && type !== 0xe && type !== 0xf) fault(Vec.GP, gateErr);
  const gateDpl = (hi >> 13) & 3;
  if (kind === EventKind.Software && gateDpl < c.cpl) fault(Vec.GP, vector * 8 + 2);
  if (!(hi & 0x8000)) fault(Vec.NP, gateErr);
  if (type === 5) {
    taskSwitch(c, lo >>> 16, 'call', errorCode, ext);
    return;
  }
  const gate32 = (type & 8) !== 0;
  const sel = lo >>> 16;
  const offset = gate32 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
  if ((sel & 0xfffc) === 0) fault(Vec.GP, ext);
  const d = readDescriptor(c, sel, Vec.GP, ext);
  const dpl = descDpl(d);
  if (!isCode(d) || dpl > c.cpl) fault(Vec.GP, (sel & 0xfffc) | ext);
  if (!descPresent(d)) fault(Vec.NP, (sel & 0xfffc) | ext);
  const size = gate32 ? 4 : 2;
  const oldFlags = materialize(c);
  const oldCs = c.segs[Seg.CS].selector;
  const oldEip = c.eip;
  const oldSs = c.segs[Seg.SS].selector;
  const oldEsp = c.r[4];
  const fromV86 = c.v86;
  atomically(c, () => {
    if (!isConforming(d) && dpl < c.cpl) {
      if (fromV86 && dpl !== 0) fault(Vec.GP, (sel & 0xfffc) | ext);
      const stack = tssStack(c, dpl);
      // Leave virtual-8086 mode before loading ring-0 selectors.
      c.flags &= ~VM;
      c.modeChanged();
      c.setCpl(dpl);
      loadInnerStack(c, stack.ss, stack.esp, dpl);
      if (fromV86) {
        for (const idx of [Seg.GS, Seg.FS, Seg.DS, Seg.ES]) c.push(c.segs[idx].selector, size);
        for (const idx of [Seg.GS, Seg.FS, Seg.DS, Seg.ES]) {
          loadNull(c.segs[idx], 0);
          c.refreshSeg(idx);
        }
      }
      c.push(oldSs, size);
      c.push(oldEsp, size);
    } else if (fromV86) {
      fault(Vec.GP, (sel & 0xfffc) | ext);
    }
    const newCpl = isConforming(d) ? c.cpl : dpl;
    c.push(oldFlags, size);
    c.push(oldCs, size);
    c.push(oldEip, size);
    if (errorCode >= 0) c.push(errorCode, size);
    markAccessed(c, d);
    loadCache(c.segs[Seg.CS], (sel & 0xfffc) | newCpl, d);
    c.setCpl(newCpl);
    c.refreshSeg(Seg.CS);
    if (offset > c.segs[Seg.CS].limit >>> 0) fault(Vec.GP, 0);
    c.eip = offset;
    let clear = TF | NT | RF | VM;
    if (!(type & 1)) clear |= IF;
    c.flags &= ~clear;
    c.modeChanged();
  });
}

/** Deliver one event through the IVT (real mode) or IDT. EIP must already be the return address. */
export function deliver(c: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  if (!c.pe) deliverReal(c, vector);
  else deliverProtected(c, vector, errorCode, kind);
  c.halted = false;
  c.breakBlock = true;
  c.deliveries++;
}

/**
 * Deliver an exception, turning a fault during delivery into a double fault where the SDM's
 * Table 6-5 says so, and a fault while delivering #DF into a triple fault (shutdown).
 */
export function raiseException(c: Cpu, vector: number, errorCode: number, kind = EventKind.Exception): void {
  let vec = vector;
  let code = errorCode;
  let k = kind;
  for (let attempt = 0; ; attempt++) {
    try {
      deliver(c, vec, code, k);
      return;
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      if (vec === Vec.DF || attempt > 4)
        throw new TripleFault(`triple fault: #${e.vector} while delivering #DF`);
      const pf = vec === Vec.PF;
      const second = e.vector;
      if ((isContributory(vec) || pf) && (isContributory(second) || (pf && second === Vec.PF))) {
        vec = Vec.DF;
        code = 0;
      } else {
        vec = second;
        code = e.errorCode;
      }
      k = EventKind.Exception;
    }
  }
}
