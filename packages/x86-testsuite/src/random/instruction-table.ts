import { alu, bcd, divide, imulForms, incDec, misc, test, unary } from './forms/arithmetic.js';
import { bitScan, bitString, bitTest } from './forms/bits.js';
import { jcc, traps } from './forms/control.js';
import { bswap, cmov, cmpxchg8b, exchange, extend, lea, move, setcc } from './forms/data.js';
import { mmx } from './forms/mmx.js';
import { doubleShift, shift } from './forms/shifts.js';
import { pushPop, stack } from './forms/stack.js';
import { runawayString, stringOp } from './forms/strings.js';
import { type Form, takeAddressGuards } from './operands.js';
import type { Prng } from './prng.js';
import type { Step } from './step.js';

/**
 * The instruction forms the randomized test draws from: the i686 integer groups and MMX, each with its
 * encoding, its ndisasm-style text and the flags the SDM defines after it. Some forms emit
 * "guard" steps first (a known shift count in CL, a non-zero divisor, a non-zero BSF source) so
 * that every compared bit is architecturally defined; the guards are ordinary steps and are
 * compared too.
 */

export { SCRATCH } from './operands.js';

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
  { name: 'string into an unmapped page', weight: 1, make: runawayString },
  { name: 'push/pop', weight: 3, make: pushPop },
  { name: 'stack', weight: 4, make: stack },
  { name: 'bt* bit string', weight: 2, make: bitString },
  { name: 'mmx', weight: 8, make: mmx },
];

const TOTAL_WEIGHT = FORMS.reduce((sum, f) => sum + f.weight, 0);

/** Draw one form (which may return guard steps before the instruction itself). */
export function randomInstruction(rng: Prng): Step[] {
  let r = rng.below(TOTAL_WEIGHT);
  for (const form of FORMS) {
    if (r < form.weight) {
      takeAddressGuards();
      const steps = form.make(rng);
      return [...takeAddressGuards(), ...steps];
    }
    r -= form.weight;
  }
  throw new Error('unreachable: weights do not add up');
}
