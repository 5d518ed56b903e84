import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { fault, Vec } from '../exec/fault.js';
import { AF, ARITH, CF, getCF, materialize, setArith, szp } from '../exec/flags.js';

// Decimal adjust instructions. Undefined flags follow QEMU: OF cleared by DAA/DAS; AAA/AAS keep
// the other flags; AAM/AAD set SF/ZF/PF from AL and clear CF, OF, AF.

export function opDaa(c: Cpu, _i: Insn): void {
  const f = materialize(c);
  const old = c.r[0] & 0xff;
  let al = old;
  let out = 0;
  if ((al & 0xf) > 9 || f & AF) {
    al = (al + 6) & 0xff;
    out |= AF;
  }
  if (old > 0x99 || f & CF) {
    al = (al + 0x60) & 0xff;
    out |= CF;
  }
  c.setReg8(0, al);
  setArith(c, ARITH, out | szp(al, 1));
}

export function opDas(c: Cpu, _i: Insn): void {
  const f = materialize(c);
  const old = c.r[0] & 0xff;
  let al = old;
  let out = 0;
  if ((al & 0xf) > 9 || f & AF) {
    out |= AF;
    if (al < 6 || f & CF) out |= CF;
    al = (al - 6) & 0xff;
  }
  if (old > 0x99 || f & CF) {
    al = (al - 0x60) & 0xff;
    out |= CF;
  }
  c.setReg8(0, al);
  setArith(c, ARITH, out | szp(al, 1));
}

function asciiAdjust(c: Cpu, sub: boolean): void {
  const f = materialize(c);
  let al = c.r[0] & 0xff;
  let ah = (c.r[0] >> 8) & 0xff;
  if ((al & 0xf) > 9 || f & AF) {
    if (sub) {
      ah = (ah - 1 - (al < 6 ? 1 : 0)) & 0xff;
      al = (al - 6) & 0xf;
    } else {
      ah = (ah + 1 + (al > 0xf9 ? 1 : 0)) & 0xff;
      al = (al + 6) & 0xf;
    }
    setArith(c, AF | CF, AF | CF);
  } else {
    al &= 0xf;
    setArith(c, AF | CF, 0);
  }
  c.setReg(0, 2, (ah << 8) | al);
}

export function opAaa(c: Cpu, _i: Insn): void {
  asciiAdjust(c, false);
}

export function opAas(c: Cpu, _i: Insn): void {
  asciiAdjust(c, true);
}

export function opAam(c: Cpu, i: Insn): void {
  const base = i.imm & 0xff;
  if (base === 0) fault(Vec.DE);
  const al = c.r[0] & 0xff;
  const r = al % base;
  c.setReg(0, 2, (Math.floor(al / base) << 8) | r);
  setArith(c, ARITH, szp(r, 1));
}

export function opAad(c: Cpu, i: Insn): void {
  const al = (c.r[0] & 0xff) + ((c.r[0] >> 8) & 0xff) * (i.imm & 0xff);
  const r = al & 0xff;
  c.setReg(0, 2, r);
  setArith(c, ARITH, szp(r, 1));
}

/** D6: SALC (undocumented, present on every i686): AL = CF ? FF : 00. */
export function opSalc(c: Cpu, _i: Insn): void {
  c.setReg8(0, getCF(c) ? 0xff : 0);
}
