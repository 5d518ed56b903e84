import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { Entry, enter } from './guard.js';
import { readM80, writeM80 } from './memory.js';
import { empty, INDEFINITE, pushChecked, setC1, underflow } from './stack.js';

// Loads and stores that move 80-bit values unchanged: FLD ST(i), FST/FSTP ST(i), FXCH,
// FLD m80 and FSTP m80. (Format conversions are in convert-load-store.ts.)

/** D9 C0+i: FLD ST(i). An empty source is a stack underflow; a full ST(7) an overflow. */
export function opFldReg(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  setC1(c, false);
  let v = c.fpu.readSt(i.rm);
  if (empty(c, i.rm)) {
    if (!underflow(c)) return;
    v = INDEFINITE;
  }
  pushChecked(c, v);
}

/** DB /5: FLD m80 — no conversion, so no exception but stack overflow (SNaNs load as they are). */
export function opFldM80(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const v = readM80(c, i);
  setC1(c, false);
  pushChecked(c, v);
}

/** DD D0+i / DD D8+i (and the D9 D8+i, DF D0+i, DF D8+i aliases): FST/FSTP ST(i). */
export function storeToReg(c: Cpu, i: Insn, pop: boolean): void {
  enter(c, i, Entry.Data);
  setC1(c, false);
  let v = c.fpu.readSt(0);
  if (empty(c, 0)) {
    if (!underflow(c)) return;
    v = INDEFINITE;
  }
  c.fpu.writeSt(i.rm, v);
  c.fpu.setEmpty(i.rm, false);
  if (pop) c.fpu.pop();
}

export const opFstReg = (c: Cpu, i: Insn): void => storeToReg(c, i, false);
export const opFstpReg = (c: Cpu, i: Insn): void => storeToReg(c, i, true);

/** DB /7: FSTP m80. */
export function opFstpM80(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  setC1(c, false);
  let v = c.fpu.readSt(0);
  if (empty(c, 0)) {
    if (!underflow(c)) return;
    v = INDEFINITE;
  }
  writeM80(c, i, v);
  c.fpu.pop();
}

/** D9 C8+i (and DD C8+i, DF C8+i aliases): FXCH ST(i); empty operands become the indefinite if IE is masked. */
export function opFxch(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  setC1(c, false);
  const f = c.fpu;
  let a = f.readSt(0);
  let b = f.readSt(i.rm);
  if (empty(c, 0) || empty(c, i.rm)) {
    if (!underflow(c)) return;
    if (empty(c, 0)) a = INDEFINITE;
    if (empty(c, i.rm)) b = INDEFINITE;
  }
  f.writeSt(0, b);
  f.writeSt(i.rm, a);
  f.setEmpty(0, false);
  f.setEmpty(i.rm, false);
}
