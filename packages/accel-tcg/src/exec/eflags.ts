import type { Cpu } from './cpu.js';
import { AC, ARITH, DF, ID, IF, IOPL, LazyOp, materialize, NT, RF, TF, VIF, VIP, VM } from './flags.js';

/** Every EFLAGS bit an i686 implements (others read as their fixed values). */
export const EFLAGS_IMPLEMENTED = ARITH | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;

/**
 * Write EFLAGS bits in `mask` (already reduced to what the instruction and privilege allow).
 * Bit 1 stays set; a change of VM or TF ends the block.
 */
export function writeFlags(c: Cpu, value: number, mask: number): void {
  const old = materialize(c);
  const next = ((old & ~mask) | (value & mask) | 2) >>> 0;
  c.flags = next;
  c.lop = LazyOp.None;
  if ((old ^ next) & VM) c.modeChanged();
  if ((old ^ next) & (TF | IF)) c.breakBlock = true;
}

/**
 * What POPF may change at the current privilege level (SDM Vol. 2 POPF): IOPL only at CPL 0,
 * IF only when CPL ≤ IOPL; VM, VIF, VIP never; RF is cleared.
 */
export function popfMask(c: Cpu, size: number): number {
  let mask = EFLAGS_IMPLEMENTED & ~(VM | VIF | VIP | RF);
  if (c.pe) {
    const iopl = (c.flags >> 12) & 3;
    if (c.cpl > 0) mask &= ~IOPL;
    if (c.cpl > iopl) mask &= ~IF;
  }
  if (size === 2) mask &= 0xffff;
  return mask | RF;
}
