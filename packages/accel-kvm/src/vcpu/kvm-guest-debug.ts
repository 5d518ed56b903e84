import type {
  DebugExit,
  GuestBreakpoint,
  GuestDebugCapability,
  GuestDebugRequest,
  GuestDebugSupport,
} from '@tsvm/core';
import { guestDebugProblem } from '@tsvm/core';
import { KvmError } from '../errors.js';
import type { KvmAddon, VcpuHandle } from '../native/addon.js';

/** x86 has four address debug registers (DR0-DR3). */
const DEBUG_REGISTERS = 4;
const DB_VECTOR = 1;
/** DR6.BS: the #DB came from single-step. */
const DR6_BS = 1 << 14;

/** DR7 R/W field per kind: 00 execute, 01 write, 11 read or write (x86 has no read-only watch). */
const RW_BITS = { software: 0b00, hardware: 0b00, write: 0b01, access: 0b11 } as const;
/** DR7 LEN field per length: 1, 2, 4 or 8 bytes, aligned. */
const LEN_BITS: Record<number, number> = { 1: 0b00, 2: 0b01, 8: 0b10, 4: 0b11 };

/**
 * The debug capability on KVM, through KVM_SET_GUEST_DEBUG. Every breakpoint kind uses the
 * debug registers KVM keeps for the host (not the guest's own DR0-DR7, which stay the guest's):
 * instruction breakpoints, 'software' ones included, are execute breakpoints, so nothing is
 * planted in guest memory (a snapshot or a memory read never sees a debugger's INT3), and they
 * work where KVM emulates the guest's instructions, as software KVM does. The price: four at once.
 */
export class KvmGuestDebug implements GuestDebugCapability {
  readonly support: GuestDebugSupport;
  private armed: readonly GuestBreakpoint[] = [];
  private singleStep = false;
  private control = 0;
  private regs = new BigUint64Array(8);

  /**
   * `watchpoints`: offer write/access watchpoints. Only hardware-backed KVM has them: software
   * KVM (kvm_pvm) emulates the guest's instructions, and KVM's emulator checks instruction
   * breakpoints but never data breakpoints, so a watchpoint there would silently not fire.
   */
  constructor(
    private readonly addon: KvmAddon,
    private readonly handle: () => VcpuHandle,
    watchpoints: boolean,
  ) {
    this.support = {
      kinds: watchpoints ? ['software', 'hardware', 'write', 'access'] : ['software', 'hardware'],
      maxHardware: DEBUG_REGISTERS,
    };
  }

  set(request: GuestDebugRequest): void {
    // 'software' breakpoints take a debug register here too, so they count against the four.
    const slots = request.breakpoints.length;
    if (slots > DEBUG_REGISTERS) {
      throw new KvmError(
        `KVM: ${slots} breakpoints/watchpoints requested; the KVM accelerator keeps all of them in the ${DEBUG_REGISTERS} debug registers`,
      );
    }
    const problem = guestDebugProblem(this.support, request);
    if (problem) throw new KvmError(`KVM: ${problem}`);
    const c = this.addon.constants;
    const regs = new BigUint64Array(8);
    let dr7 = 0;
    request.breakpoints.forEach((b, i) => {
      const rw = RW_BITS[b.kind as keyof typeof RW_BITS];
      const length = b.kind === 'software' || b.kind === 'hardware' ? 1 : b.length;
      const len = LEN_BITS[length];
      if (len === undefined || b.address % length !== 0) {
        throw new KvmError(
          `KVM: a ${b.kind} watchpoint covers 1, 2, 4 or 8 bytes at an address aligned to its length, not ${b.length} at 0x${b.address.toString(16)}`,
        );
      }
      regs[i] = BigInt(b.address >>> 0);
      // Global enable (bit 2i+1), as QEMU sets it; R/W and LEN in bits 16+4i.
      dr7 |= (1 << (2 * i + 1)) | (rw << (16 + 4 * i)) | (len << (18 + 4 * i));
    });
    regs[7] = BigInt(dr7 >>> 0);
    let control = 0;
    if (request.singleStep || request.breakpoints.length > 0) control |= c.GUESTDBG_ENABLE;
    if (request.singleStep) control |= c.GUESTDBG_SINGLESTEP;
    if (request.breakpoints.length > 0) control |= c.GUESTDBG_USE_HW_BP;
    this.addon.setGuestDebug(this.handle(), control, regs);
    this.armed = [...request.breakpoints];
    this.singleStep = request.singleStep;
    this.control = control;
    this.regs = regs;
  }

  /** Single-step is armed: the vCPU loop takes no interrupt in the step (as core's contract says). */
  get stepping(): boolean {
    return this.singleStep;
  }

  /**
   * A #DB or #BP that KVM stopped for but that belongs to the guest (its own debug registers, its
   * own INT3, a trap flag it set): queue it back into the guest, the debugger's setting unchanged.
   */
  reinject(exception: number): void {
    const c = this.addon.constants;
    const inject = exception === DB_VECTOR ? c.GUESTDBG_INJECT_DB : c.GUESTDBG_INJECT_BP;
    this.addon.setGuestDebug(this.handle(), this.control | inject, this.regs);
  }

  /**
   * Make sense of a KVM_EXIT_DEBUG (`exception`, `pc`, `dr6` from the run structure): the debug
   * exit for the machine, or undefined when it was not the debugger's (nothing armed matches).
   */
  exitFor(exception: number, pc: number, dr6: number): DebugExit | undefined {
    if (exception !== DB_VECTOR) return undefined;
    for (let i = 0; i < this.armed.length; i++) {
      if (!(dr6 & (1 << i))) continue;
      const b = this.armed[i];
      if (b.kind === 'software' || b.kind === 'hardware')
        return { kind: 'debug', reason: 'breakpoint', address: pc };
      return { kind: 'debug', reason: 'watchpoint', address: pc, dataAddress: b.address, watchKind: b.kind };
    }
    if (this.singleStep && dr6 & DR6_BS) return { kind: 'debug', reason: 'step', address: pc };
    return undefined;
  }
}
