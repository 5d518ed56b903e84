/** FSQRT: correctly rounded square root to FCW.PC/RC; -0 → -0, negative → IE/indefinite. */
import { notImplemented } from './api-stub.js';
import type { Float80Env } from './env.js';
import type { RawExtended } from './values.js';

export function f80Sqrt(a: RawExtended, env: Float80Env): RawExtended {
  return notImplemented(`f80Sqrt(${a.signExp},${env.rc})`);
}
