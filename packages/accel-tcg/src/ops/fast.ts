import type { Insn } from '../decode/insn.js';
import { type Cpu, Seg } from '../exec/cpu.js';
import { LazyOp, lazyCarry } from '../exec/flags.js';
import { ea } from './operands.js';

// Specialized 32-bit forms of the most frequent instructions, chosen at decode time by
// `specialize`: no operand-size or operation switches on the hot path. Each must behave exactly
// like the generic handler it replaces (the randomized test runs both kinds of encodings).

function lazy(c: Cpu, op: LazyOp, a: number, b: number, r: number): void {
  c.lop = op;
  c.lsize = 4;
  c.ls1 = a;
  c.ls2 = b;
  c.lres = r;
}

export function movRR89(c: Cpu, i: Insn): void {
  c.r[i.rm] = c.r[i.reg];
}
export function movRR8B(c: Cpu, i: Insn): void {
  c.r[i.reg] = c.r[i.rm];
}
export function movRM(c: Cpu, i: Insn): void {
  c.r[i.reg] = c.read32(i.seg, ea(c, i));
}
export function movMR(c: Cpu, i: Insn): void {
  c.write32(i.seg, ea(c, i), c.r[i.reg]);
}
export function movRI(c: Cpu, i: Insn): void {
  c.r[i.opc & 7] = i.imm;
}

// ALU with a register destination: `src` is the second operand, unsigned.
function aluReg(c: Cpu, dst: number, op: number, b: number): void {
  const a = c.r[dst] >>> 0;
  let r: number;
  switch (op) {
    case 0:
      r = (a + b) >>> 0;
      lazy(c, LazyOp.Add, a, b, r);
      break;
    case 1:
      r = (a | b) >>> 0;
      lazy(c, LazyOp.Logic, a, b, r);
      break;
    case 4:
      r = (a & b) >>> 0;
      lazy(c, LazyOp.Logic, a, b, r);
      break;
    case 5:
      r = (a - b) >>> 0;
      lazy(c, LazyOp.Sub, a, b, r);
      break;
    case 6:
      r = (a ^ b) >>> 0;
      lazy(c, LazyOp.Logic, a, b, r);
      break;
    default:
      // CMP (ADC/SBB never come here)
      lazy(c, LazyOp.Sub, a, b, (a - b) >>> 0);
      return;
  }
  c.r[dst] = r;
}

/** 01/09/21/29/31/39 with mod = 3: r/m32 op= r32. */
export function aluRmRegRR(c: Cpu, i: Insn): void {
  aluReg(c, i.rm, (i.opc >> 3) & 7, c.r[i.reg] >>> 0);
}
/** 03/0B/23/2B/33/3B with mod = 3: r32 op= r/m32. */
export function aluRegRmRR(c: Cpu, i: Insn): void {
  aluReg(c, i.reg, (i.opc >> 3) & 7, c.r[i.rm] >>> 0);
}
/** Same with a memory source. */
export function aluRegRmRM(c: Cpu, i: Insn): void {
  aluReg(c, i.reg, (i.opc >> 3) & 7, c.read32(i.seg, ea(c, i)));
}
/** 81/83 with mod = 3. */
export function aluRegImm(c: Cpu, i: Insn): void {
  aluReg(c, i.rm, i.reg, i.imm >>> 0);
}
/** 05/0D/25/2D/35/3D: EAX op= imm32. */
export function aluAccImm(c: Cpu, i: Insn): void {
  aluReg(c, 0, (i.opc >> 3) & 7, i.imm >>> 0);
}

/** 40-4F (32-bit): INC/DEC r32. */
export function incDec32(c: Cpu, i: Insn): void {
  const n = i.opc & 7;
  const cf = lazyCarry(c);
  const a = c.r[n] >>> 0;
  const dec = i.opc >= 0x48;
  const r = (dec ? a - 1 : a + 1) >>> 0;
  lazy(c, dec ? LazyOp.Dec : LazyOp.Inc, a, 1, r);
  c.lcin = cf;
  c.r[n] = r;
}

/** 50-57 / 58-5F with a 32-bit stack. */
export function push32(c: Cpu, i: Insn): void {
  if (!c.ss32) {
    c.push(c.r[i.opc & 7], 4);
    return;
  }
  const sp = (c.r[4] - 4) >>> 0;
  c.write32(Seg.SS, sp, c.r[i.opc & 7]);
  c.r[4] = sp;
}
export function pop32(c: Cpu, i: Insn): void {
  if (!c.ss32) {
    c.r[i.opc & 7] = c.pop(4);
    return;
  }
  const sp = c.r[4] >>> 0;
  const v = c.read32(Seg.SS, sp);
  c.r[4] = sp + 4;
  c.r[i.opc & 7] = v;
}
