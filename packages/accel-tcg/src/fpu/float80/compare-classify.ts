/** FCOM/FUCOM/FCOMI/FTST comparisons and FXAM classification. */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** Comparison outcome. FCOM maps it to C3 C2 C0 = 000/001/100/111, FCOMI to ZF PF CF. */
export const enum F80Order {
  Greater = 0,
  Less = 1,
  Equal = 2,
  Unordered = 3,
}

/**
 * Compare a with b. `signalling` (FCOM, FICOM, FTST, FCOMI) raises IE for any NaN; quiet
 * (FUCOM, FUCOMI) only for SNaNs. Unsupported encodings always raise IE; denormals raise DE.
 * +0 equals -0.
 */
export function f80Compare(a: RawExtended, b: RawExtended, signalling: boolean, env: Float80Env): F80Order {
  return notImplemented(`f80Compare(${a.signExp},${b.signExp},${signalling},${env.rc})`);
}

/**
 * FXAM condition bits for a non-empty register: the FSW bits C3|C2|C1|C0 (C1 = sign).
 * Unsupported 000, NaN 001, normal 010, infinity 011, zero 100, denormal 110 (C3 C2 C0);
 * the empty class (101) is the caller's, since it needs the tag.
 */
export function f80Examine(a: RawExtended): number {
  return notImplemented(`f80Examine(${a.signExp})`);
}
