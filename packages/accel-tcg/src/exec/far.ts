import { type Cpu, Seg } from './cpu.js';
import {
  descDpl,
  descPresent,
  descType,
  isCode,
  isConforming,
  loadCache,
  markAccessed,
  type RawDescriptor,
  readDescriptor,
} from './descriptors.js';
import { EFLAGS_IMPLEMENTED, writeFlags } from './eflags.js';
import { fault, Vec } from './fault.js';
import { IF, IOPL, materialize, NT, RF, VIF, VIP, VM } from './flags.js';
import { loadInnerStack, tssStack } from './interrupts.js';
import { atomically, loadSegment, nullInaccessibleSegments } from './segments.js';
import { taskSwitch } from './task-switch.js';

function setCs(c: Cpu, sel: number, d: RawDescriptor, cpl: number, eip: number): void {
  markAccessed(c, d);
  loadCache(c.segs[Seg.CS], (sel & 0xfffc) | cpl, d);
  c.setCpl(cpl);
  c.refreshSeg(Seg.CS);
  if (eip > c.segs[Seg.CS].limit >>> 0) fault(Vec.GP, 0);
  c.eip = eip;
  c.breakBlock = true;
}

/** Checks for a direct far JMP/CALL to a code segment (SDM Vol. 2 JMP, "protected mode"). */
function checkDirectCode(c: Cpu, sel: number, d: RawDescriptor): void {
  if (isConforming(d)) {
    if (descDpl(d) > c.cpl) fault(Vec.GP, sel & 0xfffc);
  } else if ((sel & 3) > c.cpl || descDpl(d) !== c.cpl) {
    fault(Vec.GP, sel & 0xfffc);
  }
  if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
}

/** Far JMP (EA, FF /5). */
export function farJump(c: Cpu, sel: number, eip: number, o32: boolean): void {
  if (!c.pe || c.v86) {
    c.loadSegReal(Seg.CS, sel);
    c.eip = o32 ? eip : eip & 0xffff;
    c.breakBlock = true;
    return;
  }
  if ((sel & 0xfffc) === 0) fault(Vec.GP, 0);
  const d = readDescriptor(c, sel);
  if (isCode(d)) {
    checkDirectCode(c, sel, d);
    setCs(c, sel, d, c.cpl, o32 ? eip : eip & 0xffff);
    return;
  }
  const type = descType(d);
  if (d.hi & 0x1000) fault(Vec.GP, sel & 0xfffc);
  if (type === 4 || type === 0xc) {
    const gate = checkGate(c, sel, d);
    const cd = readDescriptor(c, gate.sel);
    if (!isCode(cd)) fault(Vec.GP, gate.sel & 0xfffc);
    if (isConforming(cd) ? descDpl(cd) > c.cpl : descDpl(cd) !== c.cpl) fault(Vec.GP, gate.sel & 0xfffc);
    if (!descPresent(cd)) fault(Vec.NP, gate.sel & 0xfffc);
    setCs(c, gate.sel, cd, c.cpl, gate.offset);
    return;
  }
  if (type === 5 || type === 9 || type === 1) {
    taskJump(c, sel, d, 'jmp');
    return;
  }
  fault(Vec.GP, sel & 0xfffc);
}

function taskJump(c: Cpu, sel: number, d: RawDescriptor, reason: 'jmp' | 'call'): void {
  if (descDpl(d) < c.cpl || descDpl(d) < (sel & 3)) fault(Vec.GP, sel & 0xfffc);
  if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
  const target = descType(d) === 5 ? d.lo >>> 16 : sel;
  taskSwitch(c, target, reason);
}

function checkGate(
  c: Cpu,
  sel: number,
  d: RawDescriptor,
): { sel: number; offset: number; params: number; gate32: boolean } {
  if (descDpl(d) < c.cpl || descDpl(d) < (sel & 3)) fault(Vec.GP, sel & 0xfffc);
  if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
  const gate32 = descType(d) === 0xc;
  const target = d.lo >>> 16;
  if ((target & 0xfffc) === 0) fault(Vec.GP, 0);
  return {
    sel: target,
    offset: gate32 ? ((d.lo & 0xffff) | (d.hi & 0xffff0000)) >>> 0 : d.lo & 0xffff,
    params: d.hi & 0x1f,
    gate32,
  };
}

