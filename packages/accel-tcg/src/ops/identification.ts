import { Msr } from '@tsvm/arch-x86';
import type { Insn } from '../decode/insn.js';
import { type Cpu, Seg } from '../exec/cpu.js';
import { cpuid } from '../exec/cpuid.js';
import { writeFlags } from '../exec/eflags.js';
import { IF, RF, VM } from '../exec/flags.js';
import { gp0, requireCpl0 } from './privilege.js';

// Processor identification (CPUID), the time-stamp counter, model-specific registers and the
// SYSENTER/SYSEXIT fast system calls.

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

const IA32_BIOS_UPDT_TRIG = 0x79;
const IA32_BIOS_SIGN_ID = 0x8b;

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
  else if (index === IA32_BIOS_SIGN_ID)
    v = 0n; // microcode revision: none loaded
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
  // Microcode update trigger and signature: accepted and ignored (OSes write 0 before reading
  // the revision; there is no microcode to load).
  else if (index === IA32_BIOS_SIGN_ID || index === IA32_BIOS_UPDT_TRIG) return;
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
