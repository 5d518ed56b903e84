import {
  KEEP_AAA,
  KEEP_AAM,
  KEEP_ALL,
  KEEP_BSF,
  KEEP_BT,
  KEEP_DAA,
  KEEP_DIV,
  KEEP_LOGIC,
  KEEP_MUL,
  type ShiftOp,
  shiftKeepMask,
} from '../sdm/undefined-flags.js';
import {
  type Addressing,
  CONDITION_NAMES,
  hex,
  immBytes,
  le32,
  type MemOperand,
  mem,
  modrm,
  operandText,
  operandTextBare,
  type RegOperand,
  type RmOperand,
  reg,
  regName,
  SEGMENT_PREFIX,
  type SegmentOverride,
  type Size,
  signedHex8,
  sizePrefix,
  takeSegmentPrefix,
} from './encoder.js';
import type { Prng } from './prng.js';
import type { Step } from './step.js';

/**
 * The instruction forms the randomized test draws from: the i686 integer groups, each with its
 * encoding, its ndisasm-style text and the flags the SDM defines after it. Some forms emit
 * "guard" steps first (a known shift count in CL, a non-zero divisor, a non-zero BSF source) so
 * that every compared bit is architecturally defined; the guards are ordinary steps and are
 * compared too.
 */

/**
 * Guest (linear) address of the 16 scratch bytes every sequence may read and write: below 64 KiB
 * so the 16-bit addressing forms reach it, and across a page boundary whose two pages are far
 * apart physically (the prologue turns paging on), so straddling accesses exercise split
 * translations.
 */
export const SCRATCH = 0xeff8;

const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;
const SHIFT_NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;
/** General registers a sequence may change: everything but ESP (the dump needs the stack). */
const WORK_REGS = [0, 1, 2, 3, 5, 6, 7];
const SIZES: readonly Size[] = [8, 16, 32];

/** A step; a segment override of the memory operand just encoded goes in front (see encoder.ts). */
const step = (bytes: number[], text: string, keep = KEEP_ALL): Step => ({
  bytes: [...takeSegmentPrefix(), ...bytes],
  text,
  keep,
});

const SEGMENTS: readonly SegmentOverride[] = ['es', 'ss', 'ds', 'fs', 'gs'];

function pickReg(rng: Prng, size: Size): RegOperand {
  return reg(size === 8 ? rng.below(8) : rng.pick(WORK_REGS), size);
}

/**
 * Guard steps that set the address registers of the memory operand just picked; `randomInstruction`
 * puts them in front of the form's own steps. Only EBX, EBP, ESI and EDI serve as address
 * registers: the forms' own guards change EAX, ECX and EDX, never these.
 */
let addressGuards: Step[] = [];
const ADDRESS_REGS = [3, 5, 6, 7];

function setReg(r: number, value: number): Step {
  return step([0xb8 + r, ...le32(value)], `mov ${regName(reg(r, 32))},${hex(value)}`);
}

