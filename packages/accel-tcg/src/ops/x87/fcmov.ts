import type { Handler } from '../../decode/insn.js';
import { condition } from '../../exec/flags.js';
import { Entry, enter } from './guard.js';
import { empty, INDEFINITE, setC1, underflow } from './stack.js';

// FCMOVcc (DA/DB C0-DF): ST(0) ← ST(i) when the EFLAGS condition holds. `cc` is the Jcc
// condition number: B 2, E 4, BE 6, U (PF) 10, and their negations.

export function fcmov(cc: number): Handler {
  return (c, i) => {
    enter(c, i, Entry.Data);
    setC1(c, false);
    let v = c.fpu.readSt(i.rm);
    if (empty(c, 0) || empty(c, i.rm)) {
      if (!underflow(c)) return;
      if (empty(c, i.rm)) v = INDEFINITE;
      // Masked: an empty ST(0) becomes the indefinite whatever the condition.
      if (!condition(c, cc)) {
        if (empty(c, 0)) v = INDEFINITE;
        else return;
      }
    } else if (!condition(c, cc)) {
      return;
    }
    c.fpu.writeSt(0, v);
    c.fpu.setEmpty(0, false);
  };
}
