/** FMUL/FDIV family: a × b and a / b rounded once to FCW.PC/RC. */
import { Fsw } from '../fpu-state.js';
import { type Float80Env, precisionBits } from './env.js';
import { fastDiv } from './fast-div-sqrt.js';
import { fastMul } from './fast-path.js';
import { denormalCheck, invalid, screenOperands, stopped } from './operands.js';
import { roundPack } from './round.js';
import { bitLength, classify, F80Class, infinity, type RawExtended, signOf, unpack, zero } from './values.js';

/** a × b. 0 × inf → IE/indefinite. */
export function f80Mul(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  const fast = fastMul(a, b, env);
  if (fast) return fast;
  const special = screenOperands(a, b, env);
  if (special) return special;
  const sign = signOf(a) ^ signOf(b);
  const ca = classify(a);
  const cb = classify(b);
  if (ca === F80Class.Infinity || cb === F80Class.Infinity) {
    if (ca === F80Class.Zero || cb === F80Class.Zero) return invalid(env);
    denormalCheck(env, a, b);
    return infinity(sign);
  }
  denormalCheck(env, a, b);
  if (stopped(env)) return a;
  if (ca === F80Class.Zero || cb === F80Class.Zero) return zero(sign);
  const x = unpack(a);
  const y = unpack(b);
  return roundPack(sign, x.sig * y.sig, x.exp + y.exp, false, env, precisionBits(env.pc));
}

/** a / b (FDIVR is f80Div(b, a)). finite/0 → ZE, ±inf; 0/0 and inf/inf → IE/indefinite. */
export function f80Div(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  const fast = fastDiv(a, b, env);
  if (fast) return fast;
  const special = screenOperands(a, b, env);
  if (special) return special;
  const sign = signOf(a) ^ signOf(b);
  const ca = classify(a);
  const cb = classify(b);
  if (ca === F80Class.Infinity) {
    if (cb === F80Class.Infinity) return invalid(env);
    denormalCheck(env, b);
    return infinity(sign);
  }
  if (cb === F80Class.Zero) {
    if (ca === F80Class.Zero) return invalid(env);
    // Zero-divide outranks the denormal-operand exception (SDM §4.9.2).
    env.flags |= Fsw.ZE;
    return infinity(sign);
  }
  denormalCheck(env, a, b);
  if (stopped(env)) return a;
  if (cb === F80Class.Infinity || ca === F80Class.Zero) return zero(sign);
  const x = unpack(a);
  const y = unpack(b);
  // Normalize both to 64 significant bits so the quotient always has 66 or 67 bits.
  const nx = 64 - bitLength(x.sig);
  const ny = 64 - bitLength(y.sig);
  const dividend = x.sig << BigInt(nx + 66);
  const divisor = y.sig << BigInt(ny);
  const quotient = dividend / divisor;
  const sticky = quotient * divisor !== dividend;
  return roundPack(sign, quotient, x.exp - nx - 66 - (y.exp - ny), sticky, env, precisionBits(env.pc));
}