/** An addressing form that lands on `target`, with the guard steps that make it do so. */
function addressing(rng: Prng, target: number): Addressing {
  const kind = rng.below(5);
  if (kind === 4) {
    // 16-bit forms: EA = (registers + displacement) mod 64 KiB; the registers' upper halves must
    // not matter, so they get random ones.
    const rm = rng.below(8);
    const regs = [[3, 6], [3, 7], [5, 6], [5, 7], [6], [7], [5], [3]][rm];
    const dispSize = rm === 6 ? rng.pick([8, 16] as const) : rng.pick([0, 8, 16] as const);
    if (rm === 6 && rng.chance(0.3)) return { kind: 'abs16', disp: target };
    const disp = dispSize === 0 ? 0 : dispSize === 8 ? (rng.next() << 24) >> 24 : rng.next() & 0xffff;
    let rest = (target - disp) & 0xffff;
    const values = regs.map((_r, i) => {
      const v = i === regs.length - 1 ? rest : rng.next() & 0xffff;
      rest = (rest - v) & 0xffff;
      return ((rng.next() & 0xffff0000) | v) >>> 0;
    });
    regs.forEach((r, i) => {
      addressGuards.push(setReg(r, values[i]));
    });
    return { kind: 'a16', rm, disp: dispSize === 16 ? disp & 0xffff : disp, dispSize };
  }
  const scale = rng.below(4);
  const index = rng.pick(ADDRESS_REGS);
  const indexValue = rng.chance(0.5) ? rng.below(64) : rng.next();
  if (kind === 3) {
    // No base: [index * scale + disp32].
    const disp = (target - indexValue * (1 << scale)) >>> 0;
    addressGuards.push(setReg(index, indexValue));
    return { kind: 'index', index, scale, disp };
  }
  const base = rng.pick(ADDRESS_REGS.filter((r) => r !== index));
  let dispSize: 0 | 8 | 32 = rng.pick([0, 8, 32] as const);
  if (base === 5 && dispSize === 0) dispSize = 8; // mod=00 with base EBP means "no base"
  const disp = dispSize === 0 ? 0 : dispSize === 8 ? (rng.next() << 24) >> 24 : rng.next() | 0;
  const withIndex = kind !== 0;
  const baseValue = (target - disp - (withIndex ? indexValue * (1 << scale) : 0)) >>> 0;
  if (withIndex) addressGuards.push(setReg(index, indexValue));
  addressGuards.push(setReg(base, baseValue));
  return withIndex
    ? { kind: 'base', base, index, scale, disp, dispSize }
    : { kind: 'base', base, scale: 0, disp, dispSize };
}

function pickMem(rng: Prng, size: Size): MemOperand {
  // CS is left out: writing through it is a #GP the reference (QEMU) does not raise.
  const segment = rng.chance(0.15) ? rng.pick(SEGMENTS) : undefined;
  const target = SCRATCH + rng.below(16 - size / 8 + 1);
  // One register-addressed operand per instruction: a second would overwrite the first's registers.
  if (addressGuards.length === 0 && rng.chance(0.4)) {
    const m = mem(target, size, segment);
    return { ...m, addressing: addressing(rng, target) };
  }
  return mem(target, size, segment);
}

function pickRm(rng: Prng, size: Size, memChance = 0.3): RmOperand {
  return rng.chance(memChance) ? pickMem(rng, size) : pickReg(rng, size);
}

const w = (size: Size) => (size === 8 ? 0 : 1);

/** Shift counts around every boundary, plus random ones. */
function shiftCount(rng: Prng, max = 255): number {
  const counts = [0, 1, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33];
  return rng.chance(0.8) ? Math.min(rng.pick(counts), max) : rng.below(max + 1);
}

type Form = (rng: Prng) => Step[];

const alu: Form = (rng) => {
  const op = rng.below(8);
  const name = ALU_NAMES[op];
  const keep = name === 'and' || name === 'or' || name === 'xor' ? KEEP_LOGIC : KEEP_ALL;
  const size = rng.pick(SIZES);
  const p = sizePrefix(size);
  const variant = rng.below(5);
  if (variant === 0 || variant === 1) {
    const rm = pickRm(rng, size);
    const r = pickReg(rng, size);
    if (variant === 0) {
      const lock = rm.kind === 'mem' && name !== 'cmp' && rng.chance(0.2);
      return [
        step(
          [...(lock ? [0xf0] : []), ...p, op * 8 + w(size), ...modrm(r.index, rm)],
          `${lock ? 'lock ' : ''}${name} ${operandTextBare(rm)},${regName(r)}`,
          keep,
        ),
      ];
    }
    return [
      step(
        [...p, op * 8 + 2 + w(size), ...modrm(r.index, rm)],
        `${name} ${regName(r)},${operandTextBare(rm)}`,
        keep,
      ),
    ];
  }
  if (variant === 2) {
    const rm = pickRm(rng, size);
    const imm = rng.next() & (size === 32 ? 0xffffffff : (1 << size) - 1);
    return [
      step(
        [...p, size === 8 ? 0x80 : 0x81, ...modrm(op, rm), ...immBytes(imm, size)],
        `${name} ${operandText(rm)},${hex(imm)}`,
        keep,
      ),
    ];
  }
  if (variant === 3 && size !== 8) {
    const rm = pickRm(rng, size);
    const imm = rng.next() & 0xff;
    return [step([...p, 0x83, ...modrm(op, rm), imm], `${name} ${operandText(rm)},${signedHex8(imm)}`, keep)];
  }
  const imm = rng.next() & (size === 32 ? 0xffffffff : (1 << size) - 1);
  return [
    step(
      [...p, op * 8 + 4 + w(size), ...immBytes(imm, size)],
      `${name} ${regName(reg(0, size))},${hex(imm)}`,
      keep,
    ),
  ];
};

