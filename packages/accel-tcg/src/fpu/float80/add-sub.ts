/** FADD/FSUB family: a ± b rounded once to FCW.PC/RC (SDM Vol. 1 §8.1.5, FADD/FSUB tables). */
import { type Float80Env, precisionBits, Rc } from './env.js';
import { fastAddSub } from './fast-path.js';
import { denormalCheck, invalid, screenOperands, stopped } from './operands.js';
import { roundPack } from './round.js';
import {
  bitLength,
  classify,
  F80Class,
  infinity,
  type RawExtended,
  signOf,
  type Unpacked,
  unpack,
  zero,
} from './values.js';

/** a + b. inf + -inf → IE/indefinite; exact zero sums are +0 except -0 under RC=down. */
export function f80Add(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return addSigned(a, b, 0, env);
}

/** a - b (FSUBR is f80Sub(b, a)). */
export function f80Sub(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return addSigned(a, b, 1, env);
}

function addSigned(a: RawExtended, b: RawExtended, negateB: number, env: Float80Env): RawExtended {
  const fast = fastAddSub(a, b, negateB, env);
  if (fast) return fast;
  const special = screenOperands(a, b, env);
  if (special) return special;
  const signA = signOf(a);
  const signB = signOf(b) ^ negateB;
  const ca = classify(a);
  const cb = classify(b);
  if (ca === F80Class.Infinity || cb === F80Class.Infinity) {
    if (ca === cb && signA !== signB) return invalid(env);
    return infinity(ca === F80Class.Infinity ? signA : signB);
  }
  denormalCheck(env, a, b);
  if (stopped(env)) return a;
  const x = unpack(a);
  const y = unpack(b);
  x.sign = signA;
  y.sign = signB;
  return exactSum(x, y, env, precisionBits(env.pc));
}

/** Round x + y (finite, exact) once; the shared tail of add/sub. */
export function exactSum(x: Unpacked, y: Unpacked, env: Float80Env, precision: number): RawExtended {
  if (x.sig === 0n && y.sig === 0n) {
    return zero(x.sign === y.sign ? x.sign : env.rc === Rc.Down ? 1 : 0);
  }
  let p = x;
  let q = y;
  if (p.sig !== 0n && q.sig !== 0n) {
    // A far smaller operand only acts as a sticky bit: replace it by a tiny stand-in so the
    // alignment shift stays small (any value in (0, 2^(top-130)) rounds the same way).
    const topP = bitLength(p.sig) + p.exp;
    const topQ = bitLength(q.sig) + q.exp;
    if (topQ < topP - 130) q = { sign: q.sign, sig: 1n, exp: topP - 200 };
    else if (topP < topQ - 130) p = { sign: p.sign, sig: 1n, exp: topQ - 200 };
  }
  const e = Math.min(p.exp, q.exp);
  const mp = p.sig << BigInt(p.exp - e);
  const mq = q.sig << BigInt(q.exp - e);
  const sum = (p.sign ? -mp : mp) + (q.sign ? -mq : mq);
  if (sum === 0n) return zero(env.rc === Rc.Down ? 1 : 0);
  return sum < 0n
    ? roundPack(1, -sum, e, false, env, precision)
    : roundPack(0, sum, e, false, env, precision);
}
