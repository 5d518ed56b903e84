/** FBLD/FBSTP: 80-bit packed BCD (18 digits, byte 9 bit 7 = sign; bytes little-endian). */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** The packed BCD integer indefinite: FFFF C000 0000 0000 0000h (byte 0 first here). */
export const BCD_INDEFINITE: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff];

/** FBLD: 10 bytes → value (exact). Invalid digits (A–F) are undefined by the SDM; they are
 *  weighted as their nibble value, digit by digit. */
export function f80FromBcd(bytes: Uint8Array): RawExtended {
  return notImplemented(`f80FromBcd(${bytes.length})`);
}

/** FBSTP: round by FCW.RC to an integer; |x| ≥ 10^18, NaN, inf, unsupported → IE and the BCD
 *  indefinite. Returns 10 bytes. */
export function f80ToBcd(a: RawExtended, env: Float80Env): Uint8Array {
  return notImplemented(`f80ToBcd(${a.signExp},${env.rc})`);
}
