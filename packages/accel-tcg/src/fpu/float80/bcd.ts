/** FBLD/FBSTP: 80-bit packed BCD (18 digits, byte 9 bit 7 = sign; bytes little-endian). */

import { integerFor } from './convert-int.js';
import type { Float80Env } from './env.js';
import { packExact, type RawExtended, signOf } from './values.js';

/** The packed BCD integer indefinite: FFFF C000 0000 0000 0000h (byte 0 first here). */
export const BCD_INDEFINITE: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff];

const LIMIT = 10n ** 18n - 1n;

/** FBLD: 10 bytes → value (exact). Invalid digits (A–F) are undefined by the SDM; they are
 *  weighted as their nibble value, digit by digit. */
export function f80FromBcd(bytes: Uint8Array): RawExtended {
  if (bytes.length !== 10) throw new Error(`f80FromBcd: packed BCD is 10 bytes, got ${bytes.length}`);
  let v = 0n;
  for (let i = 8; i >= 0; i--) {
    v = v * 10n + BigInt(bytes[i] >> 4);
    v = v * 10n + BigInt(bytes[i] & 0xf);
  }
  return packExact(bytes[9] >> 7, v, 0);
}

/** FBSTP: round by FCW.RC to an integer; |x| ≥ 10^18, NaN, inf, unsupported → IE and the BCD
 *  indefinite. Returns 10 bytes. */
export function f80ToBcd(a: RawExtended, env: Float80Env): Uint8Array {
  const v = integerFor(a, env, -LIMIT, LIMIT);
  if (v === undefined) return Uint8Array.from(BCD_INDEFINITE);
  const out = new Uint8Array(10);
  let m = v < 0n ? -v : v;
  for (let i = 0; i < 9; i++) {
    const lo = Number(m % 10n);
    m /= 10n;
    const hi = Number(m % 10n);
    m /= 10n;
    out[i] = (hi << 4) | lo;
  }
  out[9] = signOf(a) << 7;
  return out;
}
