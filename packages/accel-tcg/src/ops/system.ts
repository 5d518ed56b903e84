import { Msr } from '@tsvm/arch-x86';
import type { Insn } from '../decode/insn.js';
import { type Cpu, Seg } from '../exec/cpu.js';
import { cpuid } from '../exec/cpuid.js';
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
import { popfMask, writeFlags } from '../exec/eflags.js';
import { fault, ud, Vec } from '../exec/fault.js';
import { IF, materialize, RF, setArith, VM, ZF } from '../exec/flags.js';
import { loadSegment } from '../exec/segments.js';
import { ea, readRmSized, writeRmSized } from './operands.js';

const gp0 = (): never => fault(Vec.GP, 0);

/** Privileged instructions: CPL 0 in protected mode, never in virtual-8086 mode. */
function requireCpl0(c: Cpu): void {
  if (c.pe && c.cpl !== 0) gp0();
}

/** F4: HLT. */
export function opHlt(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  c.halted = true;
  c.breakBlock = true;
}

/** 9C: PUSHF (VM and RF read as 0 in the pushed image). */
export function opPushf(c: Cpu, i: Insn): void {
  if (c.v86 && ((c.flags >> 12) & 3) !== 3) gp0();
  c.push(materialize(c) & ~(VM | RF) & (i.size === 2 ? 0xffff : 0xffffffff), i.size);
}

/** 9D: POPF. */
export function opPopf(c: Cpu, i: Insn): void {
  if (c.v86 && ((c.flags >> 12) & 3) !== 3) gp0();
  const v = c.pop(i.size);
  writeFlags(c, v, popfMask(c, i.size));
}

// ---- control and debug registers ----------------------------------------------------------

const CR4_WRITABLE = 0x1ff; // VME PVI TSD DE PSE PAE MCE PGE PCE

export function opMovFromCr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const s = c.state;
  let v: number;
  switch (i.reg) {
    case 0:
      v = s.cr0;
      break;
    case 2:
      v = Number(s.cr2 & 0xffffffffn);
      break;
    case 3:
      v = s.cr3;
      break;
    case 4:
      v = s.cr4;
      break;
    default:
      ud();
  }
  c.r[i.rm] = v!;
}

export function opMovToCr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const s = c.state;
  const v = c.r[i.rm] >>> 0;
  switch (i.reg) {
    case 0: {
      if (v & 0x80000000 && !(v & 1)) gp0();
      if (v & 0x20000000 && !(v & 0x40000000)) gp0();
      const old = s.cr0;
      s.cr0 = v | 0x10 | 0; // ET is hardwired on i686
      if ((old ^ s.cr0) & 0x80010001) c.mmu.flush();
      c.modeChanged();
      break;
    }
    case 2:
      s.cr2 = BigInt(v);
      break;
    case 3:
      s.cr3 = v;
      c.mmu.flush();
      c.breakBlock = true;
      break;
    case 4:
      if (v & ~CR4_WRITABLE) gp0();
      s.cr4 = v;
      c.mmu.flush();
      c.breakBlock = true;
      break;
    default:
      ud();
  }
}

function debugIndex(c: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if (c.state.cr4 & 8) ud();
    return n + 2;
  }
  return n;
}

export function opMovFromDr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const n = debugIndex(c, i.reg);
  const s = c.state;
  c.r[i.rm] = n < 4 ? Number(s.dr[n] & 0xffffffffn) : n === 6 ? s.dr6 : s.dr7;
}

export function opMovToDr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const n = debugIndex(c, i.reg);
  const s = c.state;
  const v = c.r[i.rm] >>> 0;
  if (n < 4) s.dr[n] = BigInt(v);
  else if (n === 6) s.dr6 = (v | 0xffff0ff0) >>> 0;
  else s.dr7 = ((v & ~0xd800) | 0x400) >>> 0;
  c.breakBlock = true;
}