const test: Form = (rng) => {
  const size = rng.pick(SIZES);
  const p = sizePrefix(size);
  const rm = pickRm(rng, size);
  if (rng.chance(0.5)) {
    const r = pickReg(rng, size);
    return [
      step(
        [...p, 0x84 + w(size), ...modrm(r.index, rm)],
        `test ${operandTextBare(rm)},${regName(r)}`,
        KEEP_LOGIC,
      ),
    ];
  }
  const imm = rng.next() & (size === 32 ? 0xffffffff : (1 << size) - 1);
  return [
    step(
      [...p, 0xf6 + w(size), ...modrm(0, rm), ...immBytes(imm, size)],
      `test ${operandText(rm)},${hex(imm)}`,
      KEEP_LOGIC,
    ),
  ];
};

const incDec: Form = (rng) => {
  const size = rng.pick(SIZES);
  const dec = rng.below(2);
  const name = dec ? 'dec' : 'inc';
  const p = sizePrefix(size);
  if (size !== 8 && rng.chance(0.4)) {
    const r = pickReg(rng, size);
    return [step([...p, 0x40 + dec * 8 + r.index], `${name} ${regName(r)}`)];
  }
  const rm = pickRm(rng, size);
  return [step([...p, 0xfe + w(size), ...modrm(dec, rm)], `${name} ${operandText(rm)}`)];
};

/** NOT, NEG, MUL, IMUL (one operand). */
const unary: Form = (rng) => {
  const size = rng.pick(SIZES);
  const ext = rng.pick([2, 3, 4, 5]);
  const name = ['', '', 'not', 'neg', 'mul', 'imul'][ext];
  const rm = pickRm(rng, size);
  const keep = ext >= 4 ? KEEP_MUL : KEEP_ALL;
  return [step([...sizePrefix(size), 0xf6 + w(size), ...modrm(ext, rm)], `${name} ${operandText(rm)}`, keep)];
};

/** OR r/m, imm8 with a one-bit immediate: makes an operand non-zero (a guard step). */
function setBit(rm: RmOperand, rng: Prng): Step {
  const bit = 1 << rng.below(7);
  if (rm.size === 8)
    return step([0x80, ...modrm(1, rm), bit], `or ${operandText(rm)},${hex(bit)}`, KEEP_LOGIC);
  return step(
    [...sizePrefix(rm.size), 0x83, ...modrm(1, rm), bit],
    `or ${operandText(rm)},${signedHex8(bit)}`,
    KEEP_LOGIC,
  );
}

/** DIV/IDIV; usually preceded by guards that keep the quotient in range, sometimes not (#DE). */
const divide: Form = (rng) => {
  const size = rng.pick(SIZES);
  const signed = rng.below(2);
  const avoid = size === 8 ? [0, 4] : [0, 2]; // the dividend registers
  let rm: RmOperand;
  do rm = pickRm(rng, size);
  while (rm.kind === 'reg' && avoid.includes(rm.index));
  const steps: Step[] = [];
  if (rng.chance(0.85)) {
    if (signed) {
      if (size === 8) steps.push(step([0x66, 0x98], 'cbw'));
      else if (size === 16) steps.push(step([0x66, 0x99], 'cwd'));
      else steps.push(step([0x99], 'cdq'));
    } else if (size === 8) {
      steps.push(step([0x0f, 0xb6, 0xc0], 'movzx eax,al'));
    } else {
      steps.push(step([0x31, 0xd2], 'xor edx,edx', KEEP_LOGIC));
    }
    steps.push(setBit(rm, rng));
  }
  const name = signed ? 'idiv' : 'div';
  steps.push(
    step(
      [...sizePrefix(size), 0xf6 + w(size), ...modrm(6 + signed, rm)],
      `${name} ${operandText(rm)}`,
      KEEP_DIV,
    ),
  );
  return steps;
};

