import { KEEP_BSF, KEEP_BT } from '../../sdm/undefined-flags.js';
import {
  hex,
  le32,
  mem,
  modrm,
  operandText,
  operandTextBare,
  reg,
  regName,
  type Size,
  sizePrefix,
} from '../encoder.js';
import { type Form, pickReg, pickRm, SCRATCH, setBit, step } from '../operands.js';

/** BT/BTS/BTR/BTC (register, immediate, bit-string memory) and BSF/BSR. */

export const bitTest: Form = (rng) => {
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

export const bitScan: Form = (rng) => {
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

/** BT/BTS/BTR/BTC on memory with a register bit offset (bit-string addressing), kept in scratch. */
export const bitString: Form = (rng) => {
  const size: Size = rng.pick([16, 32]);
  const which = rng.below(4);
  const name = ['bt', 'bts', 'btr', 'btc'][which];
  const r = pickReg(rng, size);
  // Base at SCRATCH + 8; offsets -64 .. +63 bits address SCRATCH .. SCRATCH + 15.
  const offset = rng.below(128) - 64;
  const m = mem(SCRATCH + 8, size);
  return [
    step(
      [...sizePrefix(32), 0xb8 + r.index, ...le32(offset)],
      `mov ${regName(reg(r.index, 32))},${hex(offset)}`,
    ),
    step(
      [...sizePrefix(size), 0x0f, 0xa3 + which * 8, ...modrm(r.index, m)],
      `${name} ${operandTextBare(m)},${regName(r)}`,
      KEEP_BT,
    ),
  ];
};
