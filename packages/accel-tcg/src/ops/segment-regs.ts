import type { Insn } from '../decode/insn.js';
import { type Cpu, Seg } from '../exec/cpu.js';
import { ud } from '../exec/fault.js';
import { loadSegment } from '../exec/segments.js';
import { ea, readRmSized, writeRmSized } from './operands.js';

// Moves to and from segment registers: MOV Sreg, PUSH/POP Sreg, LDS/LES/LSS/LFS/LGS.

/** 8C: MOV r/m16, Sreg (a register destination with 32-bit operand size gets the zero-extended selector). */
export function opMovFromSeg(c: Cpu, i: Insn): void {
  if (i.reg > 5) ud();
  writeRmSized(c, i, i.mem ? 2 : i.size, c.segs[i.reg].selector);
}

/** 8E: MOV Sreg, r/m16 (CS is #UD; SS blocks interrupts for one instruction). */
export function opMovToSeg(c: Cpu, i: Insn): void {
  if (i.reg > 5 || i.reg === Seg.CS) ud();
  loadSegment(c, i.reg, readRmSized(c, i, 2));
  if (i.reg === Seg.SS) c.shadow = c.ssShadow = true;
}

/** 06/0E/16/1E, 0F A0/A8: PUSH Sreg. */
export function opPushSeg(c: Cpu, i: Insn): void {
  const idx = i.opc < 0x100 ? i.opc >> 3 : i.opc === 0x1a0 ? Seg.FS : Seg.GS;
  c.push(c.segs[idx].selector, i.size);
}

/** 07/17/1F, 0F A1/A9: POP Sreg. */
export function opPopSeg(c: Cpu, i: Insn): void {
  const idx = i.opc < 0x100 ? i.opc >> 3 : i.opc === 0x1a1 ? Seg.FS : Seg.GS;
  const sel = c.peek(0, i.size) & 0xffff;
  // The pop belongs to the stack the selector came from: step ESP by the OLD SS.B, before POP SS
  // can change it (a 16-bit stack wraps SP even when the new SS is a 32-bit segment).
  const esp = c.r[4];
  const next = c.ss32 ? (esp + i.size) | 0 : (esp & ~0xffff) | ((esp + i.size) & 0xffff);
  loadSegment(c, idx, sel);
  c.r[4] = next;
  if (idx === Seg.SS) c.shadow = c.ssShadow = true;
}

/** C4/C5, 0F B2/B4/B5: LES, LDS, LSS, LFS, LGS. */
export function opLoadFarPointer(c: Cpu, i: Insn): void {
  if (!i.mem) ud();
  const idx =
    i.opc === 0xc4
      ? Seg.ES
      : i.opc === 0xc5
        ? Seg.DS
        : i.opc === 0x1b2
          ? Seg.SS
          : i.opc === 0x1b4
            ? Seg.FS
            : Seg.GS;
  const off = ea(c, i);
  const v = c.read(i.seg, off, i.size);
  const sel = c.read(i.seg, i.a32 ? (off + i.size) >>> 0 : (off + i.size) & 0xffff, 2);
  loadSegment(c, idx, sel);
  c.setReg(i.reg, i.size, v);
}
