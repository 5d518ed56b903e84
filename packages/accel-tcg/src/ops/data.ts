import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { ud } from '../exec/fault.js';
import { condition, materialize } from '../exec/flags.js';
import { ea, readRm, readRmSized, sext, trunc, writeRm } from './operands.js';

/** 88/89: MOV r/m, reg. */
export function opMovRmReg(c: Cpu, i: Insn): void {
  writeRm(c, i, c.getReg(i.reg, i.size));
}

/** 8A/8B: MOV reg, r/m. */
export function opMovRegRm(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, readRm(c, i));
}

/** B0-BF: MOV reg, imm. */
export function opMovRegImm(c: Cpu, i: Insn): void {
  c.setReg(i.opc & 7, i.size, i.imm);
}

/** C6/C7 /0: MOV r/m, imm. */
export function opMovRmImm(c: Cpu, i: Insn): void {
  writeRm(c, i, trunc(i.imm, i.size));
}

/** A0-A3: MOV AL/eAX to/from moffs. */
export function opMovAccMoffs(c: Cpu, i: Insn): void {
  c.setReg(0, i.size, c.read(i.seg, i.disp, i.size));
}
export function opMovMoffsAcc(c: Cpu, i: Insn): void {
  c.write(i.seg, i.disp, i.size, c.getReg(0, i.size));
}

/** 8D: LEA (a register operand is #UD). */
export function opLea(c: Cpu, i: Insn): void {
  if (!i.mem) ud();
  c.setReg(i.reg, i.size, ea(c, i));
}

/** 86/87: XCHG r/m, reg. */
export function opXchgRmReg(c: Cpu, i: Insn): void {
  const size = i.size;
  const r = c.getReg(i.reg, size);
  if (i.mem) {
    const off = ea(c, i);
    const m = c.readRmw(i.seg, off, size);
    c.write(i.seg, off, size, r);
    c.setReg(i.reg, size, m);
  } else {
    c.setReg(i.reg, size, c.getReg(i.rm, size));
    c.setReg(i.rm, size, r);
  }
}

/** 91-97: XCHG eAX, reg. */
export function opXchgAcc(c: Cpu, i: Insn): void {
  const n = i.opc & 7;
  const a = c.getReg(0, i.size);
  c.setReg(0, i.size, c.getReg(n, i.size));
  c.setReg(n, i.size, a);
}

export function opNop(_c: Cpu, _i: Insn): void {}

/** 0F B6/B7: MOVZX; 0F BE/BF: MOVSX. `i.size` is the destination size. */
export function opMovzx8(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, readRmSized(c, i, 1));
}
export function opMovzx16(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, readRmSized(c, i, 2));
}
export function opMovsx8(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, trunc(sext(readRmSized(c, i, 1), 1), i.size));
}
export function opMovsx16(c: Cpu, i: Insn): void {
  c.setReg(i.reg, i.size, trunc(sext(readRmSized(c, i, 2), 2), i.size));
}

/** 98: CBW / CWDE. */
export function opCbw(c: Cpu, i: Insn): void {
  if (i.o32) c.r[0] = (c.r[0] << 16) >> 16;
  else c.setReg(0, 2, (c.r[0] << 24) >> 24);
}

/** 99: CWD / CDQ. */
export function opCwd(c: Cpu, i: Insn): void {
  if (i.o32) c.r[2] = c.r[0] >> 31;
  else c.setReg(2, 2, (c.r[0] << 16) >> 31);
}

/** 9E: SAHF — SF ZF AF PF CF from AH. */
export function opSahf(c: Cpu, _i: Insn): void {
  const f = materialize(c);
  c.flags = (f & ~0xd5) | ((c.r[0] >> 8) & 0xd5);
}

/** 9F: LAHF. */
export function opLahf(c: Cpu, _i: Insn): void {
  c.setReg8(4, (materialize(c) & 0xd5) | 2);
}

/** 0F 90-9F: SETcc r/m8. */
export function opSetcc(c: Cpu, i: Insn): void {
  writeRm(c, i, condition(c, i.opc & 0xf) ? 1 : 0);
}

/** 0F 40-4F: CMOVcc (the source is read, and may fault, even when the condition is false). */
export function opCmov(c: Cpu, i: Insn): void {
  const v = readRm(c, i);
  if (condition(c, i.opc & 0xf)) c.setReg(i.reg, i.size, v);
}

