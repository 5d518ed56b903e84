import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { popfMask, writeFlags } from '../exec/eflags.js';
import { ud } from '../exec/fault.js';
import { materialize, RF, VM } from '../exec/flags.js';
import { ea, readRmSized, writeRmSized } from './operands.js';
import { gp0, requireCpl0 } from './privilege.js';

// HLT, PUSHF/POPF, control and debug registers, the machine status word, TLB and cache control.

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

const CR4_WRITABLE = 0x3ff; // VME PVI TSD DE PSE PAE MCE PGE PCE, OSFXSR (CPUID.FXSR)

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
      s.cr0 = (v | 0x10) >>> 0; // ET is hardwired on i686; the canonical state holds unsigned values
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

// ---- machine status word, TLB and cache control --------------------------------------------

export function opSmsw(c: Cpu, i: Insn): void {
  writeRmSized(c, i, i.mem ? 2 : i.size, c.state.cr0 & (i.mem || i.size === 2 ? 0xffff : 0xffffffff));
}
export function opLmsw(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const v = readRmSized(c, i, 2);
  const s = c.state;
  // LMSW can set PE but never clear it; it touches only PE, MP, EM, TS.
  s.cr0 = ((s.cr0 & ~0xe) | (v & 0xf) | (s.cr0 & 1)) >>> 0;
  c.modeChanged();
}
export function opInvlpg(c: Cpu, i: Insn): void {
  requireCpl0(c);
  c.mmu.invalidatePage((c.sbase[i.seg] + ea(c, i)) | 0);
  c.breakBlock = true;
}
export function opClts(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  c.state.cr0 = (c.state.cr0 & ~8) >>> 0;
}
export function opInvd(c: Cpu, _i: Insn): void {
  requireCpl0(c);
}