// ---- descriptor tables ------------------------------------------------------------------------

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
export function opSmsw(c: Cpu, i: Insn): void {
  writeRmSized(c, i, i.mem ? 2 : i.size, c.state.cr0 & (i.mem || i.size === 2 ? 0xffff : 0xffffffff));
}
export function opLmsw(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const v = readRmSized(c, i, 2);
  const s = c.state;
  // LMSW can set PE but never clear it; it touches only PE, MP, EM, TS.
  s.cr0 = (s.cr0 & ~0xe) | (v & 0xf) | (s.cr0 & 1);
  c.modeChanged();
}
export function opInvlpg(c: Cpu, i: Insn): void {
  requireCpl0(c);
  c.mmu.invalidatePage((c.sbase[i.seg] + ea(c, i)) | 0);
  c.breakBlock = true;
}
export function opClts(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  c.state.cr0 &= ~8;
}
export function opInvd(c: Cpu, _i: Insn): void {
  requireCpl0(c);
}

// ---- 0F 00 group: LDT, TR and descriptor queries ---------------------------------------------

function requireProtected(c: Cpu): void {
  if (!c.pe || c.v86) ud();
}

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

// ---- segment registers ----------------------------------------------------------------------

/** 8C: MOV r/m16, Sreg (a register destination with 32-bit operand size gets the zero-extended selector). */
export function opMovFromSeg(c: Cpu, i: Insn): void {
  if (i.reg > 5) ud();
  writeRmSized(c, i, i.mem ? 2 : i.size, c.segs[i.reg].selector);
}

/** 8E: MOV Sreg, r/m16 (CS is #UD; SS blocks interrupts for one instruction). */
export function opMovToSeg(c: Cpu, i: Insn): void {
  if (i.reg > 5 || i.reg === Seg.CS) ud();
  loadSegment(c, i.reg, readRmSized(c, i, 2));
  if (i.reg === Seg.SS) c.shadow = true;
}

/** 06/0E/16/1E, 0F A0/A8: PUSH Sreg. */
export function opPushSeg(c: Cpu, i: Insn): void {
  const idx = i.opc < 0x100 ? i.opc >> 3 : i.opc === 0x1a0 ? Seg.FS : Seg.GS;
  c.push(c.segs[idx].selector, i.size);
}

/** 07/17/1F, 0F A1/A9: POP Sreg. */
export function opPopSeg(c: Cpu, i: Insn): void {
  const idx = i.opc < 0x100 ? i.opc >> 3 : i.opc === 0x1a1 ? Seg.FS : Seg.GS;
  const sel = c.peek(0, i.size) & 0xffff;
  loadSegment(c, idx, sel);
  c.setSp(c.sp + i.size);
  if (idx === Seg.SS) c.shadow = true;
}

/** C4/C5, 0F B2/B4/B5: LES, LDS, LSS, LFS, LGS. */
export function opLoadFarPointer(c: Cpu, i: Insn): void {
  if (!i.mem) ud();
  const idx =
    i.opc === 0xc4
      ? Seg.ES
      : i.opc === 0xc5
        ? Seg.DS
        : i.opc === 0x1b2
          ? Seg.SS
          : i.opc === 0x1b4
            ? Seg.FS
            : Seg.GS;
  const off = ea(c, i);
  const v = c.read(i.seg, off, i.size);
  const sel = c.read(i.seg, i.a32 ? (off + i.size) >>> 0 : (off + i.size) & 0xffff, 2);
  loadSegment(c, idx, sel);
  c.setReg(i.reg, i.size, v);
}

// ---- identification, time, MSRs, fast system calls --------------------------------------

export function opCpuid(c: Cpu, _i: Insn): void {
  const [a, b, cc, d] = cpuid(c.r[0] >>> 0, c.r[1] >>> 0);
  c.r[0] = a;
  c.r[3] = b;
  c.r[1] = cc;
  c.r[2] = d;
}

export function opRdtsc(c: Cpu, _i: Insn): void {
  if (c.state.cr4 & 4 && c.pe && c.cpl !== 0) gp0();
  const t = c.readTsc();
  c.r[0] = Number(t & 0xffffffffn);
  c.r[2] = Number((t >> 32n) & 0xffffffffn);
}

