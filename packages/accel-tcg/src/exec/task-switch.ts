import { type Cpu, Seg } from './cpu.js';
import { descPresent, descType, loadCache, loadNull, readDescriptor } from './descriptors.js';
import { CpuFault, fault, Vec } from './fault.js';
import { LazyOp, materialize, NT, VM } from './flags.js';
import { loadSegment } from './segments.js';

export type TaskSwitchReason = 'jmp' | 'call' | 'iret';

/** Where a TSS keeps each piece of task state (SDM Vol. 3 Figures 8-2 and 8-11). */
interface TssLayout {
  /** Register width in bytes: 4 for a 32-bit TSS, 2 for a 16-bit one. */
  readonly width: 2 | 4;
  readonly eip: number;
  readonly eflags: number;
  /** EAX..EDI, in encoding order. */
  readonly regs: number;
  /** ES, CS, SS, DS, FS, GS selectors; a 16-bit TSS has no FS/GS (they load as null). */
  readonly segs: number;
  readonly segStride: number;
  readonly segCount: number;
  readonly ldt: number;
  /** CR3 (32-bit TSS only; loaded on a switch, never saved). */
  readonly cr3: number;
  readonly minLimit: number;
}

const TSS32: TssLayout = {
  width: 4,
  eip: 0x20,
  eflags: 0x24,
  regs: 0x28,
  segs: 0x48,
  segStride: 4,
  segCount: 6,
  ldt: 0x60,
  cr3: 0x1c,
  minLimit: 0x67,
};
const TSS16: TssLayout = {
  width: 2,
  eip: 0x0e,
  eflags: 0x10,
  regs: 0x12,
  segs: 0x22,
  segStride: 2,
  segCount: 4,
  ldt: 0x2a,
  cr3: -1,
  minLimit: 0x2b,
};
const T_LINK = 0x00;

const layoutOf = (type: number): TssLayout => (type & 8 ? TSS32 : TSS16);

/**
 * Hardware task switch to the TSS `sel` (SDM Vol. 3 §8.3): CALL/JMP to a TSS or task gate,
 * an interrupt through a task gate (`call`), or IRET with NT set. 16- and 32-bit TSSs; a 16-bit
 * TSS loads zero-extended 16-bit registers and null FS/GS (as QEMU does; the SDM leaves the
 * upper halves undefined).
 */
