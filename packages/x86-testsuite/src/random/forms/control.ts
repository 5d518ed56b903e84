import { KEEP_ALL } from '../../sdm/undefined-flags.js';
import { CONDITION_NAMES, hex, mem, modrm, regName, sizePrefix } from '../encoder.js';
import { type Form, pickReg, SCRATCH, step } from '../operands.js';

/** Jcc over the next group, INTO and BOUND. */

/** A conditional jump over the next step (short or near); taken or not depends on the flags. */
export const jcc: Form = (rng) => {
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
export const traps: Form = (rng) => {
  if (rng.chance(0.5)) return [step([0xce], 'into')];
  const r = pickReg(rng, 32);
  const m = mem(SCRATCH + rng.pick([0, 4, 8]), 32);
  return [step([...sizePrefix(32), 0x62, ...modrm(r.index, m)], `bound ${regName(r)},[${hex(m.address)}]`)];
};
