import { type Cpu, Seg } from './cpu.js';
import { descPresent, descType, loadCache, loadNull, readDescriptor } from './descriptors.js';
import { fault, Vec } from './fault.js';
import { LazyOp, materialize, NT, VM } from './flags.js';
import { loadSegment } from './segments.js';

/** The executor met something it does not model; surfaces as an `error` exit, never a wrong result. */
export class NotImplemented extends Error {
  override readonly name = 'NotImplemented';
}

export type TaskSwitchReason = 'jmp' | 'call' | 'iret';

// 32-bit TSS layout (SDM Vol. 3 Figure 8-2).
const T_LINK = 0x00;
const T_CR3 = 0x1c;
const T_EIP = 0x20;
const T_EFLAGS = 0x24;
const T_EAX = 0x28;
const T_ES = 0x48;
const T_LDT = 0x60;
const T_MIN_LIMIT = 0x67;

/**
 * Hardware task switch to the TSS `sel` (SDM Vol. 3 §8.3): CALL/JMP to a TSS or task gate,
 * an interrupt through a task gate (`call`), or IRET with NT set. 32-bit TSSs only.
 */
export function taskSwitch(c: Cpu, sel: number, reason: TaskSwitchReason, errorCode = -1, ext = 0): void {
  if (sel & 4) fault(Vec.GP, (sel & 0xfffc) | ext);
  const nd = readDescriptor(c, sel, Vec.GP, ext);
  const type = descType(nd);
  if (type === 1 || type === 3) throw new NotImplemented('task switch to a 16-bit TSS');
  const wantBusy = reason === 'iret';
  const okType = wantBusy ? type === 0xb : type === 0x9;
  if (nd.hi & 0x1000 || !okType) fault(Vec.GP, (sel & 0xfffc) | ext);
  if (!descPresent(nd)) fault(Vec.NP, (sel & 0xfffc) | ext);
  const newBase = ((nd.lo >>> 16) | ((nd.hi & 0xff) << 16) | (nd.hi & 0xff000000)) >>> 0;
  const rawLimit = (nd.lo & 0xffff) | (nd.hi & 0xf0000);
  const newLimit = nd.hi & 0x800000 ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  if (newLimit < T_MIN_LIMIT) fault(Vec.TS, (sel & 0xfffc) | ext);

  const s = c.state;
  const oldTr = s.tr;
  const oldBase = oldTr.base >>> 0;
  const w = (off: number, v: number, size = 4) => c.mmu.writeSys(oldBase + off, size, v);
  const rd = (off: number, size = 4) => c.mmu.readSys(newBase + off, size);

  // Read everything from the new TSS first: a fault here leaves the old task untouched.
  const nEip = rd(T_EIP);
  let nFlags = rd(T_EFLAGS);
  const nRegs = Array.from({ length: 8 }, (_, k) => rd(T_EAX + k * 4));
  const nSegs = Array.from({ length: 6 }, (_, k) => rd(T_ES + k * 4, 2));
  const nLdt = rd(T_LDT, 2);
  const nCr3 = rd(T_CR3);

  // Save the outgoing task.
  let oFlags = materialize(c);
  if (reason === 'iret') oFlags &= ~NT;
  w(T_EIP, c.eip);
  w(T_EFLAGS, oFlags);
  for (let k = 0; k < 8; k++) w(T_EAX + k * 4, c.r[k]);
  for (let k = 0; k < 6; k++) w(T_ES + k * 4, c.segs[k].selector, 2);

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

  // Switch: TR, CR3, registers, flags, then the segment registers with their checks.
  loadCache(oldTr, sel, nd);
  if (s.cr0 & 0x80000000) {
    s.cr3 = nCr3;
    c.mmu.flush();
  }
  s.cr0 |= 8; // CR0.TS
  for (let k = 0; k < 8; k++) c.r[k] = nRegs[k];
  c.eip = nEip;
  c.flags = (nFlags | 2) >>> 0;
  c.lop = LazyOp.None;
  if (nFlags & VM) throw new NotImplemented('task switch into virtual-8086 mode');
  c.modeChanged();
  c.setCpl(nSegs[Seg.CS] & 3);
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
  // CS first (its RPL is the new CPL), then SS and the data segments; failures are #TS.
  for (const idx of [Seg.CS, Seg.SS, Seg.DS, Seg.ES, Seg.FS, Seg.GS]) {
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
  c.breakBlock = true;
  if (errorCode >= 0) c.push(errorCode, c.segs[Seg.CS].db ? 4 : 2);
}
