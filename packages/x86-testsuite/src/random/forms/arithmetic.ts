import {
  KEEP_AAA,
  KEEP_AAM,
  KEEP_ALL,
  KEEP_DAA,
  KEEP_DIV,
  KEEP_LOGIC,
  KEEP_MUL,
} from '../../sdm/undefined-flags.js';
import {
  hex,
  immBytes,
  modrm,
  operandText,
  operandTextBare,
  type RmOperand,
  reg,
  regName,
  type Size,
  signedHex8,
  sizePrefix,
} from '../encoder.js';
import { type Form, pickReg, pickRm, SIZES, setBit, step, w } from '../operands.js';
import type { Step } from '../step.js';

/** ALU, TEST, INC/DEC, NOT/NEG/MUL/IMUL/DIV/IDIV (with guards), flag and convert instructions, BCD. */

const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;

export const alu: Form = (rng) => {
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

export const test: Form = (rng) => {
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

export const incDec: Form = (rng) => {
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
export const unary: Form = (rng) => {
  const size = rng.pick(SIZES);
  const ext = rng.pick([2, 3, 4, 5]);
  const name = ['', '', 'not', 'neg', 'mul', 'imul'][ext];
  const rm = pickRm(rng, size);
  const keep = ext >= 4 ? KEEP_MUL : KEEP_ALL;
  return [step([...sizePrefix(size), 0xf6 + w(size), ...modrm(ext, rm)], `${name} ${operandText(rm)}`, keep)];
};

/** DIV/IDIV; usually preceded by guards that keep the quotient in range, sometimes not (#DE). */
export const divide: Form = (rng) => {
  const size = rng.pick(SIZES);
  const signed = rng.below(2);
  const avoid = size === 8 ? [0, 4] : [0, 2]; // the dividend registers
  let rm: RmOperand;
  do rm = pickRm(rng, size);
  while (rm.kind === 'reg' && avoid.includes(rm.index));
  const steps: Step[] = [];
  if (rng.chance(0.85)) {
    if (signed) {
      if (size === 8) steps.push(step([...sizePrefix(16), 0x98], 'cbw'));
      else if (size === 16) steps.push(step([...sizePrefix(16), 0x99], 'cwd'));
      else steps.push(step([...sizePrefix(32), 0x99], 'cdq'));
    } else if (size === 8) {
      steps.push(step([...sizePrefix(32), 0x0f, 0xb6, 0xc0], 'movzx eax,al'));
    } else {
      steps.push(step([...sizePrefix(32), 0x31, 0xd2], 'xor edx,edx', KEEP_LOGIC));
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

export const imulForms: Form = (rng) => {
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

export const misc: Form = (rng) => {
  const table: [number[], string][] = [
    [[...sizePrefix(16), 0x98], 'cbw'],
    [[...sizePrefix(32), 0x98], 'cwde'],
    [[...sizePrefix(16), 0x99], 'cwd'],
    [[...sizePrefix(32), 0x99], 'cdq'],
    [[0xf8], 'clc'],
    [[0xf9], 'stc'],
    [[0xf5], 'cmc'],
    [[0x9f], 'lahf'],
    [[0x9e], 'sahf'],
  ];
  const [bytes, text] = rng.pick(table);
  return [step(bytes, text)];
};

export const bcd: Form = (rng) => {
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
