/** FLD1/FLDL2T/FLDL2E/FLDPI/FLDLG2/FLDLN2/FLDZ: constants correctly rounded by FCW.RC. */
import { notImplemented } from './api-stub.js';
import type { RawExtended } from './values.js';

export const enum F80Const {
  One = 0,
  Log2Ten = 1,
  Log2E = 2,
  Pi = 3,
  Log10Two = 4,
  LnTwo = 5,
  Zero = 6,
}

/** The constant rounded to 64 bits by `rc` (real hardware rounds its internal 66-bit value). */
export function f80Constant(which: F80Const, rc: number): RawExtended {
  return notImplemented(`f80Constant(${which},${rc})`);
}
