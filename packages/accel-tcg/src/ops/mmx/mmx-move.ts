import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { requireMmx } from '../../fpu/availability.js';
import { ea } from '../operands.js';
import {
  DST,
  enterMmxState,
  loadMm,
  loadSource,
  RES,
  rejectSsePrefixes,
  SRC,
  storeMm,
  storeQuadToMemory,
} from './mmx-registers.js';

/** 0F 6E: MOVD mm, r/m32 (zero-extended). */
export function opMovdToMm(c: Cpu, i: Insn): void {
  rejectSsePrefixes(c, i);
  requireMmx(c);
  RES.u32[0] = i.mem ? c.read(i.seg, ea(c, i), 4) : c.r[i.rm];
  RES.u32[1] = 0;
  enterMmxState(c);
  storeMm(c, i.reg, RES);
}

/** 0F 7E: MOVD r/m32, mm. */
export function opMovdFromMm(c: Cpu, i: Insn): void {
  rejectSsePrefixes(c, i);
  requireMmx(c);
  loadMm(c, i.reg, SRC);
  if (i.mem) c.write(i.seg, ea(c, i), 4, SRC.u32[0]);
  else c.r[i.rm] = SRC.u32[0];
  enterMmxState(c);
}

/** 0F 6F: MOVQ mm, mm/m64. */
export function opMovqToMm(c: Cpu, i: Insn): void {
  rejectSsePrefixes(c, i);
  requireMmx(c);
  loadSource(c, i, SRC);
  enterMmxState(c);
  storeMm(c, i.reg, SRC);
}

/** 0F 7F: MOVQ mm/m64, mm. */
export function opMovqFromMm(c: Cpu, i: Insn): void {
  rejectSsePrefixes(c, i);
  requireMmx(c);
  loadMm(c, i.reg, SRC);
  if (i.mem) {
    storeQuadToMemory(c, i, SRC);
    enterMmxState(c);
    return;
  }
  enterMmxState(c);
  // Copy through DST: storeMm writes bits 79..64 of the destination only.
  DST.u32[0] = SRC.u32[0];
  DST.u32[1] = SRC.u32[1];
  storeMm(c, i.rm, DST);
}

/**
 * 0F 77: EMMS — every tag empty. The SDM (Vol. 3 §12.2) also sets TOP to 0 "each time an MMX
 * instruction is executed"; QEMU leaves TOP alone here. The SDM is the reference.
 */
export function opEmms(c: Cpu, i: Insn): void {
  rejectSsePrefixes(c, i);
  requireMmx(c);
  c.fpu.top = 0;
  c.fpu.abridgedTag = 0;
}
