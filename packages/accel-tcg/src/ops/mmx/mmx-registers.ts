import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import { ud } from '../../exec/fault.js';
import { Fx } from '../../fpu/fpu-state.js';
import { ea } from '../operands.js';

// MMi is the low 64 bits of physical x87 register Ri (SDM Vol. 3 §12.2). The canonical image
// keeps ST(i) order, so before TOP is forced to 0, MMi lives in the slot of ST((i - TOP) & 7).
// Handlers read every operand (and take every fault) first, then call `enterMmxState`, then
// write their result: a faulting MMX instruction leaves the x87 state untouched.

/** Scratch operands, viewed as 8 bytes, 4 words, 2 dwords (signed and unsigned). */
export class Quad {
  readonly u8 = new Uint8Array(8);
  readonly i8 = new Int8Array(this.u8.buffer);
  readonly u16 = new Uint16Array(this.u8.buffer);
  readonly i16 = new Int16Array(this.u8.buffer);
  readonly u32 = new Uint32Array(this.u8.buffer);
  readonly i32 = new Int32Array(this.u8.buffer);
}

/** Destination, source and result scratch (handlers run one at a time). */
export const DST = new Quad();
export const SRC = new Quad();
export const RES = new Quad();

function mmOffset(c: Cpu, n: number): number {
  return Fx.ST0 + 16 * ((n - c.fpu.top) & 7);
}

/** Load MMn into `q`, whatever TOP is. */
export function loadMm(c: Cpu, n: number, q: Quad): void {
  const img = c.fpu.image;
  const o = mmOffset(c, n);
  for (let k = 0; k < 8; k++) q.u8[k] = img[o + k];
}

/** Every MMX instruction except EMMS: TOP = 0 and all registers tagged valid. */
export function enterMmxState(c: Cpu): void {
  c.fpu.top = 0;
  c.fpu.abridgedTag = 0xff;
}

/** Write MMn (after `enterMmxState`): bits 79..64 of Rn become all ones. */
export function storeMm(c: Cpu, n: number, q: Quad): void {
  const img = c.fpu.image;
  const o = Fx.ST0 + 16 * n;
  for (let k = 0; k < 8; k++) img[o + k] = q.u8[k];
  img[o + 8] = 0xff;
  img[o + 9] = 0xff;
}

/** MMX opcodes with a 66, F2 or F3 prefix are SSE/SSE2 forms this CPU does not have. */
export function rejectSsePrefixes(c: Cpu, i: Insn): void {
  if (i.rep !== 0 || i.o32 !== c.code32) ud();
}

/** The r/m source: MMrm or a 64-bit memory operand (`bytes` = 4 for the m32 unpack forms). */
export function loadSource(c: Cpu, i: Insn, q: Quad, bytes = 8): void {
  if (!i.mem) {
    loadMm(c, i.rm, q);
    return;
  }
  const off = ea(c, i);
  c.linR(i.seg, off, bytes); // the whole operand within the limit before any byte is read
  q.u32[0] = c.read(i.seg, off, 4);
  q.u32[1] = bytes === 8 ? c.read(i.seg, off + 4, 4) : 0;
}

/** Store 64 bits to memory, checking both halves (limit and paging) before writing either. */
export function storeQuadToMemory(c: Cpu, i: Insn, q: Quad): void {
  const off = ea(c, i);
  const lin = c.linW(i.seg, off, 8);
  c.mmu.probeWrite(lin, 8);
  c.write(i.seg, off, 4, q.u32[0]);
  c.write(i.seg, off + 4, 4, q.u32[1]);
}