/** D7: XLAT — AL = [seg:eBX + AL]. */
export function opXlat(c: Cpu, i: Insn): void {
  const off = i.a32 ? (c.r[3] + (c.r[0] & 0xff)) >>> 0 : (c.r[3] + (c.r[0] & 0xff)) & 0xffff;
  c.setReg8(0, c.read8(i.seg, off));
}

// ---- stack ------------------------------------------------------------------------------------

/** 50-57: PUSH reg (PUSH eSP pushes the value before the decrement). */
export function opPushReg(c: Cpu, i: Insn): void {
  c.push(c.getReg(i.opc & 7, i.size), i.size);
}

/** 58-5F: POP reg. */
export function opPopReg(c: Cpu, i: Insn): void {
  const v = c.pop(i.size);
  c.setReg(i.opc & 7, i.size, v);
}

/** 68/6A: PUSH imm. */
export function opPushImm(c: Cpu, i: Insn): void {
  c.push(trunc(i.imm, i.size), i.size);
}

/** FF /6: PUSH r/m. */
export function opPushRm(c: Cpu, i: Insn): void {
  c.push(readRm(c, i), i.size);
}

/** 8F /0: POP r/m — ESP is incremented before the destination address is computed. */
export function opPopRm(c: Cpu, i: Insn): void {
  const oldSp = c.r[4];
  const v = c.pop(i.size);
  if (!i.mem) {
    c.setReg(i.rm, i.size, v);
    return;
  }
  try {
    writeRm(c, i, v);
  } catch (e) {
    c.r[4] = oldSp;
    throw e;
  }
}

/** 60: PUSHA/PUSHAD. */
export function opPusha(c: Cpu, i: Insn): void {
  const size = i.size;
  const sp = c.getReg(4, size);
  const vals = [c.getReg(0, size), c.getReg(1, size), c.getReg(2, size), c.getReg(3, size), sp];
  vals.push(c.getReg(5, size), c.getReg(6, size), c.getReg(7, size));
  const oldSp = c.r[4];
  try {
    for (const v of vals) c.push(v, size);
  } catch (e) {
    c.r[4] = oldSp;
    throw e;
  }
}

/** 61: POPA/POPAD (the saved eSP is discarded). */
export function opPopa(c: Cpu, i: Insn): void {
  const size = i.size;
  const oldSp = c.r[4];
  const vals: number[] = [];
  try {
    for (let k = 0; k < 8; k++) vals.push(c.pop(size));
  } catch (e) {
    c.r[4] = oldSp;
    throw e;
  }
  for (let k = 0; k < 8; k++) if (k !== 3) c.setReg(7 - k, size, vals[k]);
}

/**
 * C8: ENTER imm16, imm8 (SDM pseudocode; Bochs agrees). FrameTemp is the stack pointer after the
 * first push as wide as the operand size: with o32 on a 16-bit stack that is the full ESP (SP
 * wrapped, upper half kept). Nested frame pointers are read through BP on a 16-bit stack and EBP
 * on a 32-bit one. The final stack pointer is then checked like a write of the operand size
 * (segment limit, then paging: a ring-3 ENTER into a supervisor page is #PF 7), and ESP/EBP
 * change only if everything succeeded.
 */
export function opEnter(c: Cpu, i: Insn): void {
  const size = i.size;
  const level = i.imm2 & 0x1f;
  const oldSp = c.r[4];
  try {
    c.push(c.getReg(5, size), size);
    const frame = size === 4 ? c.r[4] >>> 0 : c.r[4] & 0xffff;
    if (level > 0) {
      let bp = c.ss32 ? c.r[5] >>> 0 : c.r[5] & 0xffff;
      for (let k = 1; k < level; k++) {
        bp = c.ss32 ? (bp - size) >>> 0 : (bp - size) & 0xffff;
        c.push(c.read(2, bp, size), size);
      }
      c.push(frame, size);
    }
    const newSp = c.ss32 ? (c.sp - i.imm) >>> 0 : (c.sp - i.imm) & 0xffff;
    // The frame is allocated, not written, but the CPU checks its top like a write.
    c.mmu.probeWrite(c.linW(2, newSp, size), size);
    c.setReg(5, size, frame);
    c.setSp(newSp);
  } catch (e) {
    c.r[4] = oldSp;
    throw e;
  }
}

/** C9: LEAVE. */
export function opLeave(c: Cpu, i: Insn): void {
  const oldSp = c.r[4];
  c.setSp(c.ss32 ? c.r[5] : c.r[5] & 0xffff);
  try {
    c.setReg(5, i.size, c.pop(i.size));
  } catch (e) {
    c.r[4] = oldSp;
    throw e;
  }
}
