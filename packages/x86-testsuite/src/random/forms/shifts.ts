import { type ShiftOp, shiftKeepMask } from '../../sdm/undefined-flags.js';
import { hex, modrm, operandText, operandTextBare, reg, regName, type Size, sizePrefix } from '../encoder.js';
import { type Form, pickReg, pickRm, SIZES, step, w } from '../operands.js';
import type { Prng } from '../prng.js';
import type { Step } from '../step.js';

/** Shifts and rotates by 1, by an immediate and by CL (with a guard that fixes CL), SHLD/SHRD. */

const SHIFT_NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;

/** Shift counts around every boundary, plus random ones. */
function shiftCount(rng: Prng, max = 255): number {
  const counts = [0, 1, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33];
  return rng.chance(0.8) ? Math.min(rng.pick(counts), max) : rng.below(max + 1);
}

/** MOV CL, count: a guard step that makes a CL shift count known to the generator. */
const movCl = (count: number): Step => step([0xb1, count & 0xff], `mov cl,${hex(count & 0xff)}`);

export const shift: Form = (rng) => {
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

export const doubleShift: Form = (rng) => {
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
