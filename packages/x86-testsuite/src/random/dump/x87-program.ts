import { Mulberry32 as Rng } from '../mulberry32.js';
import { le32 } from './opcode-table-program.js';

/**
 * Random x87 sequences for the x87 dump runner (a runner ROM's last 64 KiB; the generated code
 * at 0xFFF00000), compared with QEMU. Every sequence starts from
 * FNINIT, a random control word (all exceptions masked; random rounding control)
 * and one to four loaded values, then runs up to eight random instructions, each followed by a
 * call to the runner's FPU dump. The generator tracks the stack depth and only emits
 * instructions whose registers are in use and whose pushes fit: QEMU 7.2 does not detect stack
 * overflow or underflow, so faults of that kind are tested against the SDM elsewhere
 * (accel-tcg's test/x87). Transcendentals are compared within a tolerance in their own guest, not here.
 * Operands come from a pool that over-represents the special encodings.
 */

export const X87_SEQ_BASE = 0xfff00000;
const DUMP_PTR = 0xffff0000;
/** Stores go to 16 bytes of RAM the dump prints. */
export const STORE_SCRATCH = 0x20000;
const POOL_SIZE = 96;
const ENTRY = 16;

export interface X87Insn {
  bytes: number[];
  name: string;
}

export interface X87Sequence {
  index: number;
  cw: number;
  eflags: number;
  loads: number[];
  insns: X87Insn[];
}

/** The special 80-bit encodings (significand hi, lo, sign+exponent). */
const SPECIALS: readonly [number, number, number][] = [
  [0, 0, 0],
  [0, 0, 0x8000],
  [0x80000000, 0, 0x3fff],
  [0xc0000000, 0, 0xbfff],
  [0xc90fdaa2, 0x2168c235, 0x4000],
  [0x80000000, 1, 0x3fff],
  [0xffffffff, 0xffffffff, 0x7ffe],
  [0x80000000, 0, 0x0001],
  [0, 0x123, 0],
  [0x80000000, 1, 0],
  [0x80000000, 0, 0x7fff],
  [0x80000000, 0, 0xffff],
  [0xc0000000, 0x1234, 0x7fff],
  [0x80000000, 0x5678, 0xffff],
  [0xc0000000, 0, 0xffff],
  [0x40000000, 0, 0x4000],
  [0xffffffff, 0xfffffc00, 0x403e],
  [0x80000000, 0, 0x403e],
  [0xb504f333, 0xf9de6484, 0x3fff],
];

/** One pool entry: 16 bytes read as m80, m64, m32, m16, m64int or BCD by the instruction. */
function poolEntry(rng: Rng): number[] {
  const bytes = new Array(ENTRY).fill(0);
  const put32 = (o: number, v: number) => {
    for (const [k, b] of le32(v).entries()) bytes[o + k] = b;
  };
  const kind = rng.int(10);
  let hi: number;
  let lo: number;
  let se: number;
  if (kind < 4) {
    [hi, lo, se] = SPECIALS[rng.int(SPECIALS.length)];
  } else if (kind < 7) {
    // Ordinary values near 1, some with significands on the rounding boundaries of PC/RC.
    se = (rng.chance(0.5) ? 0x8000 : 0) | (0x3fff - 40 + rng.int(80));
    hi = (rng.u32() | 0x80000000) >>> 0;
    lo = rng.u32();
    const boundary = rng.int(4);
    if (boundary === 1) lo = (lo & 0xffffff00) | 0x80; // halfway below 64... (sticky pattern)
    if (boundary === 2) lo = 0x00000400 * rng.int(2) + 0x80000000 * rng.int(2); // double boundary
    if (boundary === 3) {
      hi = (hi & 0xffffff00) | 0x80; // single-precision halfway
      lo = 0;
    }
  } else if (kind < 8) {
    // Extremes of the exponent range.
    se = (rng.chance(0.5) ? 0x8000 : 0) | (rng.chance(0.5) ? rng.int(70) : 0x7ffe - rng.int(70));
    hi = rng.chance(0.8) ? (rng.u32() | 0x80000000) >>> 0 : rng.u32() >>> 1;
    lo = rng.u32();
  } else {
    // Small integers (FIST, FRNDINT, FPREM quotients, BCD) and raw bits.
    const n = rng.int(2000) - 1000;
    if (n === 0) [hi, lo, se] = [0, 0, 0];
    else {
      const m = Math.abs(n);
      const shift = Math.clz32(m);
      hi = (m << shift) >>> 0;
      lo = 0;
      se = (n < 0 ? 0x8000 : 0) | (0x3fff + 31 - shift);
    }
  }
  put32(0, lo);
  put32(4, hi);
  bytes[8] = se & 0xff;
  bytes[9] = se >> 8;
  // Bytes 10-15 vary so m32/m64 readers at +8 don't only see exponents.
  for (let k = 10; k < ENTRY; k++) bytes[k] = rng.int(256);
  return bytes;
}

interface Spec {
  name: string;
  /** Registers that must be in use. */
  need: number;
  /** Stack depth change. */
  delta: number;
  encode: (rng: Rng, depth: number, mem: (rng: Rng) => number[]) => number[];
}

