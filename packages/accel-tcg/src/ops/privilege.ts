import type { Cpu } from '../exec/cpu.js';
import { fault, ud, Vec } from '../exec/fault.js';

/** Privilege checks shared by the system instructions. */
export const gp0 = (): never => fault(Vec.GP, 0);

/** Privileged instructions: CPL 0 in protected mode, never in virtual-8086 mode. */
export function requireCpl0(c: Cpu): void {
  if (c.pe && c.cpl !== 0) gp0();
}

/** Instructions that only exist in protected mode (#UD in real and virtual-8086 mode). */
export function requireProtected(c: Cpu): void {
  if (!c.pe || c.v86) ud();
}
