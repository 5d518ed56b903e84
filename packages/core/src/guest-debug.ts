/**
 * The optional debug capability of an accelerator's vCPU: breakpoints, watchpoints and
 * single-step on behalf of a host debugger (the gdb stub). It is separate from the guest's own
 * debug registers: a guest that uses DR0-DR7 keeps them while a debugger is attached.
 */

/**
 * `software`/`hardware`: stop before the instruction at `address` runs (how is the accelerator's
 * business: an int3 it plants, a debug register, an address compare). `write`/`read`/`access`:
 * stop after an instruction that touched `[address, address + length)`.
 */
export type GuestBreakpointKind = 'software' | 'hardware' | 'write' | 'read' | 'access';

export interface GuestBreakpoint {
  readonly kind: GuestBreakpointKind;
  /** Guest virtual (x86: linear) address. */
  readonly address: number;
  /** Bytes covered (watchpoints); 1 for instruction breakpoints. */
  readonly length: number;
}

/** Everything the debugger wants armed for the next guest entries (replaces the previous request). */
export interface GuestDebugRequest {
  /** Stop after one instruction (interrupts are not taken while stepping). */
  readonly singleStep: boolean;
  readonly breakpoints: readonly GuestBreakpoint[];
}

/** What an accelerator's debug capability can do. */
export interface GuestDebugSupport {
  readonly kinds: readonly GuestBreakpointKind[];
  /** How many `hardware`/watchpoint entries fit at once (x86 debug registers: 4). */
  readonly maxHardware: number;
}

/** `run` stopped for the debugger. */
export interface DebugExit {
  readonly kind: 'debug';
  readonly reason: 'breakpoint' | 'step' | 'watchpoint';
  /** Instruction address the vCPU stopped at (guest virtual). */
  readonly address?: number;
  /** For watchpoints: the watched address that was touched. */
  readonly dataAddress?: number;
  readonly watchKind?: 'write' | 'read' | 'access';
}

/** The accelerator side (an optional member of `AcceleratorVcpu`). */
export interface GuestDebugCapability {
  readonly support: GuestDebugSupport;
  /** Arm `request` for the next entries; throws with a clear message for what it cannot do. */
  set(request: GuestDebugRequest): void;
}

/** Why a request does not fit what the accelerator offers (undefined: it fits). */
export function guestDebugProblem(
  support: GuestDebugSupport,
  request: GuestDebugRequest,
): string | undefined {
  let hardware = 0;
  for (const b of request.breakpoints) {
    if (!support.kinds.includes(b.kind)) return `this accelerator has no ${b.kind} breakpoints`;
    if (b.kind !== 'software') hardware++;
  }
  if (hardware > support.maxHardware)
    return `${hardware} hardware breakpoints/watchpoints requested, this accelerator has ${support.maxHardware}`;
  return undefined;
}
