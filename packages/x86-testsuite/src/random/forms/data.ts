import {
  addr32Prefix,
  CONDITION_NAMES,
  hex,
  immBytes,
  mem,
  modrm,
  operandText,
  operandTextBare,
  reg,
  regName,
  type Size,
  sizePrefix,
} from '../encoder.js';
import { type Form, pickReg, pickRm, SCRATCH, SIZES, step, WORK_REGS, w } from '../operands.js';

/** Data movement: CMOVcc, SETcc, XCHG/XADD/CMPXCHG, CMPXCHG8B, BSWAP, MOVZX/MOVSX, MOV, LEA. */

export const cmov: Form = (rng) => {
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

export const setcc: Form = (rng) => {
  const cc = rng.below(16);
  const rm = pickRm(rng, 8);
  return [step([0x0f, 0x90 + cc, ...modrm(0, rm)], `set${CONDITION_NAMES[cc]} ${operandTextBare(rm)}`)];
};

export const exchange: Form = (rng) => {
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
    return [step([...sizePrefix(32), 0x90 + other], `xchg eax,${regName(reg(other, 32))}`)];
  }
  const lock = rm.kind === 'mem' && rng.chance(0.3);
  return [
    step(
      [...(lock ? [0xf0] : []), ...p, 0x0f, 0xb0 + w(size), ...modrm(r.index, rm)],
      `${lock ? 'lock ' : ''}cmpxchg ${operandTextBare(rm)},${regName(r)}`,
    ),
  ];
};

export const cmpxchg8b: Form = (rng) => {
  const m = mem(SCRATCH + rng.pick([0, 4, 8]), 32);
  return [step([0x0f, 0xc7, ...modrm(1, m)], `cmpxchg8b qword [${hex(m.address)}]`)];
};

export const bswap: Form = (rng) => {
  const r = reg(rng.pick(WORK_REGS), 32);
  return [step([...sizePrefix(32), 0x0f, 0xc8 + r.index], `bswap ${regName(r)}`)];
};

export const extend: Form = (rng) => {
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

export const move: Form = (rng) => {
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
export const lea: Form = (rng) => {
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
      [
        ...sizePrefix(32),
        ...addr32Prefix(),
        0x8d,
        0x44 | (dst.index << 3),
        (scale << 6) | (index << 3) | base,
        disp,
      ],
      `lea ${regName(dst)},[${regName(reg(base, 32))}+${scaled}${dispText}]`,
    ),
  ];
};
