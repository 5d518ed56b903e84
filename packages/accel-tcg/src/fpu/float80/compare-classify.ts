/** FCOM/FUCOM/FCOMI/FTST comparisons and FXAM classification. */
import { Fsw } from '../fpu-state.js';
import type { Float80Env } from './env.js';
import { denormalCheck } from './operands.js';
import { classify, F80Class, type RawExtended, signOf } from './values.js';

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
  const ca = classify(a);
  const cb = classify(b);
  if (ca === F80Class.Unsupported || cb === F80Class.Unsupported) {
    env.flags |= Fsw.IE;
    return F80Order.Unordered;
  }
  if (ca === F80Class.NaN || cb === F80Class.NaN) {
    const snan =
      (ca === F80Class.NaN && (a.hi & 0x40000000) === 0) ||
      (cb === F80Class.NaN && (b.hi & 0x40000000) === 0);
    if (signalling || snan) env.flags |= Fsw.IE;
    return F80Order.Unordered;
  }
  denormalCheck(env, a, b);
  if (ca === F80Class.Zero && cb === F80Class.Zero) return F80Order.Equal;
  const sa = signOf(a);
  const sb = signOf(b);
  if (ca === F80Class.Zero) return sb ? F80Order.Greater : F80Order.Less;
  if (cb === F80Class.Zero) return sa ? F80Order.Less : F80Order.Greater;
  if (sa !== sb) return sa ? F80Order.Less : F80Order.Greater;
  const m = compareMagnitude(a, b);
  if (m === 0) return F80Order.Equal;
  return m > 0 !== (sa === 1) ? F80Order.Greater : F80Order.Less;
}

/**
 * |a| vs |b| for supported non-NaN encodings: (effective exponent, significand) compare
 * lexicographically, since pseudo-denormals share exponent 1 with denormals and every other
 * supported value has its integer bit set.
 */
export function compareMagnitude(a: RawExtended, b: RawExtended): number {
  const ea = Math.max(a.signExp & 0x7fff, 1);
  const eb = Math.max(b.signExp & 0x7fff, 1);
  if (ea !== eb) return ea - eb;
  if (a.hi !== b.hi) return a.hi - b.hi;
  return a.lo - b.lo;
}

const FXAM_BITS: Record<F80Class, number> = {
  [F80Class.Unsupported]: 0,
  [F80Class.NaN]: Fsw.C0,
  [F80Class.Normal]: Fsw.C2,
  [F80Class.Infinity]: Fsw.C2 | Fsw.C0,
  [F80Class.Zero]: Fsw.C3,
  [F80Class.Denormal]: Fsw.C3 | Fsw.C2,
};

/**
 * FXAM condition bits for a non-empty register: the FSW bits C3|C2|C1|C0 (C1 = sign).
 * Unsupported 000, NaN 001, normal 010, infinity 011, zero 100, denormal 110 (C3 C2 C0);
 * the empty class (101) is the caller's, since it needs the tag.
 */
export function f80Examine(a: RawExtended): number {
  return FXAM_BITS[classify(a)] | (signOf(a) ? Fsw.C1 : 0);
}