/** MOV CL, count: a guard step that makes a CL shift count known to the generator. */
const movCl = (count: number): Step => step([0xb1, count & 0xff], `mov cl,${hex(count & 0xff)}`);

const shift: Form = (rng) => {
  const size = rng.pick(SIZES);
  let ext = rng.below(8);
  if (ext === 6) ext = 4; // /6 is an undocumented alias of SHL; use the documented encoding
  const name = SHIFT_NAMES[ext];
  const op = name as ShiftOp;
  const p = sizePrefix(size);
  const rm = pickRm(rng, size);
  const how = rng.below(3);
  if (how === 0) {
    return [
      step(
        [...p, 0xd0 + w(size), ...modrm(ext, rm)],
        `${name} ${operandText(rm)},1`,
        shiftKeepMask(op, size, 1),
      ),
    ];
  }
  const count = shiftCount(rng);
  if (how === 1) {
    return [
      step(
        [...p, 0xc0 + w(size), ...modrm(ext, rm), count],
        `${name} ${operandText(rm)},${hex(count)}`,
        shiftKeepMask(op, size, count),
      ),
    ];
  }
  // By CL: the operand must not be CL/CX/ECX itself or the count would change with the value.
  const target = rm.kind === 'reg' && rm.index === 1 ? reg(size === 8 ? 2 : 3, size) : rm;
  return [
    movCl(count),
    step(
      [...p, 0xd2 + w(size), ...modrm(ext, target)],
      `${name} ${operandText(target)},cl`,
      shiftKeepMask(op, size, count),
    ),
  ];
};

const doubleShift: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const right = rng.below(2);
  const name = right ? 'shrd' : 'shld';
  // 16-bit counts above 16 leave the result undefined: stay at or below 16 (32/33 mask to 0/1).
  const count = size === 16 ? rng.pick([0, 1, 2, 5, 8, 15, 16, 32, 33, rng.below(17)]) : shiftCount(rng);
  const rm = pickRm(rng, size);
  const src = pickReg(rng, size);
  const keep = shiftKeepMask(name, size, count);
  const p = sizePrefix(size);
  if (rng.chance(0.5)) {
    return [
      step(
        [...p, 0x0f, 0xa4 + right * 8, ...modrm(src.index, rm), count],
        `${name} ${operandTextBare(rm)},${regName(src)},${hex(count)}`,
        keep,
      ),
    ];
  }
  const dst = rm.kind === 'reg' && rm.index === 1 ? reg(3, size) : rm;
  return [
    movCl(count),
    step(
      [...p, 0x0f, 0xa5 + right * 8, ...modrm(src.index, dst)],
      `${name} ${operandTextBare(dst)},${regName(src)},cl`,
      keep,
    ),
  ];
};

const imulForms: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const p = sizePrefix(size);
  const dst = pickReg(rng, size);
  const src = pickRm(rng, size);
  const v = rng.below(3);
  if (v === 0)
    return [
      step(
        [...p, 0x0f, 0xaf, ...modrm(dst.index, src)],
        `imul ${regName(dst)},${operandTextBare(src)}`,
        KEEP_MUL,
      ),
    ];
  if (v === 1) {
    const imm = rng.next() & 0xff;
    return [
      step(
        [...p, 0x6b, ...modrm(dst.index, src), imm],
        `imul ${regName(dst)},${operandTextBare(src)},${signedHex8(imm)}`,
        KEEP_MUL,
      ),
    ];
  }
  const imm = rng.next() & (size === 32 ? 0xffffffff : 0xffff);
  return [
    step(
      [...p, 0x69, ...modrm(dst.index, src), ...immBytes(imm, size)],
      `imul ${regName(dst)},${operandTextBare(src)},${hex(imm)}`,
      KEEP_MUL,
    ),
  ];
};