/** Far CALL (9A, FF /3). */
export function farCall(c: Cpu, sel: number, eip: number, o32: boolean): void {
  const size = o32 ? 4 : 2;
  const retCs = c.segs[Seg.CS].selector;
  const retEip = c.eip;
  if (!c.pe || c.v86) {
    atomically(c, () => {
      c.push(retCs, size);
      c.push(retEip, size);
      c.loadSegReal(Seg.CS, sel);
      c.eip = o32 ? eip : eip & 0xffff;
    });
    c.breakBlock = true;
    return;
  }
  if ((sel & 0xfffc) === 0) fault(Vec.GP, 0);
  const d = readDescriptor(c, sel);
  if (isCode(d)) {
    checkDirectCode(c, sel, d);
    atomically(c, () => {
      c.push(retCs, size);
      c.push(retEip, size);
      setCs(c, sel, d, c.cpl, o32 ? eip : eip & 0xffff);
    });
    return;
  }
  const type = descType(d);
  if (d.hi & 0x1000) fault(Vec.GP, sel & 0xfffc);
  if (type === 5 || type === 9 || type === 1) {
    taskJump(c, sel, d, 'call');
    return;
  }
  if (type !== 4 && type !== 0xc) fault(Vec.GP, sel & 0xfffc);
  const gate = checkGate(c, sel, d);
  const cd = readDescriptor(c, gate.sel);
  const dpl = descDpl(cd);
  if (!isCode(cd) || dpl > c.cpl) fault(Vec.GP, gate.sel & 0xfffc);
  if (!descPresent(cd)) fault(Vec.NP, gate.sel & 0xfffc);
  const gsize = gate.gate32 ? 4 : 2;
  atomically(c, () => {
    if (!isConforming(cd) && dpl < c.cpl) {
      // Call to an inner ring: new stack from the TSS, then copy the gate's parameters over.
      const oldSs = c.segs[Seg.SS].selector;
      const oldEsp = c.r[4];
      const oldSs32 = c.ss32;
      const params: number[] = [];
      for (let k = 0; k < gate.params; k++) {
        const off = oldSs32 ? (oldEsp + k * gsize) >>> 0 : (oldEsp + k * gsize) & 0xffff;
        params.push(c.read(Seg.SS, off, gsize));
      }
      const stack = tssStack(c, dpl);
      c.setCpl(dpl);
      loadInnerStack(c, stack.ss, stack.esp, dpl);
      c.push(oldSs, gsize);
      c.push(oldEsp, gsize);
      for (let k = params.length - 1; k >= 0; k--) c.push(params[k], gsize);
      c.push(retCs, gsize);
      c.push(retEip, gsize);
      setCs(c, gate.sel, cd, dpl, gate.offset);
    } else {
      c.push(retCs, gsize);
      c.push(retEip, gsize);
      setCs(c, gate.sel, cd, c.cpl, gate.offset);
    }
  });
}

/** Far RET (CA/CB), with `imm` bytes of parameters released. */
export function farReturn(c: Cpu, o32: boolean, imm: number): void {
  const size = o32 ? 4 : 2;
  if (!c.pe || c.v86) {
    atomically(c, () => {
      const eip = c.pop(size);
      const cs = c.pop(size) & 0xffff;
      c.setSp(c.sp + imm);
      c.loadSegReal(Seg.CS, cs);
      c.eip = eip;
    });
    c.breakBlock = true;
    return;
  }
  atomically(c, () => {
    const eip = c.peek(0, size);
    const sel = c.peek(size, size) & 0xffff;
    const rpl = sel & 3;
    if ((sel & 0xfffc) === 0) fault(Vec.GP, 0);
    const d = readDescriptor(c, sel);
    if (!isCode(d) || rpl < c.cpl) fault(Vec.GP, sel & 0xfffc);
    if (isConforming(d) ? descDpl(d) > rpl : descDpl(d) !== rpl) fault(Vec.GP, sel & 0xfffc);
    if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
    if (rpl === c.cpl) {
      c.setSp(c.sp + 2 * size + imm);
      setCs(c, sel, d, rpl, eip);
      return;
    }
    const newEsp = c.peek(2 * size + imm, size);
    const newSs = c.peek(3 * size + imm, size) & 0xffff;
    setCs(c, sel, d, rpl, eip);
    loadSegment(c, Seg.SS, newSs);
    c.setSp(newEsp + imm);
    nullInaccessibleSegments(c);
  });
}

