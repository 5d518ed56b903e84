import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { fault, ud, Vec } from '../../exec/fault.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { ea } from '../operands.js';

// What every x87 instruction does before its own work: the device-not-available checks,
// reporting a pending unmasked exception (waiting instructions only), and the last-instruction
// and last-operand pointers (SDM Vol. 1 §8.1.8-8.1.9, §8.7).

const CR0_MP = 1 << 1;
const CR0_EM = 1 << 2;
const CR0_TS = 1 << 3;
const CR0_NE = 1 << 5;

/** How an instruction enters the FPU. */
export const enum Entry {
  /** Arithmetic, loads, stores, compares...: waits, then updates FIP/FCS/FOP (and FDP/FDS for memory). */
  Data = 0,
  /** FLDCW, FLDENV, FRSTOR: waits, leaves the pointers alone. */
  WaitingControl = 1,
  /** FNINIT, FNCLEX, FNSTENV, FNSAVE, FNSTCW, FNSTSW: no wait, pointers untouched. */
  NoWait = 2,
}

/** CR0.EM or CR0.TS: every escape opcode raises #NM (Linux's lazy FPU switch relies on TS). */
export function checkDeviceAvailable(c: Cpu): void {
  if (c.state.cr0 & (CR0_EM | CR0_TS)) fault(Vec.NM);
}

/**
 * A waiting instruction with an unmasked exception pending (FSW.ES): #MF when CR0.NE=1; in
 * PC-AT compatible mode (NE=0) the CPU asserts FERR#, which the board routes to IRQ 13, and the
 * instruction proceeds (the board's IGNNE# latch makes the CPU ignore the error until the
 * handler clears it; the freeze before the instruction is not modelled).
 */
export function reportPending(c: Cpu): void {
  if ((c.fpu.fsw & Fsw.ES) === 0) return;
  if (c.state.cr0 & CR0_NE) fault(Vec.MF);
  c.setFerr(true);
}

/** 9B: WAIT/FWAIT — #NM only when both MP and TS are set; then reports pending exceptions. */
export function opFwait(c: Cpu, _i: Insn): void {
  if ((c.state.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) fault(Vec.NM);
  reportPending(c);
}

/** The 11-bit FOP: low three bits of the escape byte, then the ModRM byte. */
export function fopOf(i: Insn): number {
  return ((i.opc & 7) << 8) | (i.mod << 6) | (i.reg << 3) | i.rm;
}

/** Enter an x87 instruction: #NM, pending exceptions, then the last-instruction/operand pointers. */
export function enter(c: Cpu, i: Insn, kind: Entry): void {
  checkDeviceAvailable(c);
  if (kind === Entry.NoWait) return;
  reportPending(c);
  if (kind === Entry.WaitingControl) return;
  const f = c.fpu;
  f.fip = c.ip;
  f.fcs = c.segs[1].selector;
  f.fop = fopOf(i);
  // The SDM leaves FDP/FDS undefined after an instruction without a memory operand; they read
  // as zero then, as on QEMU.
  f.fdp = i.mem ? ea(c, i) : 0;
  f.fds = i.mem ? c.segs[i.seg].selector : 0;
}

/** An undefined encoding inside D8-DF: #NM first (as for any escape), then #UD. */
export function opX87Undefined(c: Cpu, _i: Insn): void {
  checkDeviceAvailable(c);
  ud();
}