const bitTest: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const p = sizePrefix(size);
  const which = rng.below(4); // bt, bts, btr, btc
  const name = ['bt', 'bts', 'btr', 'btc'][which];
  if (rng.chance(0.5)) {
    // Register bit offset with a register base (a memory base would address far memory).
    const base = pickReg(rng, size);
    const offset = pickReg(rng, size);
    return [
      step(
        [...p, 0x0f, 0xa3 + which * 8, ...modrm(offset.index, base)],
        `${name} ${regName(base)},${regName(offset)}`,
        KEEP_BT,
      ),
    ];
  }
  const rm = pickRm(rng, size);
  const imm = rng.next() & 0xff;
  return [
    step([...p, 0x0f, 0xba, ...modrm(4 + which, rm), imm], `${name} ${operandText(rm)},${hex(imm)}`, KEEP_BT),
  ];
};

const bitScan: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const reverse = rng.below(2);
  const dst = pickReg(rng, size);
  const src = pickRm(rng, size);
  // A zero source leaves the destination undefined: make it non-zero first.
  return [
    setBit(src, rng),
    step(
      [...sizePrefix(size), 0x0f, 0xbc + reverse, ...modrm(dst.index, src)],
      `${reverse ? 'bsr' : 'bsf'} ${regName(dst)},${operandTextBare(src)}`,
      KEEP_BSF,
    ),
  ];
};

const cmov: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const cc = rng.below(16);
  const dst = pickReg(rng, size);
  const src = pickRm(rng, size);
  return [
    step(
      [...sizePrefix(size), 0x0f, 0x40 + cc, ...modrm(dst.index, src)],
      `cmov${CONDITION_NAMES[cc]} ${regName(dst)},${operandTextBare(src)}`,
    ),
  ];
};

const setcc: Form = (rng) => {
  const cc = rng.below(16);
  const rm = pickRm(rng, 8);
  return [step([0x0f, 0x90 + cc, ...modrm(0, rm)], `set${CONDITION_NAMES[cc]} ${operandTextBare(rm)}`)];
};

const exchange: Form = (rng) => {
  const size = rng.pick(SIZES);
  const p = sizePrefix(size);
  const rm = pickRm(rng, size);
  const r = pickReg(rng, size);
  const v = rng.below(4);
  if (v === 0)
    return [step([...p, 0x86 + w(size), ...modrm(r.index, rm)], `xchg ${regName(r)},${operandTextBare(rm)}`)];
  if (v === 1)
    return [
      step([...p, 0x0f, 0xc0 + w(size), ...modrm(r.index, rm)], `xadd ${operandTextBare(rm)},${regName(r)}`),
    ];
  if (v === 2 && size === 32) {
    const other = rng.pick(WORK_REGS.filter((i) => i !== 0));
    return [step([0x90 + other], `xchg eax,${regName(reg(other, 32))}`)];
  }
  const lock = rm.kind === 'mem' && rng.chance(0.3);
  return [
    step(
      [...(lock ? [0xf0] : []), ...p, 0x0f, 0xb0 + w(size), ...modrm(r.index, rm)],
      `${lock ? 'lock ' : ''}cmpxchg ${operandTextBare(rm)},${regName(r)}`,
    ),
  ];
};

const cmpxchg8b: Form = (rng) => {
  const m = mem(SCRATCH + rng.pick([0, 4, 8]), 32);
  return [step([0x0f, 0xc7, ...modrm(1, m)], `cmpxchg8b qword [${hex(m.address)}]`)];
};

const bswap: Form = (rng) => {
  const r = reg(rng.pick(WORK_REGS), 32);
  return [step([0x0f, 0xc8 + r.index], `bswap ${regName(r)}`)];
};

const extend: Form = (rng) => {
  const fromSize: Size = rng.pick([8, 16]);
  const toSize: Size = fromSize === 8 ? rng.pick([16, 32]) : 32;
  const signed = rng.below(2);
  const dst = pickReg(rng, toSize);
  const src = pickRm(rng, fromSize);
  const op = (signed ? 0xbe : 0xb6) + (fromSize === 16 ? 1 : 0);
  return [
    step(
      [...sizePrefix(toSize), 0x0f, op, ...modrm(dst.index, src)],
      `${signed ? 'movsx' : 'movzx'} ${regName(dst)},${operandText(src)}`,
    ),
  ];
};

