import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { ea } from '../operands.js';
import { Entry, enter } from './guard.js';
import { setC1 } from './stack.js';

// Control instructions: FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FNOP, FFREE, FINCSTP, FDECSTP.

/** FNINIT state (SDM Vol. 1 Table 8-2 / FINIT): the registers' contents are not touched. */
export function initFpu(c: Cpu): void {
  const f = c.fpu;
  f.fcw = 0x037f;
  // TOP through its setter: the slots rotate, so the physical registers keep their contents.
  f.top = 0;
  f.fsw = 0;
  f.abridgedTag = 0;
  f.fop = 0;
  f.fip = 0;
  f.fcs = 0;
  f.fdp = 0;
  f.fds = 0;
  c.setFerr(false);
}

/** DB E3: FNINIT. */
export function opFninit(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  initFpu(c);
}

/** DB E2: FNCLEX — clears the exception flags, SF, ES and B. */
export function opFnclex(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  c.fpu.fsw &= ~(0x3f | Fsw.SF | Fsw.ES | Fsw.B);
  c.setFerr(false);
}

/** DB E0/E1/E4: FENI, FDISI, FSETPM — 8087/287 controls the 387 and later treat as FNOP. */
export function opLegacyNop(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
}

/**
 * After the control word changes: ES and B follow whether a flagged exception is now unmasked
 * (an FLDCW that unmasks a flagged exception makes it pending).
 */
export function recomputeSummary(c: Cpu): void {
  const f = c.fpu;
  if (f.fsw & ~f.fcw & 0x3f) f.fsw |= Fsw.ES | Fsw.B;
  else f.fsw &= ~(Fsw.ES | Fsw.B);
  if ((f.fsw & Fsw.ES) === 0) c.setFerr(false);
}

/** D9 /5: FLDCW m16. Bits 6 and 13-15 are reserved; bit 6 reads back as 1 (387 behaviour). */
export function opFldcw(c: Cpu, i: Insn): void {
  enter(c, i, Entry.WaitingControl);
  const v = c.read(i.seg, ea(c, i), 2);
  c.fpu.fcw = (v & 0x1f3f) | 0x40;
  recomputeSummary(c);
}

/** D9 /7: FNSTCW m16. */
export function opFnstcw(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  c.write(i.seg, ea(c, i), 2, c.fpu.fcw);
}

/** DD /7: FNSTSW m16. */
export function opFnstswMem(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  c.write(i.seg, ea(c, i), 2, c.fpu.fsw);
}

/** DF E0: FNSTSW AX. */
export function opFnstswAx(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  c.setReg(0, 2, c.fpu.fsw);
}

/** D9 D0: FNOP. */
export function opFnop(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
}

/** DD C0+i: FFREE ST(i) — tag it empty; TOP is unchanged. */
export function opFfree(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  c.fpu.setEmpty(i.rm, true);
}

/** DF C0+i: FFREEP ST(i) (undocumented, kept by every Intel part): FFREE then pop. */
export function opFfreep(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  c.fpu.setEmpty(i.rm, true);
  c.fpu.pop();
}

/** D9 F7: FINCSTP — TOP + 1 without freeing; C1 cleared. */
export function opFincstp(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  c.fpu.top = c.fpu.top + 1;
  setC1(c, false);
}

/** D9 F6: FDECSTP. */
export function opFdecstp(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  c.fpu.top = c.fpu.top - 1;
  setC1(c, false);
}
