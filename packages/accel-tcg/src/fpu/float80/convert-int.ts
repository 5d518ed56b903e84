/** FILD/FIST(P) conversions (integers are exact in 64 bits; stores round by FCW.RC). */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** FILD m16/m32: a signed integer (any JS integer in int32 range). Exact. */
export function f80FromInt32(n: number): RawExtended {
  return notImplemented(`f80FromInt32(${n})`);
}

/** FILD m64: two's complement halves (hi, lo as 32-bit values). Exact. */
export function f80FromInt64(hi: number, lo: number): RawExtended {
  return notImplemented(`f80FromInt64(${hi},${lo})`);
}

/** FIST m16: signed result; out of range, NaN, inf, unsupported → IE and -32768 (indefinite). */
export function f80ToInt16(a: RawExtended, env: Float80Env): number {
  return notImplemented(`f80ToInt16(${a.signExp},${env.rc})`);
}

/** FIST m32: signed result; overflow/NaN → IE and -2^31 (the integer indefinite). */
export function f80ToInt32(a: RawExtended, env: Float80Env): number {
  return notImplemented(`f80ToInt32(${a.signExp},${env.rc})`);
}

/** FISTP m64: two's complement halves; overflow/NaN → IE and 0x80000000_00000000. */
export function f80ToInt64(a: RawExtended, env: Float80Env): { hi: number; lo: number } {
  return notImplemented(`f80ToInt64(${a.signExp},${env.rc})`);
}
