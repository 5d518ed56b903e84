/** FRNDINT, FSCALE and FXTRACT: exponent and integer manipulation (64-bit precision always). */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** FRNDINT: round to an integer by FCW.RC (PE when inexact). */
export function f80RoundToInt(a: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80RoundToInt(${a.signExp},${env.rc})`);
}

/** FSCALE: a × 2^trunc(b), with the SDM's FSCALE table for zeros and infinities. */
export function f80Scale(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Scale(${a.signExp},${b.signExp},${env.rc})`);
}

export interface ExtractResult {
  /** The unbiased exponent as a value (goes to ST(1) after the push). */
  exponent: RawExtended;
  /** The significand with exponent 0x3fff and a's sign (the new ST(0)). */
  significand: RawExtended;
}

/** FXTRACT: ±0 → ZE, exponent -inf, significand ±0; ±inf → +inf and ±inf. */
export function f80Extract(a: RawExtended, env: Float80Env): ExtractResult {
  return notImplemented(`f80Extract(${a.signExp},${env.rc})`);
}
