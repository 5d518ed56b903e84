/**
 * FSIN/FCOS/FSINCOS/FPTAN/FPATAN/F2XM1/FYL2X/FYL2XP1. Evaluated in BigInt multiprecision
 * (argument reduction against a long π) and rounded once to 64 bits by FCW.RC.
 */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

export interface TrigResult {
  value: RawExtended;
  /** |x| ≥ 2^63: FSW.C2 = 1 and ST(0) is left unchanged (value is a itself), no flags. */
  outOfRange: boolean;
}

export function f80Sin(a: RawExtended, env: Float80Env): TrigResult {
  return notImplemented(`f80Sin(${a.signExp},${env.rc})`);
}
export function f80Cos(a: RawExtended, env: Float80Env): TrigResult {
  return notImplemented(`f80Cos(${a.signExp},${env.rc})`);
}
export function f80SinCos(
  a: RawExtended,
  env: Float80Env,
): { sin: RawExtended; cos: RawExtended; outOfRange: boolean } {
  return notImplemented(`f80SinCos(${a.signExp},${env.rc})`);
}
/** FPTAN's tangent (the caller then pushes +1.0). */
export function f80Tan(a: RawExtended, env: Float80Env): TrigResult {
  return notImplemented(`f80Tan(${a.signExp},${env.rc})`);
}
/** FPATAN: atan2(y = ST(1), x = ST(0)) with the SDM's quadrant table. */
export function f80Atan2(y: RawExtended, x: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Atan2(${y.signExp},${x.signExp},${env.rc})`);
}
/** F2XM1: 2^x - 1 (defined by the SDM for -1 ≤ x ≤ 1; computed exactly-rounded beyond too). */
export function f80TwoToXMinus1(a: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80TwoToXMinus1(${a.signExp},${env.rc})`);
}
/** FYL2X: y × log2(x), y = ST(1), x = ST(0). */
export function f80YLog2X(y: RawExtended, x: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80YLog2X(${y.signExp},${x.signExp},${env.rc})`);
}
/** FYL2XP1: y × log2(x + 1). */
export function f80YLog2XP1(y: RawExtended, x: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80YLog2XP1(${y.signExp},${x.signExp},${env.rc})`);
}
