/**
 * FLD/FST m32 and m64. Loads are exact (SNaN → IE and quietened, denormal → DE). Stores round
 * once from 80 bits straight to the target format by FCW.RC (precision control does not apply),
 * with the target's denormals, underflow and overflow; unsupported → IE and the target's
 * indefinite; SNaN → IE and quietened, NaN significands truncated.
 */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** FLD m32real from its bit pattern (u32). */
export function f80FromFloat32(bits: number, env: Float80Env): RawExtended {
  return notImplemented(`f80FromFloat32(${bits},${env.rc})`);
}

/** FLD m64real from its halves (hi = bits 63..32, lo = bits 31..0). */
export function f80FromFloat64(hi: number, lo: number, env: Float80Env): RawExtended {
  return notImplemented(`f80FromFloat64(${hi},${lo},${env.rc})`);
}

/** FST m32real: the bit pattern (u32) to store. */
export function f80ToFloat32(a: RawExtended, env: Float80Env): number {
  return notImplemented(`f80ToFloat32(${a.signExp},${env.rc})`);
}

/** FST m64real: the halves to store. */
export function f80ToFloat64(a: RawExtended, env: Float80Env): { hi: number; lo: number } {
  return notImplemented(`f80ToFloat64(${a.signExp},${env.rc})`);
}
