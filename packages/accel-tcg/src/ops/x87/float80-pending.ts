import type { Handler } from '../../decode/insn.js';
import { ud } from '../../exec/fault.js';

/**
 * While parts of `src/fpu/float80/` are still declared but not implemented, an x87 instruction
 * that reaches one of them raises #UD, as every escape did before the x87 landed — a guest
 * exception, never a wrong result or a host error. Handlers call float80 before they change a
 * register or memory (only the last-instruction pointers and C1 may already have moved).
 * Remove once float80 is complete.
 */
export function float80Pending(h: Handler): Handler {
  return (c, i) => {
    try {
      h(c, i);
    } catch (e) {
      if (e instanceof Error && /^float80: .* is not implemented yet$/.test(e.message)) ud();
      throw e;
    }
  };
}
