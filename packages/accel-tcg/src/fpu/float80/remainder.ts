/**
 * FPREM (truncating quotient) and FPREM1 (IEEE, round-to-nearest quotient). When the exponent
 * difference is 64 or more only a partial reduction is done (C2 = 1): the quotient is taken by
 * 2^(D-N) with N = 32 + (D mod 32) as AMD's manuals specify and Intel hardware follows.
 */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

export interface RemainderResult {
  value: RawExtended;
  /** Low three quotient bits Q2 Q1 Q0 (FSW C0 = Q2, C3 = Q1, C1 = Q0); 0 when incomplete. */
  quotient: number;
  /** Partial remainder (FSW C2). */
  incomplete: boolean;
}

/** FPREM: ST(0) rem ST(1) with a truncated quotient. */
export function f80Prem(a: RawExtended, b: RawExtended, env: Float80Env): RemainderResult {
  return notImplemented(`f80Prem(${a.signExp},${b.signExp},${env.rc})`);
}

/** FPREM1: IEEE remainder (quotient rounded to nearest even). */
export function f80Prem1(a: RawExtended, b: RawExtended, env: Float80Env): RemainderResult {
  return notImplemented(`f80Prem1(${a.signExp},${b.signExp},${env.rc})`);
}
