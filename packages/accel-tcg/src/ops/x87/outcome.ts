import type { Cpu } from '../../exec/cpu.js';
import {
  envFromFcw,
  type Float80Env,
  postComputationFault,
  preComputationFault,
} from '../../fpu/float80/index.js';
import { Fsw } from '../../fpu/fpu-state.js';
import { EXCEPTION_FLAGS, unmasked } from './stack.js';

// How a float80 operation's outcome reaches the status word: its exception flags (with ES/B
// when unmasked) and C1 (rounded up). Callers compute first, store second, commit last, so a
// memory fault on the store leaves the FPU as it was.

/**
 * The rounding/exception environment of the current instruction, from the control word. One
 * object reset per instruction rather than a new one: each handler uses exactly one env and
 * is done with it when it returns (no handler runs inside another).
 */
export function envOf(c: Cpu): Float80Env {
  const fcw = c.fpu.fcw;
  const env = INSTRUCTION_ENV;
  env.rc = (fcw >> 10) & 3;
  env.pc = (fcw >> 8) & 3;
  env.masks = fcw & 0x3f;
  env.flags = 0;
  env.roundedUp = false;
  return env;
}
const INSTRUCTION_ENV: Float80Env = envFromFcw(0x37f);

/** An unmasked IE/DE/ZE: the destination must not change (and nothing is popped). */
export const blocked = (env: Float80Env): boolean => preComputationFault(env);

/** An unmasked OE/UE with a memory destination: nothing is stored (and nothing is popped). */
export const blockedStore = (env: Float80Env): boolean =>
  preComputationFault(env) || postComputationFault(env);

/** Record the operation's flags; C1 = rounded up (setC1 then signal, in one status-word write). */
export function commit(c: Cpu, env: Float80Env): void {
  const f = c.fpu;
  let fsw = env.roundedUp ? f.fsw | Fsw.C1 : f.fsw & ~Fsw.C1;
  if (env.flags !== 0) {
    fsw |= env.flags & (EXCEPTION_FLAGS | Fsw.SF);
    if (unmasked(c, env.flags)) fsw |= Fsw.ES | Fsw.B;
  }
  f.fsw = fsw;
}
