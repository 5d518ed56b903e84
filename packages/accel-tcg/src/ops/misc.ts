import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { writeFlags } from '../exec/eflags.js';
import { fault, ud, Vec } from '../exec/fault.js';
import { CF, DF, IF, materialize, setArith } from '../exec/flags.js';

export function opUd(_c: Cpu, _i: Insn): void {
  ud();
}

export const opClc = (c: Cpu, _i: Insn): void => setArith(c, CF, 0);
export const opStc = (c: Cpu, _i: Insn): void => setArith(c, CF, CF);
export const opCmc = (c: Cpu, _i: Insn): void => setArith(c, CF, materialize(c) ^ CF);
export const opCld = (c: Cpu, _i: Insn): void => {
  c.flags &= ~DF;
};
export const opStd = (c: Cpu, _i: Insn): void => {
  c.flags |= DF;
};

/** CLI/STI are IOPL-sensitive in protected and virtual-8086 mode (no VME/PVI). */
function checkIopl(c: Cpu): void {
  if (c.pe && c.cpl > ((c.flags >> 12) & 3)) fault(Vec.GP, 0);
}

export function opCli(c: Cpu, _i: Insn): void {
  checkIopl(c);
  c.flags &= ~IF;
}

export function opSti(c: Cpu, _i: Insn): void {
  checkIopl(c);
  // Interrupts stay blocked until after the next instruction when STI sets IF.
  if (!(c.flags & IF)) c.shadow = true;
  writeFlags(c, IF, IF);
}
