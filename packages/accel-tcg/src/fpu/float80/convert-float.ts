/**
 * FLD/FST m32 and m64. Loads are exact (SNaN → IE and quietened, denormal → DE). Stores round
 * once from 80 bits straight to the target format by FCW.RC (precision control does not apply),
 * with the target's denormals, underflow and overflow; unsupported → IE and the target's
 * indefinite; SNaN → IE and quietened, NaN significands truncated.
 */
import { Fsw } from '../fpu-state.js';
import type { Float80Env } from './env.js';
import { fastFromFloat32, fastFromFloat64, fastToFloat32, fastToFloat64 } from './fast-convert.js';
import { roundPack } from './round.js';
import {
  classify,
  EXP_BIAS,
  F80Class,
  infinity,
  packExact,
  type RawExtended,
  raw,
  significand,
  signOf,
  unpack,
  zero,
} from './values.js';

/** A binary interchange format: significand bits incl. the hidden one, exponent field width. */
interface Format {
  precision: number;
  expBits: number;
}
const SINGLE: Format = { precision: 24, expBits: 8 };
const DOUBLE: Format = { precision: 53, expBits: 11 };

function load(bits: bigint, f: Format, env: Float80Env): RawExtended {
  const fracBits = f.precision - 1;
  const bias = (1 << (f.expBits - 1)) - 1;
  const sign = Number(bits >> BigInt(f.expBits + fracBits)) & 1;
  const e = Number((bits >> BigInt(fracBits)) & BigInt((1 << f.expBits) - 1));
  const frac = bits & ((1n << BigInt(fracBits)) - 1n);
  if (e === (1 << f.expBits) - 1) {
    if (frac === 0n) return infinity(sign);
    const sig = (1n << 63n) | (frac << BigInt(64 - f.precision));
    const quiet = (frac >> BigInt(fracBits - 1)) & 1n;
    if (quiet === 0n) env.flags |= Fsw.IE;
    return raw((sign << 15) | 0x7fff, Number(sig >> 32n) | 0x40000000, Number(sig & 0xffffffffn));
  }
  if (e === 0) {
    if (frac === 0n) return zero(sign);
    env.flags |= Fsw.DE;
    return packExact(sign, frac, 1 - bias - fracBits);
  }
  return packExact(sign, frac | (1n << BigInt(fracBits)), e - bias - fracBits);
}

function store(a: RawExtended, f: Format, env: Float80Env): bigint {
  const fracBits = f.precision - 1;
  const bias = (1 << (f.expBits - 1)) - 1;
  const expAllOnes = BigInt((1 << f.expBits) - 1) << BigInt(fracBits);
  const signBit = BigInt(signOf(a)) << BigInt(f.expBits + fracBits);
  const quietBit = 1n << BigInt(fracBits - 1);
  switch (classify(a)) {
    case F80Class.Unsupported:
      env.flags |= Fsw.IE;
      return (1n << BigInt(f.expBits + fracBits)) | expAllOnes | quietBit;
    case F80Class.NaN: {
      if ((a.hi & 0x40000000) === 0) env.flags |= Fsw.IE;
      const frac = (significand(a) >> BigInt(64 - f.precision)) & ((1n << BigInt(fracBits)) - 1n);
      return signBit | expAllOnes | frac | quietBit;
    }
    case F80Class.Infinity:
      return signBit | expAllOnes;
    case F80Class.Zero:
      return signBit;
  }
  const u = unpack(a);
  const r = roundPack(u.sign, u.sig, u.exp, false, env, f.precision, 1 - bias, bias, false);
  const rc = classify(r);
  if (rc === F80Class.Infinity) return signBit | expAllOnes;
  if (rc === F80Class.Zero) return signBit;
  const e = (r.signExp & 0x7fff) - EXP_BIAS;
  const sig = significand(r);
  if (e >= 1 - bias) {
    const frac = (sig >> BigInt(64 - f.precision)) & ((1n << BigInt(fracBits)) - 1n);
    return signBit | (BigInt(e + bias) << BigInt(fracBits)) | frac;
  }
  // Denormal in the target: the value is sig × 2^(e-63), the target's unit is 2^(1-bias-fracBits).
  return signBit | (sig >> BigInt(63 - e + (1 - bias - fracBits)));
}

/** FLD m32real from its bit pattern (u32). */
export function f80FromFloat32(bits: number, env: Float80Env): RawExtended {
  return fastFromFloat32(bits) ?? load(BigInt(bits >>> 0), SINGLE, env);
}

/** FLD m64real from its halves (hi = bits 63..32, lo = bits 31..0). */
export function f80FromFloat64(hi: number, lo: number, env: Float80Env): RawExtended {
  return fastFromFloat64(hi, lo) ?? load((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0), DOUBLE, env);
}

/** FST m32real: the bit pattern (u32) to store. */
export function f80ToFloat32(a: RawExtended, env: Float80Env): number {
  return fastToFloat32(a, env) ?? Number(store(a, SINGLE, env));
}

/** FST m64real: the halves to store. */
export function f80ToFloat64(a: RawExtended, env: Float80Env): { hi: number; lo: number } {
  const fast = fastToFloat64(a, env);
  if (fast) return fast;
  const bits = store(a, DOUBLE, env);
  return { hi: Number(bits >> 32n), lo: Number(bits & 0xffffffffn) };
}
