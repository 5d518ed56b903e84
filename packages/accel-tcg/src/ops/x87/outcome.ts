import type { Cpu } from '../../exec/cpu.js';
import {
  envFromFcw,
  type Float80Env,
  postComputationFault,
  preComputationFault,
} from '../../fpu/float80/index.js';
import { setC1, signal } from './stack.js';

// How a float80 operation's outcome reaches the status word: its exception flags (with ES/B
// when unmasked) and C1 (rounded up). Callers compute first, store second, commit last, so a
// memory fault on the store leaves the FPU as it was.

/** A fresh rounding/exception environment from the control word. */
export const envOf = (c: Cpu): Float80Env => envFromFcw(c.fpu.fcw);

/** An unmasked IE/DE/ZE: the destination must not change (and nothing is popped). */
export const blocked = (env: Float80Env): boolean => preComputationFault(env);

/** An unmasked OE/UE with a memory destination: nothing is stored (and nothing is popped). */
export const blockedStore = (env: Float80Env): boolean =>
  preComputationFault(env) || postComputationFault(env);

/** Record the operation's flags; C1 = rounded up. */
export function commit(c: Cpu, env: Float80Env): void {
  setC1(c, env.roundedUp);
  signal(c, env.flags);
}
