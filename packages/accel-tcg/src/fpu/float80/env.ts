/**
 * The rounding environment every float80 operation takes: the FCW's rounding and precision
 * control and exception masks in, the FSW exception bits and C1 ("rounded up") out.
 *
 * Exception contract (SDM Vol. 1 §4.9, §8.5):
 * * Masked exceptions: the returned value is the SDM's masked response (default result) and the
 *   flag is set in `flags`.
 * * Unmasked IE, DE or ZE (pre-computation exceptions): the flag is set, no post-computation
 *   flags (OE/UE/PE) are added, and the returned value must NOT be stored — the caller checks
 *   `preComputationFault(env)` and leaves the destination unchanged.
 * * Unmasked OE/UE (post-computation): the returned value is the SDM's bias-adjusted result for a
 *   *register* destination (true exponent ∓ 0x6000, rounded to the precision). For a memory
 *   destination (FST/FIST/FBSTP) the caller stores nothing when `postComputationFault(env)`.
 * * Unmasked PE: the rounded result is returned and stored as usual.
 * * Masked underflow is flagged only when the result is tiny AND inexact; unmasked underflow
 *   whenever it is tiny. Tininess is detected after rounding to the precision with an unbounded
 *   exponent (SDM Vol. 1 §4.9.1.5; QEMU agrees).
 */
import { Fsw } from '../fpu-state.js';

/** FCW.RC: 0 nearest-even, 1 down (toward -inf), 2 up (toward +inf), 3 toward zero. */
export const enum Rc {
  Nearest = 0,
  Down = 1,
  Up = 2,
  Zero = 3,
}

/** FCW.PC: significand precision of FADD/FSUB/FMUL/FDIV/FSQRT results. */
export const enum Pc {
  Single = 0,
  /** Reserved encoding; treated as 64-bit (see `precisionBits`). */
  Reserved = 1,
  Double = 2,
  Extended = 3,
}

/** IE|DE|ZE|OE|UE|PE: the exception bits float80 operations report. */
export const EXCEPTION_BITS = Fsw.IE | Fsw.DE | Fsw.ZE | Fsw.OE | Fsw.UE | Fsw.PE;
const PRE_COMPUTATION = Fsw.IE | Fsw.DE | Fsw.ZE;
const POST_COMPUTATION = Fsw.OE | Fsw.UE;

export interface Float80Env {
  /** FCW bits 11..10. */
  rc: number;
  /** FCW bits 9..8. */
  pc: number;
  /** FCW bits 5..0: 1 = that exception is masked. */
  masks: number;
  /** Accumulated FSW exception bits (IE/DE/ZE/OE/UE/PE); never cleared by operations. */
  flags: number;
  /** Set when a rounding in this operation increased the magnitude (FSW.C1); never cleared. */
  roundedUp: boolean;
}

/** A fresh environment from a control word (flags clear, C1 clear). */
export function envFromFcw(fcw: number): Float80Env {
  return { rc: (fcw >> 10) & 3, pc: (fcw >> 8) & 3, masks: fcw & 0x3f, flags: 0, roundedUp: false };
}

/**
 * Significand bits for a precision-control value. The SDM calls PC=01b reserved; QEMU and the
 * hardware we could check round to 64 bits for it, so that is what we do.
 */
export function precisionBits(pc: number): number {
  return pc === Pc.Single ? 24 : pc === Pc.Double ? 53 : 64;
}

/** An unmasked IE/DE/ZE happened: the destination must stay unchanged. */
export function preComputationFault(env: Float80Env): boolean {
  return (env.flags & ~env.masks & PRE_COMPUTATION) !== 0;
}

/** An unmasked OE/UE happened: register destinations get the bias-adjusted value, memory none. */
export function postComputationFault(env: Float80Env): boolean {
  return (env.flags & ~env.masks & POST_COMPUTATION) !== 0;
}

/** Raise flags; true when a pre-computation exception among them is unmasked. */
export function raise(env: Float80Env, bits: number): boolean {
  env.flags |= bits;
  return (bits & ~env.masks & PRE_COMPUTATION) !== 0;
}