const move: Form = (rng) => {
  const size = rng.pick(SIZES);
  const p = sizePrefix(size);
  const v = rng.below(3);
  if (v === 0) {
    const r = pickReg(rng, size);
    const imm = rng.next() & (size === 32 ? 0xffffffff : (1 << size) - 1);
    return [
      step(
        [...p, (size === 8 ? 0xb0 : 0xb8) + r.index, ...immBytes(imm, size)],
        `mov ${regName(r)},${hex(imm)}`,
      ),
    ];
  }
  const rm = pickRm(rng, size, 0.5);
  const r = pickReg(rng, size);
  if (v === 1)
    return [step([...p, 0x88 + w(size), ...modrm(r.index, rm)], `mov ${operandTextBare(rm)},${regName(r)}`)];
  return [step([...p, 0x8a + w(size), ...modrm(r.index, rm)], `mov ${regName(r)},${operandTextBare(rm)}`)];
};

/** LEA with a SIB byte: address arithmetic without a memory access. */
const lea: Form = (rng) => {
  const dst = pickReg(rng, 32);
  const base = rng.pick(WORK_REGS);
  const index = rng.pick(WORK_REGS);
  const scale = rng.below(4);
  const disp = rng.next() & 0xff;
  const scaled = `${regName(reg(index, 32))}${scale ? `*${1 << scale}` : ''}`;
  const d = (disp << 24) >> 24;
  const dispText = d < 0 ? `-${hex(-d)}` : `+${hex(d)}`;
  return [
    step(
      [0x8d, 0x44 | (dst.index << 3), (scale << 6) | (index << 3) | base, disp],
      `lea ${regName(dst)},[${regName(reg(base, 32))}+${scaled}${dispText}]`,
    ),
  ];
};

const misc: Form = (rng) => {
  const table: [number[], string][] = [
    [[0x66, 0x98], 'cbw'],
    [[0x98], 'cwde'],
    [[0x66, 0x99], 'cwd'],
    [[0x99], 'cdq'],
    [[0xf8], 'clc'],
    [[0xf9], 'stc'],
    [[0xf5], 'cmc'],
    [[0x9f], 'lahf'],
    [[0x9e], 'sahf'],
  ];
  const [bytes, text] = rng.pick(table);
  return [step(bytes, text)];
};

const bcd: Form = (rng) => {
  const v = rng.below(6);
  if (v === 0) return [step([0x27], 'daa', KEEP_DAA)];
  if (v === 1) return [step([0x2f], 'das', KEEP_DAA)];
  if (v === 2) return [step([0x37], 'aaa', KEEP_AAA)];
  if (v === 3) return [step([0x3f], 'aas', KEEP_AAA)];
  const base = rng.pick([10, 10, 16, 7, 255, 0]);
  const name = v === 4 ? 'aam' : 'aad';
  // AAM 0 raises #DE: the exception record is compared like any other step.
  return [step([v === 4 ? 0xd4 : 0xd5, base], base === 10 ? name : `${name} ${hex(base)}`, KEEP_AAM)];
};

/** A conditional jump over the next step (short or near); taken or not depends on the flags. */
const jcc: Form = (rng) => {
  const cc = rng.below(16);
  const near = rng.chance(0.3);
  return [
    {
      bytes: [],
      text: `j${CONDITION_NAMES[cc]}${near ? ' near' : ''} (over the next step)`,
      keep: KEEP_ALL,
      skip: { cc, near },
    },
  ];
};

/** INTO (#OF when OF is set) and BOUND (#BR when out of the bounds in scratch memory). */
const traps: Form = (rng) => {
  if (rng.chance(0.5)) return [step([0xce], 'into')];
  const r = pickReg(rng, 32);
  const m = mem(SCRATCH + rng.pick([0, 4, 8]), 32);
  return [step([0x62, ...modrm(r.index, m)], `bound ${regName(r)},[${hex(m.address)}]`)];
};

/**
 * String instructions with guard steps that point ESI/EDI into the scratch area, set ECX and the
 * direction flag so every access stays inside the 16 dumped scratch bytes.
 */
const STRING_OPS = [
  { name: 'movs', op: 0xa4, src: true, dst: true, compares: false },
  { name: 'cmps', op: 0xa6, src: true, dst: true, compares: true },
  { name: 'stos', op: 0xaa, src: false, dst: true, compares: false },
  { name: 'lods', op: 0xac, src: true, dst: false, compares: false },
  { name: 'scas', op: 0xae, src: false, dst: true, compares: true },
] as const;