export function taskSwitch(c: Cpu, sel: number, reason: TaskSwitchReason, errorCode = -1, ext = 0): void {
  if (sel & 4) fault(Vec.GP, (sel & 0xfffc) | ext);
  const nd = readDescriptor(c, sel, Vec.GP, ext);
  const type = descType(nd);
  const wantBusy = reason === 'iret';
  const okType = wantBusy ? type === 0xb || type === 0x3 : type === 0x9 || type === 0x1;
  if (nd.hi & 0x1000 || !okType) fault(Vec.GP, (sel & 0xfffc) | ext);
  if (!descPresent(nd)) fault(Vec.NP, (sel & 0xfffc) | ext);
  const nl = layoutOf(type);
  const newBase = ((nd.lo >>> 16) | ((nd.hi & 0xff) << 16) | (nd.hi & 0xff000000)) >>> 0;
  const rawLimit = (nd.lo & 0xffff) | (nd.hi & 0xf0000);
  const newLimit = nd.hi & 0x800000 ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  if (newLimit < nl.minLimit) fault(Vec.TS, (sel & 0xfffc) | ext);

  const s = c.state;
  const oldTr = s.tr;
  const ol = layoutOf(oldTr.type);
  const oldBase = oldTr.base >>> 0;
  const w = (off: number, v: number, size: number) => c.mmu.writeSys(oldBase + off, size, v);
  const rd = (off: number, size: number) => c.mmu.readSys(newBase + off, size);

  // Read everything from the new TSS first: a fault here leaves the old task untouched.
  const nEip = rd(nl.eip, nl.width);
  let nFlags = rd(nl.eflags, nl.width);
  const nRegs = Array.from({ length: 8 }, (_, k) => rd(nl.regs + k * nl.width, nl.width));
  const nSegs = Array.from({ length: 6 }, (_, k) =>
    k < nl.segCount ? rd(nl.segs + k * nl.segStride, 2) : 0,
  );
  const nLdt = rd(nl.ldt, 2);
  const nCr3 = nl.cr3 >= 0 ? rd(nl.cr3, 4) : -1;

  // Save the outgoing task.
  let oFlags = materialize(c);
  if (reason === 'iret') oFlags &= ~NT;
  w(ol.eip, c.eip, ol.width);
  w(ol.eflags, oFlags, ol.width);
  for (let k = 0; k < 8; k++) w(ol.regs + k * ol.width, c.r[k], ol.width);
  for (let k = 0; k < ol.segCount; k++) w(ol.segs + k * ol.segStride, c.segs[k].selector, 2);

  // Busy bits: the old task stops being busy unless it is the caller of a nested task.
  if (reason !== 'call') {
    const od = readDescriptor(c, oldTr.selector);
    c.mmu.writeSys(od.addr + 4, 4, od.hi & ~0x200);
  }
  if (reason !== 'iret') {
    c.mmu.writeSys(nd.addr + 4, 4, nd.hi | 0x200);
    nd.hi |= 0x200;
  }
  if (reason === 'call') {
    c.mmu.writeSys(newBase + T_LINK, 2, oldTr.selector);
    nFlags |= NT;
  }
  // A 16-bit TSS holds only FLAGS: the upper EFLAGS bits stay as they are (VM excepted: a
  // 16-bit task is never a virtual-8086 one).
  if (nl.width === 2) nFlags = (materialize(c) & 0xffff0000 & ~VM) | (nFlags & 0xffff);
  const toV86 = (nFlags & VM) !== 0;

  // Switch: TR, CR3, registers, flags, then the segment registers with their checks.
  loadCache(oldTr, sel, nd);
  if (s.cr0 & 0x80000000 && nCr3 >= 0) {
    s.cr3 = nCr3;
    c.mmu.flush();
  }
  s.cr0 = (s.cr0 | 8) >>> 0; // CR0.TS (the canonical state holds unsigned values)
  for (let k = 0; k < 8; k++) c.r[k] = nRegs[k]; // 16-bit TSS: zero-extended
  c.eip = nEip;
  c.flags = (nFlags | 2) >>> 0;
  c.lop = LazyOp.None;
  c.modeChanged();
  c.setCpl(toV86 ? 3 : nSegs[Seg.CS] & 3);
  // From here on the switch has committed: a fault belongs to the new task and is delivered
  // with its CS:EIP (so it must not rewind EIP to the old task's instruction).
  try {
    loadNewTaskSegments(c, toV86, nLdt, nSegs);
  } catch (e) {
    if (e instanceof CpuFault && !e.trap) throw new CpuFault(e.vector, e.errorCode, true);
    throw e;
  }
  c.breakBlock = true;
  // The error code's size follows the new TSS's type.
  if (errorCode >= 0) c.push(errorCode, nl.width);
}

/** Load the new task's LDT and segment registers (after the commit point of a task switch). */
function loadNewTaskSegments(c: Cpu, toV86: boolean, nLdt: number, nSegs: number[]): void {
  const s = c.state;
  // LDT
  if ((nLdt & 0xfffc) === 0) {
    loadNull(s.ldt, nLdt);
  } else {
    if (nLdt & 4) fault(Vec.TS, nLdt & 0xfffc);
    const ld = readDescriptor(c, nLdt, Vec.TS);
    if (descType(ld) !== 2) fault(Vec.TS, nLdt & 0xfffc);
    if (!descPresent(ld)) fault(Vec.TS, nLdt & 0xfffc);
    loadCache(s.ldt, nLdt, ld);
  }
  if (toV86) {
    // A virtual-8086 task: selectors are paragraph numbers, no descriptors are involved.
    for (let idx = 0; idx < 6; idx++) c.loadSegReal(idx, nSegs[idx]);
    return;
  }
  // CS first (its RPL is the new CPL), then SS and the data segments (in QEMU's order); failures are #TS.
  for (const idx of [Seg.CS, Seg.SS, Seg.ES, Seg.DS, Seg.FS, Seg.GS]) {
    const v = nSegs[idx];
    try {
      if (idx === Seg.CS) {
        if ((v & 0xfffc) === 0) fault(Vec.TS, 0);
        const d = readDescriptor(c, v, Vec.TS);
        if (!(d.hi & 0x1000) || !(d.hi & 0x800)) fault(Vec.TS, v & 0xfffc);
        if (!descPresent(d)) fault(Vec.NP, v & 0xfffc);
        loadCache(c.segs[Seg.CS], v, d);
        c.refreshSeg(Seg.CS);
      } else {
        loadSegment(c, idx, v);
      }
    } catch (e) {
      if (e && typeof e === 'object' && 'vector' in e && (e as { vector: number }).vector === Vec.GP) {
        fault(Vec.TS, v & 0xfffc);
      }
      throw e;
    }
  }
}