/** MSRs an i686 has beyond what the canonical state's map holds. */
const MTRRCAP_VALUE = 0x508n; // 8 variable ranges, fixed ranges, write-combining

export function opRdmsr(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  const index = c.r[1] >>> 0;
  const s = c.state;
  let v: bigint | undefined;
  if (index === Msr.IA32_TSC) v = c.readTsc();
  else if (index === Msr.IA32_APIC_BASE) v = BigInt(s.apicBase >>> 0);
  else if (index === Msr.IA32_MTRRCAP) v = MTRRCAP_VALUE;
  else if (index === Msr.IA32_PLATFORM_ID) v = 0n;
  else if (index === Msr.IA32_EFER)
    v = undefined; // no long mode / NX on this model
  else v = s.msrs.get(index);
  if (v === undefined) gp0();
  c.r[0] = Number(v! & 0xffffffffn);
  c.r[2] = Number((v! >> 32n) & 0xffffffffn);
}

export function opWrmsr(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  const index = c.r[1] >>> 0;
  const v = (BigInt(c.r[2] >>> 0) << 32n) | BigInt(c.r[0] >>> 0);
  const s = c.state;
  if (index === Msr.IA32_TSC) c.writeTsc(v);
  else if (index === Msr.IA32_APIC_BASE) s.apicBase = Number(v & 0xfffff900n);
  else if (index === Msr.IA32_EFER || index === Msr.IA32_MTRRCAP || !s.msrs.has(index)) gp0();
  else s.msrs.set(index, v);
  c.breakBlock = true;
}

function flatSegment(c: Cpu, idx: number, sel: number, code: boolean, dpl: number): void {
  const sg = c.segs[idx];
  sg.selector = sel;
  sg.base = 0;
  sg.baseHigh = 0;
  sg.limit = 0xffffffff;
  sg.type = code ? 0xb : 0x3;
  sg.s = true;
  sg.dpl = dpl;
  sg.present = true;
  sg.db = true;
  sg.g = true;
  sg.l = false;
  sg.unusable = false;
  c.refreshSeg(idx);
}

/** 0F 34: SYSENTER — flat ring-0 CS/SS from IA32_SYSENTER_CS, ESP/EIP from their MSRs. */
export function opSysenter(c: Cpu, _i: Insn): void {
  const s = c.state;
  const cs = Number(s.msrs.get(Msr.IA32_SYSENTER_CS) ?? 0n) & 0xffff;
  if (!c.pe || (cs & 0xfffc) === 0) gp0();
  writeFlags(c, 0, VM | IF | RF);
  c.modeChanged();
  c.setCpl(0);
  flatSegment(c, Seg.CS, cs & 0xfffc, true, 0);
  flatSegment(c, Seg.SS, (cs + 8) & 0xfffc, false, 0);
  c.r[4] = Number(s.msrs.get(Msr.IA32_SYSENTER_ESP) ?? 0n);
  c.eip = Number((s.msrs.get(Msr.IA32_SYSENTER_EIP) ?? 0n) & 0xffffffffn);
  c.breakBlock = true;
}

/** 0F 35: SYSEXIT — back to flat ring 3 at EDX with stack ECX. */
export function opSysexit(c: Cpu, _i: Insn): void {
  const s = c.state;
  const cs = Number(s.msrs.get(Msr.IA32_SYSENTER_CS) ?? 0n) & 0xffff;
  if (!c.pe || c.v86 || c.cpl !== 0 || (cs & 0xfffc) === 0) gp0();
  c.setCpl(3);
  flatSegment(c, Seg.CS, ((cs + 16) & 0xfffc) | 3, true, 3);
  flatSegment(c, Seg.SS, ((cs + 24) & 0xfffc) | 3, false, 3);
  c.r[4] = c.r[1];
  c.eip = c.r[2] >>> 0;
  c.breakBlock = true;
}
