import type { Cpu } from '../exec/cpu.js';
import { fault, ud, Vec } from '../exec/fault.js';
import { Fsw } from './fpu-state.js';

// Which faults an instruction touching the x87/MMX/FXSR state raises before it does anything
// (SDM Vol. 3 Table 2-2, "Action taken by x87 FPU instructions for different combinations of
// EM, MP and TS", and the MMX/FXSAVE exception lists).

const CR0_MP = 1 << 1;
const CR0_EM = 1 << 2;
const CR0_TS = 1 << 3;
const CR0_NE = 1 << 5;

/**
 * A pending unmasked x87 exception (FSW.ES) is reported by the next waiting FPU or MMX
 * instruction: #MF when CR0.NE=1. With CR0.NE=0 the PC reports it through FERR# and IRQ 13
 * instead; `c.signalFerr` (wired by the board, null-safe) raises that line and the instruction
 * goes on, as on a PC whose IGNNE# follows the IRQ 13 handler's write to port 0xF0.
 */
export function reportPendingFpuException(c: Cpu): void {
  if ((c.fpu.fsw & Fsw.ES) === 0) return;
  if (c.state.cr0 & CR0_NE) fault(Vec.MF);
  c.signalFerr?.();
}

/** MMX instructions: #UD with CR0.EM, #NM with CR0.TS, then #MF for a pending x87 exception. */
export function requireMmx(c: Cpu): void {
  const cr0 = c.state.cr0;
  if (cr0 & CR0_EM) ud();
  if (cr0 & CR0_TS) fault(Vec.NM);
  reportPendingFpuException(c);
}

/** FXSAVE/FXRSTOR: #UD with CR0.EM, #NM with CR0.TS; pending x87 exceptions are saved, not raised. */
export function requireFxsr(c: Cpu): void {
  const cr0 = c.state.cr0;
  if (cr0 & CR0_EM) ud();
  if (cr0 & CR0_TS) fault(Vec.NM);
}

/** WAIT/FWAIT: #NM only when both CR0.MP and CR0.TS are set. */
export function waitFaultsWithNm(c: Cpu): boolean {
  return (c.state.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS);
}
