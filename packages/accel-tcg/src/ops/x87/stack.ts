import type { Cpu } from '../../exec/cpu.js';
import { Fsw, type RawExtended } from '../../fpu/fpu-state.js';

// The register stack's rules: exception flags with their summary bits, and the stack-fault
// (overflow/underflow) responses of SDM Vol. 1 §8.5.1.1.

/** The QNaN floating-point indefinite: the masked response to invalid operations. */
export const INDEFINITE: RawExtended = Object.freeze({ signExp: 0xffff, hi: 0xc0000000, lo: 0 });

/** The six exception flags IE DE ZE OE UE PE. */
export const EXCEPTION_FLAGS = 0x3f;

const CC_MASK = Fsw.C0 | Fsw.C1 | Fsw.C2 | Fsw.C3;

/** True if `flags` (IE..PE bits) contains an exception the control word leaves unmasked. */
export function unmasked(c: Cpu, flags: number): boolean {
  return (flags & ~c.fpu.fcw & EXCEPTION_FLAGS) !== 0;
}

/**
 * Record exception flags in the status word; an unmasked one sets the summary ES and B (reported
 * by the next waiting instruction). Returns true when one of them is unmasked.
 */
export function signal(c: Cpu, flags: number): boolean {
  const f = c.fpu;
  let fsw = f.fsw | (flags & (EXCEPTION_FLAGS | Fsw.SF));
  const un = unmasked(c, flags);
  if (un) fsw |= Fsw.ES | Fsw.B;
  f.fsw = fsw;
  return un;
}

/** Set the condition codes C3 C2 C1 C0 (given as their FSW bits), leaving the others. */
export function setCc(c: Cpu, bits: number): void {
  c.fpu.fsw = (c.fpu.fsw & ~CC_MASK) | (bits & CC_MASK);
}

/** Set or clear C1 alone (rounded up / stack overflow indicator). */
export function setC1(c: Cpu, on: boolean): void {
  c.fpu.fsw = on ? c.fpu.fsw | Fsw.C1 : c.fpu.fsw & ~Fsw.C1;
}

/**
 * Stack underflow (an empty source or destination): IE and SF with C1 = 0. Returns true when
 * IE is masked, i.e. the caller goes on with the indefinite as its operand/result.
 */
export function underflow(c: Cpu): boolean {
  setC1(c, false);
  return !signal(c, Fsw.IE | Fsw.SF);
}

/** Stack overflow (a push onto a non-empty ST(7)): IE and SF with C1 = 1. True when masked. */
export function overflow(c: Cpu): boolean {
  setC1(c, true);
  return !signal(c, Fsw.IE | Fsw.SF);
}

/**
 * Push `value` (or, on a masked stack overflow, the indefinite). Returns false when an unmasked
 * overflow left the stack unchanged.
 */
export function pushChecked(c: Cpu, value: RawExtended): boolean {
  const f = c.fpu;
  if (!f.isEmpty(7)) {
    if (!overflow(c)) return false;
    f.push(INDEFINITE);
    return true;
  }
  f.push(value);
  return true;
}

/** True when ST(i) is empty. */
export const empty = (c: Cpu, i: number): boolean => c.fpu.isEmpty(i);

/** Store `v` in ST(k) and mark it valid. */
export function put(c: Cpu, k: number, v: RawExtended): void {
  c.fpu.writeSt(k, v);
  c.fpu.setEmpty(k, false);
}

/**
 * Stack checks of the instructions that replace ST(0) and then push (FXTRACT, FPTAN, FSINCOS):
 * an empty ST(0) underflows, a full ST(7) overflows; masked, both leave two indefinites. True
 * when the operation itself should go on.
 */
export function readyToReplaceAndPush(c: Cpu): boolean {
  if (empty(c, 0)) {
    if (underflow(c)) {
      put(c, 0, INDEFINITE);
      if (empty(c, 7)) c.fpu.push(INDEFINITE);
    }
    return false;
  }
  if (!empty(c, 7)) {
    if (overflow(c)) {
      c.fpu.writeSt(0, INDEFINITE);
      c.fpu.push(INDEFINITE);
    }
    return false;
  }
  return true;
}
