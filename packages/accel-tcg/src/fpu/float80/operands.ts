/**
 * Operand screening shared by the arithmetic operations: unsupported encodings and SNaNs raise
 * IE, NaNs propagate by the x87 rule of SDM Vol. 1 Table 4-7, denormal operands raise DE.
 */
import { Fsw } from '../fpu-state.js';
import type { Float80Env } from './env.js';
import { classify, F80Class, indefinite, quietNaN, type RawExtended } from './values.js';

/**
 * The x87 result for NaN operands (at least one of a, b is a NaN; b may be omitted):
 * SNaN+QNaN → the QNaN; two SNaNs or two QNaNs → the larger significand (equal: the positive
 * one), quietened; SNaN+number → the SNaN quietened; QNaN+number → the QNaN. SNaNs raise IE.
 */
export function propagateNaN(a: RawExtended, b: RawExtended | undefined, env: Float80Env): RawExtended {
  const aNaN = classify(a) === F80Class.NaN;
  const bNaN = b !== undefined && classify(b) === F80Class.NaN;
  const aSignalling = aNaN && (a.hi & 0x40000000) === 0;
  const bSignalling = bNaN && b !== undefined && (b.hi & 0x40000000) === 0;
  if (aSignalling || bSignalling) env.flags |= Fsw.IE;
  if (aNaN && bNaN && b !== undefined) {
    if (aSignalling !== bSignalling) return quietNaN(aSignalling ? b : a);
    const order = a.hi !== b.hi ? a.hi - b.hi : a.lo - b.lo;
    if (order !== 0) return quietNaN(order > 0 ? a : b);
    return quietNaN((a.signExp & 0x8000) === 0 ? a : b);
  }
  return quietNaN(aNaN ? a : (b as RawExtended));
}

/** The masked invalid-operation response: IE and the real indefinite. */
export function invalid(env: Float80Env): RawExtended {
  env.flags |= Fsw.IE;
  return indefinite();
}

/**
 * Screen operands: returns the result when it is decided by an unsupported encoding (IE,
 * indefinite) or a NaN (propagated), otherwise undefined. Does not raise DE (callers do, after
 * their own invalid/zero-divide checks, which take precedence; SDM §4.9.2).
 */
export function screenOperands(
  a: RawExtended,
  b: RawExtended | undefined,
  env: Float80Env,
): RawExtended | undefined {
  const ca = classify(a);
  const cb = b === undefined ? F80Class.Normal : classify(b);
  if (ca === F80Class.Unsupported || cb === F80Class.Unsupported) return invalid(env);
  if (ca === F80Class.NaN || cb === F80Class.NaN) return propagateNaN(a, b, env);
  return undefined;
}

/** Raise DE if any operand is a denormal or pseudo-denormal. */
export function denormalCheck(env: Float80Env, a: RawExtended, b?: RawExtended): void {
  if (classify(a) === F80Class.Denormal || (b !== undefined && classify(b) === F80Class.Denormal)) {
    env.flags |= Fsw.DE;
  }
}

/** An unmasked IE/DE/ZE is pending: the operation must stop before producing OE/UE/PE. */
export function stopped(env: Float80Env): boolean {
  return (env.flags & ~env.masks & (Fsw.IE | Fsw.DE | Fsw.ZE)) !== 0;
}
