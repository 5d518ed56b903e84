import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import type { RawExtended } from '../../fpu/fpu-state.js';
import { Entry, enter } from './guard.js';
import { pushChecked, setC1 } from './stack.js';

// FLD1, FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2, FLDZ (D9 E8-EE). The processor holds the
// irrational constants to 66 bits and rounds them to 64 by the rounding control (never by the
// precision control): SDM Vol. 1 §8.3.8. Below, each constant's significand rounded to nearest,
// and whether rounding down/toward zero gives one ulp less (bits beyond 64 above one half)
// or rounding up gives one more (bits below one half).

interface Constant {
  signExp: number;
  hi: number;
  /** Low significand half rounded to nearest. */
  lo: number;
  /** The 66-bit value lies below the nearest 64-bit value (round-to-nearest rounded up). */
  nearestIsUp: boolean;
  /** The value is exact in 64 bits (1.0, 0.0). */
  exact: boolean;
}

const CONSTANTS: readonly Constant[] = [
  { signExp: 0x3fff, hi: 0x80000000, lo: 0, nearestIsUp: false, exact: true }, // 1.0
  { signExp: 0x4000, hi: 0xd49a784b, lo: 0xcd1b8afe, nearestIsUp: false, exact: false }, // log2(10)
  { signExp: 0x3fff, hi: 0xb8aa3b29, lo: 0x5c17f0bc, nearestIsUp: true, exact: false }, // log2(e)
  { signExp: 0x4000, hi: 0xc90fdaa2, lo: 0x2168c235, nearestIsUp: true, exact: false }, // pi
  { signExp: 0x3ffd, hi: 0x9a209a84, lo: 0xfbcff799, nearestIsUp: true, exact: false }, // log10(2)
  { signExp: 0x3ffe, hi: 0xb17217f7, lo: 0xd1cf79ac, nearestIsUp: true, exact: false }, // ln(2)
  { signExp: 0, hi: 0, lo: 0, nearestIsUp: false, exact: true }, // +0.0
];

/** The constant for D9 E8+k under rounding control `rc` (0 nearest, 1 down, 2 up, 3 toward zero). */
export function constantValue(k: number, rc: number): RawExtended {
  const t = CONSTANTS[k];
  let lo = t.lo;
  if (!t.exact) {
    // All constants are positive: down and toward zero agree.
    if (t.nearestIsUp && (rc === 1 || rc === 3)) lo = lo - 1;
    else if (!t.nearestIsUp && rc === 2) lo = lo + 1;
  }
  return { signExp: t.signExp, hi: t.hi, lo: lo >>> 0 };
}

/** D9 E8-EE: push a constant. */
export function opFldConstant(c: Cpu, i: Insn): void {
  enter(c, i, Entry.Data);
  const rc = (c.fpu.fcw >> 10) & 3;
  setC1(c, false);
  pushChecked(c, constantValue(i.rm, rc));
}
