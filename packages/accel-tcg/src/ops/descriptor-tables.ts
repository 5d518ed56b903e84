import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import {
  descDpl,
  descPresent,
  descType,
  isCode,
  isConforming,
  loadCache,
  loadNull,
  readDescriptor,
} from '../exec/descriptors.js';
import { fault, Vec } from '../exec/fault.js';
import { setArith, ZF } from '../exec/flags.js';
import { ea, readRmSized, writeRmSized } from './operands.js';
import { gp0, requireCpl0, requireProtected } from './privilege.js';

// Descriptor-table registers (SGDT/SIDT/LGDT/LIDT, SLDT/STR/LLDT/LTR) and the descriptor
// queries LAR, LSL, VERR, VERW and ARPL.

function tableOperand(c: Cpu, i: Insn): [number, number] {
  const off = ea(c, i);
  const limit = c.read(i.seg, off, 2);
  let base = c.read(i.seg, i.a32 ? (off + 2) >>> 0 : (off + 2) & 0xffff, 4);
  if (!i.o32) base &= 0xffffff;
  return [limit, base >>> 0];
}

/** 0F 01 group: SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG. */
export function opSgdt(c: Cpu, i: Insn): void {
  storeTable(c, i, c.state.gdt);
}
export function opSidt(c: Cpu, i: Insn): void {
  storeTable(c, i, c.state.idt);
}
function storeTable(c: Cpu, i: Insn, t: { base: number; limit: number }): void {
  const off = ea(c, i);
  c.write(i.seg, off, 2, t.limit);
  c.write(i.seg, i.a32 ? (off + 2) >>> 0 : (off + 2) & 0xffff, 4, i.o32 ? t.base : t.base & 0xffffff);
}
export function opLgdt(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const [limit, base] = tableOperand(c, i);
  c.state.gdt.limit = limit;
  c.state.gdt.base = base;
}
export function opLidt(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const [limit, base] = tableOperand(c, i);
  c.state.idt.limit = limit;
  c.state.idt.base = base;
}

// ---- 0F 00 group: LDT, TR and descriptor queries ---------------------------------------------

export function opSldt(c: Cpu, i: Insn): void {
  requireProtected(c);
  writeRmSized(c, i, i.mem ? 2 : i.size, c.state.ldt.selector);
}
export function opStr(c: Cpu, i: Insn): void {
  requireProtected(c);
  writeRmSized(c, i, i.mem ? 2 : i.size, c.state.tr.selector);
}
export function opLldt(c: Cpu, i: Insn): void {
  requireProtected(c);
  requireCpl0(c);
  const sel = readRmSized(c, i, 2);
  if ((sel & 0xfffc) === 0) {
    loadNull(c.state.ldt, sel);
    return;
  }
  if (sel & 4) fault(Vec.GP, sel & 0xfffc);
  const d = readDescriptor(c, sel);
  if (d.hi & 0x1000 || descType(d) !== 2) fault(Vec.GP, sel & 0xfffc);
  if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
  loadCache(c.state.ldt, sel, d);
}
export function opLtr(c: Cpu, i: Insn): void {
  requireProtected(c);
  requireCpl0(c);
  const sel = readRmSized(c, i, 2);
  if ((sel & 0xfffc) === 0) gp0();
  if (sel & 4) fault(Vec.GP, sel & 0xfffc);
  const d = readDescriptor(c, sel);
  const type = descType(d);
  if (d.hi & 0x1000 || (type !== 1 && type !== 9)) fault(Vec.GP, sel & 0xfffc);
  if (!descPresent(d)) fault(Vec.NP, sel & 0xfffc);
  d.hi |= 0x200; // busy
  c.mmu.writeSys(d.addr + 4, 4, d.hi);
  loadCache(c.state.tr, sel, d);
}

/** Can the current privilege level see descriptor `sel`? (LAR, LSL, VERR, VERW rules.) */
function visible(c: Cpu, sel: number, d: ReturnType<typeof readDescriptor>): boolean {
  if (isConforming(d)) return true;
  return descDpl(d) >= c.cpl && descDpl(d) >= (sel & 3);
}

function tryDescriptor(c: Cpu, sel: number): ReturnType<typeof readDescriptor> | undefined {
  if ((sel & 0xfffc) === 0) return undefined;
  const s = c.state;
  const limit = sel & 4 ? (s.ldt.unusable ? -1 : s.ldt.limit >>> 0) : s.gdt.limit;
  if ((sel & 0xfff8) + 7 > limit) return undefined;
  return readDescriptor(c, sel);
}

const LAR_SYSTEM_OK = new Set([1, 2, 3, 4, 5, 9, 0xb, 0xc]);
const LSL_SYSTEM_OK = new Set([1, 2, 3, 9, 0xb]);

export function opLar(c: Cpu, i: Insn): void {
  requireProtected(c);
  const sel = readRmSized(c, i, 2);
  const d = tryDescriptor(c, sel);
  const ok = d && (d.hi & 0x1000 ? true : LAR_SYSTEM_OK.has(descType(d))) && visible(c, sel, d);
  if (!ok) {
    setArith(c, ZF, 0);
    return;
  }
  c.setReg(i.reg, i.size, d.hi & (i.size === 2 ? 0xff00 : 0xf0ff00));
  setArith(c, ZF, ZF);
}

export function opLsl(c: Cpu, i: Insn): void {
  requireProtected(c);
  const sel = readRmSized(c, i, 2);
  const d = tryDescriptor(c, sel);
  const ok = d && (d.hi & 0x1000 ? true : LSL_SYSTEM_OK.has(descType(d))) && visible(c, sel, d);
  if (!ok) {
    setArith(c, ZF, 0);
    return;
  }
  const raw = (d.lo & 0xffff) | (d.hi & 0xf0000);
  c.setReg(i.reg, i.size, d.hi & 0x800000 ? ((raw << 12) | 0xfff) >>> 0 : raw);
  setArith(c, ZF, ZF);
}

function verify(c: Cpu, i: Insn, write: boolean): void {
  requireProtected(c);
  const sel = readRmSized(c, i, 2);
  const d = tryDescriptor(c, sel);
  let ok = !!d && (d.hi & 0x1000) !== 0 && visible(c, sel, d);
  if (ok && d) ok = write ? !isCode(d) && (d.hi & 0x200) !== 0 : !isCode(d) || (d.hi & 0x200) !== 0;
  setArith(c, ZF, ok ? ZF : 0);
}
export const opVerr = (c: Cpu, i: Insn): void => verify(c, i, false);
export const opVerw = (c: Cpu, i: Insn): void => verify(c, i, true);

/** 63: ARPL r/m16, r16 (protected mode only). */
export function opArpl(c: Cpu, i: Insn): void {
  requireProtected(c);
  const dst = readRmSized(c, i, 2);
  const src = c.getReg(i.reg, 2);
  if ((dst & 3) < (src & 3)) {
    writeRmSized(c, i, 2, (dst & ~3) | (src & 3));
    setArith(c, ZF, ZF);
  } else {
    setArith(c, ZF, 0);
  }
}