const reg = (base: number, maxIndex: (depth: number) => number) => (rng: Rng, depth: number) => [
  base >> 8,
  (base & 0xff) + rng.int(maxIndex(depth) + 1),
];

/** ModRM [disp32] with the given reg field. */
const memForm =
  (opcode: number, regField: number) => (rng: Rng, _depth: number, mem: (rng: Rng) => number[]) => [
    opcode,
    0x05 | (regField << 3),
    ...mem(rng),
  ];

const storeForm = (opcode: number, regField: number) => () => [
  opcode,
  0x05 | (regField << 3),
  ...le32(STORE_SCRATCH),
];

function specs(): Spec[] {
  const out: Spec[] = [];
  const any = (d: number) => Math.min(d, 8) - 1;
  const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
  for (let r = 0; r < 8; r++) {
    const pop = r === 3 ? -1 : 0;
    out.push({ name: `${ARITH[r]} st0,sti`, need: 1, delta: pop, encode: reg(0xd8c0 + r * 8, any) });
    out.push({ name: `${ARITH[r]} m32fp`, need: 1, delta: pop, encode: memForm(0xd8, r) });
    out.push({ name: `${ARITH[r]} m64fp`, need: 1, delta: pop, encode: memForm(0xdc, r) });
    out.push({ name: `fi${ARITH[r].slice(1)} m32int`, need: 1, delta: pop, encode: memForm(0xda, r) });
    out.push({ name: `fi${ARITH[r].slice(1)} m16int`, need: 1, delta: pop, encode: memForm(0xde, r) });
    if (r !== 2 && r !== 3) {
      out.push({ name: `dc ${ARITH[r]}`, need: 1, delta: 0, encode: reg(0xdcc0 + r * 8, any) });
      // The popping forms need ST(1) or deeper as the destination.
      out.push({
        name: `de ${ARITH[r]}p`,
        need: 2,
        delta: -1,
        encode: (rng, d) => [0xde, 0xc0 + r * 8 + 1 + rng.int(Math.min(d, 8) - 1)],
      });
    }
  }
  const push = (name: string, encode: Spec['encode']) => out.push({ name, need: 0, delta: 1, encode });
  push('fld m32fp', memForm(0xd9, 0));
  push('fld m64fp', memForm(0xdd, 0));
  push('fld m80fp', memForm(0xdb, 5));
  push('fild m16', memForm(0xdf, 0));
  push('fild m32', memForm(0xdb, 0));
  push('fild m64', memForm(0xdf, 5));
  // FBLD is exact (SDM); QEMU 7.2 rounds it to PC, so it is compared in x87unary (PC = extended).
  push('fld sti', reg(0xd9c0, any));
  push('fldconst', (rng) => [0xd9, 0xe8 + rng.int(7)]);
  const st0 = (name: string, encode: Spec['encode'], delta = 0) => out.push({ name, need: 1, delta, encode });
  st0('fst m32', storeForm(0xd9, 2));
  st0('fstp m32', storeForm(0xd9, 3), -1);
  st0('fst m64', storeForm(0xdd, 2));
  st0('fstp m64', storeForm(0xdd, 3), -1);
  st0('fstp m80', storeForm(0xdb, 7), -1);
  st0('fist m16', storeForm(0xdf, 2));
  st0('fistp m16', storeForm(0xdf, 3), -1);
  st0('fist m32', storeForm(0xdb, 2));
  st0('fistp m32', storeForm(0xdb, 3), -1);
  st0('fistp m64', storeForm(0xdf, 7), -1);
  st0('fbstp', storeForm(0xdf, 6), -1);
  st0('fst sti', reg(0xddd0, any));
  st0('fstp sti', reg(0xddd8, any), -1);
  st0('fxch', reg(0xd9c8, any));
  st0('fchs', () => [0xd9, 0xe0]);
  st0('fabs', () => [0xd9, 0xe1]);
  st0('ftst', () => [0xd9, 0xe4]);
  st0('fxam', () => [0xd9, 0xe5]);
  st0('fsqrt', () => [0xd9, 0xfa]);
  st0('frndint', () => [0xd9, 0xfc]);
  st0('fucom', reg(0xdde0, any));
  st0('fucomp', reg(0xdde8, any), -1);
  st0('fcomi', reg(0xdbf0, any));
  st0('fucomi', reg(0xdbe8, any));
  st0('fcomip', reg(0xdff0, any), -1);
  st0('fucomip', reg(0xdfe8, any), -1);
  for (let k = 0; k < 8; k++) st0(`fcmov${k}`, reg((k < 4 ? 0xdac0 : 0xdbc0) + (k & 3) * 8, any));
  const two = (name: string, encode: Spec['encode'], delta = 0) => out.push({ name, need: 2, delta, encode });
  two('fscale', () => [0xd9, 0xfd]);
  // FPREM/FPREM1 are left out: the SDM makes them exact, QEMU 7.2 computes them inexactly.
  two('fcompp', () => [0xde, 0xd9], -2);
  two('fucompp', () => [0xda, 0xe9], -2);
  out.push({ name: 'fxtract', need: 1, delta: 1, encode: () => [0xd9, 0xf4] });
  return out;
}