const stringOp: Form = (rng) => {
  const s = rng.pick(STRING_OPS);
  const size: Size = rng.pick(SIZES);
  const bytes = size / 8;
  const rep = rng.pick(['', 'rep', 'rep', 'repne'] as const);
  const backward = rng.chance(0.3);
  const elements = 16 / bytes;
  const count = rep ? rng.below(elements + 1) : 1;
  const span = Math.max(count, 1) * bytes; // bytes the instruction may touch
  // Forward: start .. start + span within 16; backward: start - span + bytes .. start + bytes.
  const start = () => (backward ? span - bytes + rng.below(16 - span + 1) : rng.below(16 - span + 1));
  const steps: Step[] = [step([backward ? 0xfd : 0xfc], backward ? 'std' : 'cld')];
  const pointer = (opcode: number, name: string) => {
    const address = SCRATCH + start();
    steps.push(step([opcode, ...le32(address)], `mov ${name},${hex(address)}`));
  };
  if (s.src) pointer(0xbe, 'esi');
  if (s.dst) pointer(0xbf, 'edi');
  if (rep) steps.push(step([0xb9, ...le32(count)], `mov ecx,${hex(count)}`));
  // A segment override applies to the DS:ESI operand only.
  const segment = s.src && rng.chance(0.2) ? rng.pick(SEGMENTS) : undefined;
  const repByte = rep === 'repne' ? 0xf2 : 0xf3;
  const repName = rep === '' ? '' : rep === 'repne' ? 'repne ' : s.compares ? 'repe ' : 'rep ';
  const suffix = size === 8 ? 'b' : size === 16 ? 'w' : 'd';
  steps.push(
    step(
      [
        ...(segment ? [SEGMENT_PREFIX[segment]] : []),
        ...(rep ? [repByte] : []),
        ...sizePrefix(size),
        s.op + w(size),
      ],
      `${segment ? `${segment} ` : ''}${repName}${s.name}${suffix}`,
    ),
  );
  return steps;
};

/**
 * Stack forms. Every sequence starts on an empty stack (ESP = the prologue's stack top) and the
 * records show ESP, so pushes and pops need not balance; they stay within a few hundred bytes.
 */
const stack: Form = (rng) => {
  const v = rng.below(7);
  if (v === 0) {
    const size: Size = rng.pick([16, 32]);
    const r = pickReg(rng, size);
    return rng.chance(0.5)
      ? [step([...sizePrefix(size), 0x50 + r.index], `push ${regName(r)}`)]
      : [step([...sizePrefix(size), 0x58 + r.index], `pop ${regName(r)}`)];
  }
  if (v === 1) return [step([0x60], 'pusha')]; // ndisasm's spelling of PUSHAD / POPAD
  if (v === 2) return [step([0x61], 'popa')];
  if (v === 3) {
    // CALL to the next instruction and POP: the return address lands in a register.
    const r = pickReg(rng, 32);
    return [step([0xe8, 0, 0, 0, 0], 'call $+5'), step([0x58 + r.index], `pop ${regName(r)}`)];
  }
  if (v === 4) {
    // ENTER with a nesting level: EBP first points into the stack so the frame copies read it.
    const size = rng.below(64);
    const level = rng.below(4);
    return [
      step([0x89, 0xe5], 'mov ebp,esp'),
      step([0xc8, size, 0, level], `enter ${hex(size)},${hex(level)}`),
    ];
  }
  if (v === 5) {
    // LEAVE from an EBP a little above ESP.
    const disp = rng.below(8) * 4;
    return [step([0x8d, 0x6c, 0x24, disp], `lea ebp,[esp+${hex(disp)}]`), step([0xc9], 'leave')];
  }
  // POPFD of a pushed value with only the status flags and DF kept (TF, IF, NT... stay clear).
  return [
    step([0x81, 0x24, 0x24, ...le32(0x8d5 | 0x400)], 'and dword [esp],0xcd5', KEEP_LOGIC),
    step([0x9d], 'popf'),
  ];
};

