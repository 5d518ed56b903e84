/** FADD/FSUB family: a ± b rounded once to FCW.PC/RC (SDM Vol. 1 §8.1.5, FADD/FSUB tables). */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** a + b. inf + -inf → IE/indefinite; exact zero sums are +0 except -0 under RC=down. */
export function f80Add(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Add(${a.signExp},${b.signExp},${env.rc})`);
}

/** a - b (FSUBR is f80Sub(b, a)). */
export function f80Sub(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Sub(${a.signExp},${b.signExp},${env.rc})`);
}