export const X87_SPECS: readonly Spec[] = specs();

/** `count` sequences as code for the bottom of the ROM, with the operand pool after the code. */
export function generateX87Program(
  seed: number,
  count: number,
): { code: Uint8Array; sequences: X87Sequence[] } {
  const rng = new Rng(seed ^ 0x87);
  const code: number[] = [];
  const pool = Array.from({ length: POOL_SIZE }, () => poolEntry(rng));
  // Pool addresses are patched once the code size is known.
  const fixups: { at: number; entry: number; offset: number; insn?: number[] }[] = [];
  const memRef = (entry: number, offset: number) => {
    fixups.push({ at: code.length, entry, offset });
    return [0, 0, 0, 0];
  };
  const sequences: X87Sequence[] = [];
  for (let k = 0; k < count; k++) {
    // PC stays extended: QEMU 7.2 also rounds loads, FRNDINT, FSCALE and FBLD to the precision
    // control, which the SDM applies only to the arithmetic instructions (§8.1.5.2); PC is
    // covered by the x87arith guest, where only arithmetic runs under it.
    const pc = 3;
    const rc = rng.int(4);
    const cw = 0x7f | (pc << 8) | (rc << 10);
    const eflags = (rng.u32() & 0x8d5) | 2;
    const nLoads = 1 + rng.int(4);
    const loads = Array.from({ length: nLoads }, () => rng.int(POOL_SIZE));
    // mov dword [STORE_SCRATCH + 4k], 0 (k = 0..3); fninit; fldcw [cw slot]; fld tword [...] ×n
    for (let w = 0; w < 4; w++) code.push(0xc7, 0x05, ...le32(STORE_SCRATCH + 4 * w), 0, 0, 0, 0);
    code.push(0xdb, 0xe3);
    // The control word lives in the sequence's code: jump over it.
    code.push(0xeb, 0x02, cw & 0xff, cw >> 8);
    const cwAddr = X87_SEQ_BASE + code.length - 2;
    code.push(0xd9, 0x2d, ...le32(cwAddr));
    for (const e of loads) {
      code.push(0xdb, 0x2d);
      code.push(...memRef(e, 0));
    }
    code.push(0x68, ...le32(eflags), 0x9d);
    let depth = nLoads;
    const n = 1 + rng.int(8);
    const insns: X87Insn[] = [];
    for (let j = 0; j < n; j++) {
      // QEMU 7.2 rounds FRNDINT and FSCALE to the precision control, which the SDM applies only
      // to the arithmetic instructions (§8.1.5.2): they are drawn only with PC = extended.
      const usable = X87_SPECS.filter(
        (s) =>
          depth >= s.need &&
          depth + s.delta <= 8 &&
          depth + s.delta >= 0 &&
          (pc === 3 || (s.name !== 'frndint' && s.name !== 'fscale')),
      );
      const s = rng.pick(usable);
      let bytes: number[] = [];
      const mem = (r: Rng) => {
        const entry = r.int(POOL_SIZE);
        const offset = r.chance(0.8) ? 0 : r.pick([2, 4, 6, 8]);
        // The displacement is patched below: remember where it goes in `bytes`.
        pendingMem = { entry, offset };
        return [0, 0, 0, 0];
      };
      let pendingMem: { entry: number; offset: number } | undefined;
      bytes = s.encode(rng, depth, mem);
      const start = code.length;
      code.push(...bytes);
      if (pendingMem)
        fixups.push({ at: start + 2, entry: pendingMem.entry, offset: pendingMem.offset, insn: bytes });
      // push mask; push tag; call [DUMP_PTR]
      code.push(0x68, ...le32(0xffffffff), 0x68, ...le32((k << 8) | j), 0xff, 0x15, ...le32(DUMP_PTR));
      depth += s.delta;
      insns.push({ bytes, name: s.name });
    }
    sequences.push({ index: k, cw, eflags, loads, insns });
  }
  code.push(0xdb, 0xe3, 0xc3); // fninit; ret
  const poolBase = X87_SEQ_BASE + ((code.length + 15) & ~15);
  while (code.length & 15) code.push(0xf4);
  for (const f of fixups) {
    const disp = le32(poolBase + f.entry * ENTRY + f.offset);
    code.splice(f.at, 4, ...disp);
    f.insn?.splice(2, 4, ...disp);
  }
  for (const p of pool) code.push(...p);
  return { code: Uint8Array.from(code), sequences };
}

export function describeX87Sequence(seq: X87Sequence): string {
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  return [
    `  fcw=${seq.cw.toString(16).padStart(4, '0')} eflags=${seq.eflags.toString(16)} loads from pool entries ${seq.loads.join(', ')}`,
    ...seq.insns.map((i, j) => `  #${j}: ${i.bytes.map(hex).join(' ')}  (${i.name})`),
  ].join('\n');
}
