import type { Insn } from '../decode/insn.js';
import { type Cpu, Seg } from '../exec/cpu.js';
import { DF, getZF, TF } from '../exec/flags.js';
import { AluOp, alu } from './alu.js';
import { checkIoPermission, portIn, portOut } from './io.js';

/** Iterations one execution of a REP instruction may do before it lets interrupts in. */
const REP_SLICE = 4096;

const step = (c: Cpu, size: number): number => (c.flags & DF ? -size : size);

function advance(c: Cpu, reg: number, a32: boolean, delta: number): void {
  if (a32) c.r[reg] = c.r[reg] + delta;
  else c.r[reg] = (c.r[reg] & ~0xffff) | ((c.r[reg] + delta) & 0xffff);
}

const index = (c: Cpu, reg: number, a32: boolean): number => (a32 ? c.r[reg] >>> 0 : c.r[reg] & 0xffff);

/**
 * Run `body` once, or as REP says: count in CX/ECX, stop early when `body` returns false
 * (REPE/REPNE condition failed). Registers are updated per iteration, so a fault in the middle
 * restarts cleanly; after REP_SLICE iterations the instruction restarts itself to let
 * interrupts in.
 */
function repeat(c: Cpu, i: Insn, body: () => boolean): void {
  if (!i.rep) {
    body();
    return;
  }
  const a32 = i.a32;
  let n = a32 ? c.r[1] >>> 0 : c.r[1] & 0xffff;
  for (let k = 0; n !== 0; k++) {
    // Single-stepping traps after every iteration (SDM Vol. 3 §18.3.1.4): one at a time then.
    if (k > 0 && (k === REP_SLICE || c.breakBlock || c.flags & TF)) {
      c.eip = c.ip;
      c.breakBlock = true;
      return;
    }
    const go = body();
    n = a32 ? (n - 1) >>> 0 : (n - 1) & 0xffff;
    if (a32) c.r[1] = n;
    else c.setReg(1, 2, n);
    if (!go) return;
  }
}

const srcSeg = (i: Insn): number => (i.segOvr >= 0 ? i.segOvr : Seg.DS);

/** A4/A5: MOVS. */
export function opMovs(c: Cpu, i: Insn): void {
  const size = i.size;
  const seg = srcSeg(i);
  const a32 = i.a32;
  repeat(c, i, () => {
    const v = c.read(seg, index(c, 6, a32), size);
    c.write(Seg.ES, index(c, 7, a32), size, v);
    const d = step(c, size);
    advance(c, 6, a32, d);
    advance(c, 7, a32, d);
    return true;
  });
}

/** AA/AB: STOS. */
export function opStos(c: Cpu, i: Insn): void {
  const size = i.size;
  const a32 = i.a32;
  const v = c.getReg(0, size);
  repeat(c, i, () => {
    c.write(Seg.ES, index(c, 7, a32), size, v);
    advance(c, 7, a32, step(c, size));
    return true;
  });
}

/** AC/AD: LODS. */
export function opLods(c: Cpu, i: Insn): void {
  const size = i.size;
  const seg = srcSeg(i);
  const a32 = i.a32;
  repeat(c, i, () => {
    c.setReg(0, size, c.read(seg, index(c, 6, a32), size));
    advance(c, 6, a32, step(c, size));
    return true;
  });
}

/** A6/A7: CMPS (flags as CMP [eSI], [eDI]). */
export function opCmps(c: Cpu, i: Insn): void {
  const size = i.size;
  const seg = srcSeg(i);
  const a32 = i.a32;
  const wantZ = i.rep === 0xf3;
  repeat(c, i, () => {
    const a = c.read(seg, index(c, 6, a32), size);
    const b = c.read(Seg.ES, index(c, 7, a32), size);
    alu(c, AluOp.Cmp, size, a, b);
    const d = step(c, size);
    advance(c, 6, a32, d);
    advance(c, 7, a32, d);
    return getZF(c) === wantZ;
  });
}

/** AE/AF: SCAS (flags as CMP eAX, [eDI]). */
export function opScas(c: Cpu, i: Insn): void {
  const size = i.size;
  const a32 = i.a32;
  const wantZ = i.rep === 0xf3;
  const acc = c.getReg(0, size);
  repeat(c, i, () => {
    alu(c, AluOp.Cmp, size, acc, c.read(Seg.ES, index(c, 7, a32), size));
    advance(c, 7, a32, step(c, size));
    return getZF(c) === wantZ;
  });
}

/** 6C/6D: INS — port DX to ES:[eDI]. */
export function opIns(c: Cpu, i: Insn): void {
  const size = i.size;
  const a32 = i.a32;
  const port = c.r[2] & 0xffff;
  checkIoPermission(c, port, size);
  repeat(c, i, () => {
    const off = index(c, 7, a32);
    // The destination must be writable before the port is read (reads can have side effects).
    c.mmu.probeWrite(c.linW(Seg.ES, off, size), size);
    c.write(Seg.ES, off, size, portIn(c, port, size));
    advance(c, 7, a32, step(c, size));
    return true;
  });
}

/** 6E/6F: OUTS — seg:[eSI] to port DX. */
export function opOuts(c: Cpu, i: Insn): void {
  const size = i.size;
  const seg = srcSeg(i);
  const a32 = i.a32;
  const port = c.r[2] & 0xffff;
  checkIoPermission(c, port, size);
  repeat(c, i, () => {
    portOut(c, port, size, c.read(seg, index(c, 6, a32), size));
    advance(c, 6, a32, step(c, size));
    return true;
  });
}
