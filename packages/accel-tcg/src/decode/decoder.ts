import { CpuFault, Vec } from '../exec/fault.js';
import { opUd as UD_HANDLER } from '../ops/misc.js';
import { Insn } from './insn.js';
import { type Imm, ONE_BYTE, type OpSpec, TWO_BYTE } from './opcode-table.js';
import { specialize } from './specialize.js';

/** Where the decoder gets instruction bytes (it throws guest faults for unmapped code). */
export interface CodeReader {
  /** Byte at offset `k` from the instruction start. */
  byte(k: number): number;
}

const MAX_LEN = 15;

/**
 * Decode one instruction. `code32` is the default operand/address size of the code segment.
 * Throws #GP(0) for instructions longer than 15 bytes; unknown opcodes decode to #UD handlers.
 */
export function decode(read: CodeReader, code32: boolean): Insn {
  let k = 0;
  const next = (): number => {
    if (k >= MAX_LEN) throw new CpuFault(Vec.GP, 0);
    return read.byte(k++);
  };
  let o32 = code32;
  let a32 = code32;
  let segOvr = -1;
  let rep = 0;
  let lock = false;
  let b: number;
  for (;;) {
    b = next();
    if (b === 0x66) o32 = !code32;
    else if (b === 0x67) a32 = !code32;
    else if (b === 0x26 || b === 0x2e || b === 0x36 || b === 0x3e) segOvr = (b >> 3) & 3;
    else if (b === 0x64 || b === 0x65) segOvr = b - 0x60;
    else if (b === 0xf2 || b === 0xf3) rep = b;
    else if (b === 0xf0) lock = true;
    else break;
  }
  let spec: OpSpec;
  let opc = b;
  if (b === 0x0f) {
    b = next();
    opc = 0x100 | b;
    spec = TWO_BYTE[b];
  } else {
    spec = ONE_BYTE[b];
  }
  const i = new Insn(spec.h);
  i.opc = opc;
  i.o32 = o32;
  i.a32 = a32;
  i.segOvr = segOvr;
  i.seg = segOvr >= 0 ? segOvr : 3;
  i.rep = rep;
  i.lock = lock;
  i.size = spec.byteOp ? 1 : o32 ? 4 : 2;
  let imm: Imm = spec.imm;
  let ends = spec.ends ?? false;
  let lockable = spec.lockable ?? false;
  if (spec.modrm) {
    const m = next();
    i.mod = m >> 6;
    i.reg = (m >> 3) & 7;
    i.rm = m & 7;
    i.mem = i.mod !== 3 && !spec.modIgnored;
    if (i.mem) decodeEa(i, next, a32, segOvr);
    if (spec.regForms && !i.mem) {
      // x87 register forms: the whole ModRM selects the instruction.
      i.exec = spec.regForms[(i.reg << 3) | i.rm].h;
    } else if (spec.group) {
      const g = spec.group[i.reg];
      i.exec = g.h;
      if (g.imm !== 'none') imm = g.imm;
      if (g.ends) ends = true;
      lockable = g.lockable ?? false;
      if (g.regOnly && i.mem) i.exec = UD_HANDLER;
      if (g.memOnly && !i.mem) i.exec = UD_HANDLER;
    }
    if (spec.regOnly && i.mem) i.exec = UD_HANDLER;
    if (spec.memOnly && !i.mem) i.exec = UD_HANDLER;
  }
  switch (imm) {
    case 'none':
      break;
    case 'b':
      i.imm = next();
      break;
    case 'sb':
      i.imm = (next() << 24) >> 24;
      break;
    case 'w':
      i.imm = next() | (next() << 8);
      break;
    case 'v':
      i.imm = o32 ? (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0 : next() | (next() << 8);
      break;
    case 'z':
      // Immediate of the instruction's operand size (byte ops take 8 bits).
      if (i.size === 1) i.imm = next();
      else
        i.imm = o32
          ? (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0
          : next() | (next() << 8);
      break;
    case 'wb':
      i.imm = next() | (next() << 8);
      i.imm2 = next();
      break;
    case 'p':
      i.imm = o32 ? (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0 : next() | (next() << 8);
      i.imm2 = next() | (next() << 8);
      break;
    case 'rel8':
      i.imm = (next() << 24) >> 24;
      break;
    case 'relv':
      i.imm = o32
        ? next() | (next() << 8) | (next() << 16) | (next() << 24)
        : ((next() | (next() << 8)) << 16) >> 16;
      break;
    case 'moffs':
      i.disp = a32
        ? (next() | (next() << 8) | (next() << 16) | (next() << 24)) >>> 0
        : next() | (next() << 8);
      i.mem = true;
      break;
  }
  // LOCK is only valid on read-modify-write instructions with a memory destination.
  if (lock && (!lockable || !i.mem)) i.exec = UD_HANDLER;
  i.len = k;
  i.ends = ends;
  if (i.exec !== UD_HANDLER) specialize(i);
  return i;
}

function decodeEa(i: Insn, next: () => number, a32: boolean, segOvr: number): void {
  let defSeg = 3;
  const mod = i.mod;
  const rm = i.rm;
  if (!a32) {
    // 16-bit forms: BX+SI, BX+DI, BP+SI, BP+DI, SI, DI, BP (or disp16), BX.
    const bases = [3, 3, 5, 5, 6, 7, 5, 3];
    const indexes = [6, 7, 6, 7, -1, -1, -1, -1];
    if (mod === 0 && rm === 6) {
      i.base = -1;
      i.disp = next() | (next() << 8);
    } else {
      i.base = bases[rm];
      i.index = indexes[rm];
      if (rm === 2 || rm === 3 || rm === 6) defSeg = 2;
      if (mod === 1) i.disp = (next() << 24) >> 24;
      else if (mod === 2) i.disp = next() | (next() << 8);
    }
  } else {
    let base = rm;
    if (rm === 4) {
      const sib = next();
      i.scale = sib >> 6;
      const idx = (sib >> 3) & 7;
      i.index = idx === 4 ? -1 : idx;
      base = sib & 7;
      if (base === 5 && mod === 0) {
        base = -1;
        i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
      }
    } else if (rm === 5 && mod === 0) {
      base = -1;
      i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
    }
    i.base = base;
    if (base === 4 || base === 5) defSeg = 2;
    if (mod === 1) i.disp = (next() << 24) >> 24;
    else if (mod === 2) i.disp = next() | (next() << 8) | (next() << 16) | (next() << 24);
  }
  i.seg = segOvr >= 0 ? segOvr : defSeg;
}
