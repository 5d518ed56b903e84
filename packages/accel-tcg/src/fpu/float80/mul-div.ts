/** FMUL/FDIV family: a × b and a / b rounded once to FCW.PC/RC. */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

/** a × b. 0 × inf → IE/indefinite. */
export function f80Mul(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Mul(${a.signExp},${b.signExp},${env.rc})`);
}

/** a / b (FDIVR is f80Div(b, a)). finite/0 → ZE, ±inf; 0/0 and inf/inf → IE/indefinite. */
export function f80Div(a: RawExtended, b: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Div(${a.signExp},${b.signExp},${env.rc})`);
}
