/** FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ: constants correctly rounded by FCW.RC. */
import { FRAC, ln2Fixed, ln10Fixed, piFixed } from './bigconst.js';
import { envFromFcw } from './env.js';
import { roundPack } from './round.js';
import { POS_ONE, type RawExtended, raw } from './values.js';

export const enum F80Const {
  One = 0,
  Log2Ten = 1,
  Log2E = 2,
  Pi = 3,
  Log10Two = 4,
  LnTwo = 5,
  Zero = 6,
}

/** The constant × 2^FRAC (truncated). */
function fixedValue(which: F80Const): bigint {
  const one = 1n << BigInt(FRAC);
  switch (which) {
    case F80Const.Log2Ten:
      return (ln10Fixed() << BigInt(FRAC)) / ln2Fixed();
    case F80Const.Log2E:
      return (one << BigInt(FRAC)) / ln2Fixed();
    case F80Const.Pi:
      return piFixed();
    case F80Const.Log10Two:
      return (ln2Fixed() << BigInt(FRAC)) / ln10Fixed();
    default:
      return ln2Fixed();
  }
}

/**
 * The constant rounded to 64 bits by `rc`. The irrational ones are correctly rounded from
 * 384 bits, which matches the hardware's rounding of its internal 66-bit values (the bits
 * beyond 66 never change the direction for these five constants; the tests check the bits).
 */
export function f80Constant(which: F80Const, rc: number): RawExtended {
  if (which === F80Const.One) return { ...POS_ONE };
  if (which === F80Const.Zero) return raw(0, 0, 0);
  // The rounding itself is exact apart from PE, which the constant loads do not report.
  const env = envFromFcw(0x037f | ((rc & 3) << 10));
  return roundPack(0, fixedValue(which), -FRAC, true, env, 64);
}
