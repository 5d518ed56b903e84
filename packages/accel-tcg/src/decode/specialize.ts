import * as fast from '../ops/fast.js';
import type { Insn } from './insn.js';

/**
 * Swap a decoded instruction's generic handler for a specialized one where one exists (32-bit
 * operand size, no LOCK). Pure performance: the result must not change.
 */
export function specialize(i: Insn): void {
  if (i.size !== 4 || i.lock) return;
  const o = i.opc;
  if (o === 0x89) i.exec = i.mem ? fast.movMR : fast.movRR89;
  else if (o === 0x8b) i.exec = i.mem ? fast.movRM : fast.movRR8B;
  else if (o >= 0xb8 && o <= 0xbf) i.exec = fast.movRI;
  else if (o < 0x40 && (o & 7) <= 5 && ((o >> 3) & 7) !== 2 && ((o >> 3) & 7) !== 3) {
    // ALU 01/03/05 forms of ADD OR AND SUB XOR CMP (not ADC/SBB)
    const form = o & 7;
    if (form === 1 && !i.mem) i.exec = fast.aluRmRegRR;
    else if (form === 3) i.exec = i.mem ? fast.aluRegRmRM : fast.aluRegRmRR;
    else if (form === 5) i.exec = fast.aluAccImm;
  } else if ((o === 0x81 || o === 0x83) && !i.mem && i.reg !== 2 && i.reg !== 3) i.exec = fast.aluRegImm;
  else if (o >= 0x40 && o <= 0x4f) i.exec = fast.incDec32;
  else if (o >= 0x50 && o <= 0x57) i.exec = fast.push32;
  else if (o >= 0x58 && o <= 0x5f) i.exec = fast.pop32;
}