/** PUSH then POP (registers, immediates, memory, EFLAGS). */
const pushPop: Form = (rng) => {
  const v = rng.below(4);
  let push: Step;
  if (v === 0) {
    const r = pickReg(rng, 32);
    push = step([0x50 + r.index], `push ${regName(r)}`);
  } else if (v === 1) {
    const imm = rng.next();
    push = rng.chance(0.5)
      ? step([0x6a, imm & 0xff], `push ${signedHex8(imm)}`)
      : step([0x68, ...le32(imm)], `push ${hex(imm)}`);
  } else if (v === 2) {
    const m = pickMem(rng, 32);
    push = step([0xff, ...modrm(6, m)], `push dword ${operandTextBare(m)}`);
  } else {
    push = step([0x9c], 'pushf'); // ndisasm's spelling of PUSHFD
  }
  if (rng.chance(0.3)) {
    const m = pickMem(rng, 32);
    return [push, step([0x8f, ...modrm(0, m)], `pop dword ${operandTextBare(m)}`)];
  }
  const r = pickReg(rng, 32);
  return [push, step([0x58 + r.index], `pop ${regName(r)}`)];
};

/** BT/BTS/BTR/BTC on memory with a register bit offset (bit-string addressing), kept in scratch. */
const bitString: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const which = rng.below(4);
  const name = ['bt', 'bts', 'btr', 'btc'][which];
  const r = pickReg(rng, size);
  // Base at SCRATCH + 8; offsets -64 .. +63 bits address SCRATCH .. SCRATCH + 15.
  const offset = rng.below(128) - 64;
  const m = mem(SCRATCH + 8, size);
  return [
    step([0xb8 + r.index, ...le32(offset)], `mov ${regName(reg(r.index, 32))},${hex(offset)}`),
    step(
      [...sizePrefix(size), 0x0f, 0xa3 + which * 8, ...modrm(r.index, m)],
      `${name} ${operandTextBare(m)},${regName(r)}`,
      KEEP_BT,
    ),
  ];
};

/** The forms and their relative weights. */
export const FORMS: readonly { readonly name: string; readonly weight: number; readonly make: Form }[] = [
  { name: 'alu', weight: 20, make: alu },
  { name: 'test', weight: 3, make: test },
  { name: 'inc/dec', weight: 4, make: incDec },
  { name: 'not/neg/mul/imul', weight: 6, make: unary },
  { name: 'div/idiv', weight: 4, make: divide },
  { name: 'shift/rotate', weight: 12, make: shift },
  { name: 'shld/shrd', weight: 4, make: doubleShift },
  { name: 'imul', weight: 3, make: imulForms },
  { name: 'bt*', weight: 4, make: bitTest },
  { name: 'bsf/bsr', weight: 3, make: bitScan },
  { name: 'cmovcc', weight: 4, make: cmov },
  { name: 'setcc', weight: 3, make: setcc },
  { name: 'xchg/xadd/cmpxchg', weight: 5, make: exchange },
  { name: 'cmpxchg8b', weight: 1, make: cmpxchg8b },
  { name: 'bswap', weight: 1, make: bswap },
  { name: 'movzx/movsx', weight: 2, make: extend },
  { name: 'mov', weight: 3, make: move },
  { name: 'lea', weight: 2, make: lea },
  { name: 'flags/convert', weight: 3, make: misc },
  { name: 'bcd', weight: 4, make: bcd },
  { name: 'jcc', weight: 4, make: jcc },
  { name: 'into/bound', weight: 1, make: traps },
  { name: 'string', weight: 5, make: stringOp },
  { name: 'push/pop', weight: 3, make: pushPop },
  { name: 'stack', weight: 4, make: stack },
  { name: 'bt* bit string', weight: 2, make: bitString },
];

const TOTAL_WEIGHT = FORMS.reduce((sum, f) => sum + f.weight, 0);

/** Draw one form (which may return guard steps before the instruction itself). */
export function randomInstruction(rng: Prng): Step[] {
  let r = rng.below(TOTAL_WEIGHT);
  for (const form of FORMS) {
    if (r < form.weight) {
      addressGuards = [];
      const steps = form.make(rng);
      const guards = addressGuards;
      addressGuards = [];
      return [...guards, ...steps];
    }
    r -= form.weight;
  }
  throw new Error('unreachable: weights do not add up');
}

export { le32 };
