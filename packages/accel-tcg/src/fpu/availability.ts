import type { Cpu } from '../exec/cpu.js';
import { fault, ud, Vec } from '../exec/fault.js';
import { reportPending } from '../ops/x87/guard.js';

// The faults MMX and FXSAVE/FXRSTOR raise before doing anything (SDM Vol. 3 Table 12-1 and the
// instructions' exception lists). x87 instructions have their own entry in ops/x87/guard.ts.

const CR0_EM = 1 << 2;
const CR0_TS = 1 << 3;

/** MMX instructions: #UD with CR0.EM, #NM with CR0.TS, then a pending x87 exception (#MF/FERR#). */
export function requireMmx(c: Cpu): void {
  const cr0 = c.state.cr0;
  if (cr0 & CR0_EM) ud();
  if (cr0 & CR0_TS) fault(Vec.NM);
  reportPending(c);
}

/** FXSAVE/FXRSTOR: #UD with CR0.EM, #NM with CR0.TS; pending x87 exceptions are saved, not raised. */
export function requireFxsr(c: Cpu): void {
  const cr0 = c.state.cr0;
  if (cr0 & CR0_EM) ud();
  if (cr0 & CR0_TS) fault(Vec.NM);
}
