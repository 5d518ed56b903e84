import type { Insn } from '../decode/insn.js';
import type { Cpu } from '../exec/cpu.js';
import { farCall, farJump, farReturn, interruptReturn } from '../exec/far.js';
import { CpuFault, fault, ud, Vec } from '../exec/fault.js';
import { condition, materialize, OF } from '../exec/flags.js';
import { deliver, EventKind } from '../exec/interrupts.js';
import { ea, readRm, sext } from './operands.js';

/** Near transfer to `target` (already truncated to the operand size); #GP(0) beyond the CS limit. */
export function jumpNear(c: Cpu, target: number): void {
  if (target > c.csLimit) fault(Vec.GP, 0);
  c.eip = target;
}

const rel = (c: Cpu, i: Insn): number => (i.o32 ? (c.eip + i.imm) >>> 0 : (c.eip + i.imm) & 0xffff);

/** EB/E9: JMP rel. */
export function opJmpRel(c: Cpu, i: Insn): void {
  jumpNear(c, rel(c, i));
}

/** 70-7F, 0F 80-8F: Jcc rel. */
export function opJcc(c: Cpu, i: Insn): void {
  if (condition(c, i.opc & 0xf)) jumpNear(c, rel(c, i));
}

/** E8: CALL rel. */
export function opCallRel(c: Cpu, i: Insn): void {
  const target = rel(c, i);
  if (target > c.csLimit) fault(Vec.GP, 0);
  c.push(c.eip, i.size);
  c.eip = target;
}

/** FF /2: CALL r/m. */
export function opCallRm(c: Cpu, i: Insn): void {
  const target = readRm(c, i);
  if (target > c.csLimit) fault(Vec.GP, 0);
  c.push(c.eip, i.size);
  c.eip = target;
}

/** FF /4: JMP r/m. */
export function opJmpRm(c: Cpu, i: Insn): void {
  jumpNear(c, readRm(c, i));
}

/** C3 / C2: RET [imm16]. */
export function opRet(c: Cpu, i: Insn): void {
  const target = c.peek(0, i.size);
  if (target > c.csLimit) fault(Vec.GP, 0);
  c.setSp(c.sp + i.size + (i.opc === 0xc2 ? i.imm : 0));
  c.eip = target;
}

/** E0-E2: LOOPNE/LOOPE/LOOP; E3: JCXZ/JECXZ. The counter is CX or ECX by address size. */
export function opLoop(c: Cpu, i: Insn): void {
  let count: number;
  if (i.a32) {
    count = (c.r[1] - 1) | 0;
    c.r[1] = count;
  } else {
    count = (c.r[1] - 1) & 0xffff;
    c.setReg(1, 2, count);
  }
  let take = count !== 0;
  if (i.opc === 0xe0) take &&= !condition(c, 4);
  else if (i.opc === 0xe1) take &&= condition(c, 4);
  if (take) jumpNear(c, rel(c, i));
}

export function opJcxz(c: Cpu, i: Insn): void {
  const count = i.a32 ? c.r[1] : c.r[1] & 0xffff;
  if (count === 0) jumpNear(c, rel(c, i));
}

/** EA: JMP ptr16:16/32. */
export function opJmpFar(c: Cpu, i: Insn): void {
  farJump(c, i.imm2, i.imm, i.o32);
}

/** 9A: CALL ptr16:16/32. */
export function opCallFar(c: Cpu, i: Insn): void {
  farCall(c, i.imm2, i.imm, i.o32);
}

function readFarPointer(c: Cpu, i: Insn): [number, number] {
  if (!i.mem) ud();
  const off = ea(c, i);
  const target = c.read(i.seg, off, i.size);
  const sel = c.read(i.seg, i.a32 ? (off + i.size) >>> 0 : (off + i.size) & 0xffff, 2);
  return [sel, target];
}

/** FF /3: CALL m16:16/32. */
export function opCallFarRm(c: Cpu, i: Insn): void {
  const [sel, target] = readFarPointer(c, i);
  farCall(c, sel, target, i.o32);
}

/** FF /5: JMP m16:16/32. */
export function opJmpFarRm(c: Cpu, i: Insn): void {
  const [sel, target] = readFarPointer(c, i);
  farJump(c, sel, target, i.o32);
}

/** CB / CA: RETF [imm16]. */
export function opRetf(c: Cpu, i: Insn): void {
  farReturn(c, i.o32, i.opc === 0xca ? i.imm : 0);
}

/** CF: IRET. */
export function opIret(c: Cpu, i: Insn): void {
  if (c.v86 && ((c.flags >> 12) & 3) !== 3) fault(Vec.GP, 0);
  interruptReturn(c, i.o32);
}

/** Software interrupt: in V86 mode with IOPL < 3, INT n is #GP(0) (no VME). */
function softInt(c: Cpu, vector: number): void {
  if (c.v86 && ((c.flags >> 12) & 3) !== 3) fault(Vec.GP, 0);
  deliver(c, vector, -1, EventKind.Software);
}

/** CD: INT imm8. */
export function opInt(c: Cpu, i: Insn): void {
  softInt(c, i.imm);
}

/** CC: INT3 (a trap: delivered with EIP after the instruction; no IOPL check in V86). */
export function opInt3(c: Cpu, _i: Insn): void {
  deliver(c, Vec.BP, -1, EventKind.Software);
}

/** F1: INT1 / ICEBP — a #DB delivered like a hardware event (no DPL check). */
export function opInt1(c: Cpu, _i: Insn): void {
  deliver(c, Vec.DB, -1, EventKind.External);
}

/** CE: INTO. */
export function opInto(c: Cpu, _i: Insn): void {
  if (materialize(c) & OF) deliver(c, Vec.OF, -1, EventKind.Software);
}

/** 62: BOUND r, m — #BR when the index is outside [lower, upper]. */
export function opBound(c: Cpu, i: Insn): void {
  if (!i.mem) ud();
  const off = ea(c, i);
  const size = i.size;
  const lower = sext(c.read(i.seg, off, size), size);
  const upper = sext(c.read(i.seg, i.a32 ? (off + size) >>> 0 : (off + size) & 0xffff, size), size);
  const v = sext(c.getReg(i.reg, size), size);
  if (v < lower || v > upper) throw new CpuFault(Vec.BR);
}