/** IRET/IRETD (CF). */
export function interruptReturn(c: Cpu, o32: boolean): void {
  const size = o32 ? 4 : 2;
  if (!c.pe) {
    atomically(c, () => {
      const eip = c.pop(size);
      const cs = c.pop(size) & 0xffff;
      const fl = c.pop(size);
      c.loadSegReal(Seg.CS, cs);
      c.eip = eip;
      const mask = (o32 ? EFLAGS_IMPLEMENTED & ~(VM | VIF | VIP) : 0xffff) & EFLAGS_IMPLEMENTED;
      writeFlags(c, fl, mask);
    });
    c.nmiMasked = false;
    c.breakBlock = true;
    return;
  }
  if (c.v86) {
    // Without VME, IRET in virtual-8086 mode needs IOPL 3.
    if (((c.flags >> 12) & 3) !== 3) fault(Vec.GP, 0);
    atomically(c, () => {
      const eip = c.pop(size);
      const cs = c.pop(size) & 0xffff;
      const fl = c.pop(size);
      c.loadSegReal(Seg.CS, cs);
      c.eip = eip;
      writeFlags(c, fl, (o32 ? EFLAGS_IMPLEMENTED : 0xffff) & ~(IOPL | VM | VIF | VIP));
    });
    c.nmiMasked = false;
    c.breakBlock = true;
    return;
  }
  if (materialize(c) & NT) {
    const link = c.mmu.readSys(c.state.tr.base >>> 0, 2);
    taskSwitch(c, link, 'iret');
    c.nmiMasked = false;
    return;
  }
  atomically(c, () => {
    const eip = c.peek(0, size);
    const sel = c.peek(size, size) & 0xffff;
    const fl = c.peek(2 * size, size);
    if (o32 && fl & VM && c.cpl === 0) {
      returnToV86(c, eip, sel, fl);
      return;
    }
    const rpl = sel & 3;
    if ((sel & 0xfffc) === 0) fault(Vec.GP, 0);
    const d = readDescriptor(c, sel);
    if (!isCode(d) || rpl < c.cpl) fault(Vec.GP, sel & 0xfffc);
    if (isConforming(d) ? descDpl(d) > rpl : descDpl(d) !== rpl) fault(Vec.GP, sel & 0xfffc);
    if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
    const oldCpl = c.cpl;
    const iopl = (c.flags >> 12) & 3;
    let mask = (o32 ? EFLAGS_IMPLEMENTED : 0xffff) & ~(VM | VIF | VIP);
    if (oldCpl > 0) mask &= ~IOPL;
    if (oldCpl > iopl) mask &= ~IF;
    if (rpl === c.cpl) {
      c.setSp(c.sp + 3 * size);
      setCs(c, sel, d, rpl, eip);
      writeFlags(c, fl, mask | RF);
      return;
    }
    const newEsp = c.peek(3 * size, size);
    const newSs = c.peek(4 * size, size) & 0xffff;
    setCs(c, sel, d, rpl, eip);
    writeFlags(c, fl, mask | RF);
    loadSegment(c, Seg.SS, newSs);
    c.setSp(newEsp);
    nullInaccessibleSegments(c);
  });
  c.nmiMasked = false;
}

function returnToV86(c: Cpu, eip: number, cs: number, fl: number): void {
  const vals: number[] = [];
  for (let k = 3; k < 9; k++) vals.push(c.peek(k * 4, 4));
  const [esp, ss, es, ds, fs, gs] = vals;
  writeFlags(c, fl, EFLAGS_IMPLEMENTED);
  c.setCpl(3);
  c.modeChanged();
  c.loadSegReal(Seg.CS, cs);
  c.loadSegReal(Seg.SS, ss);
  c.loadSegReal(Seg.ES, es);
  c.loadSegReal(Seg.DS, ds);
  c.loadSegReal(Seg.FS, fs);
  c.loadSegReal(Seg.GS, gs);
  c.r[4] = esp;
  c.eip = eip & 0xffff;
  c.breakBlock = true;
}
