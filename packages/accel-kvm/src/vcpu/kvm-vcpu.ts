import { Flag, formatCpuState, MpState, readbackPlan, type WritebackStep, X86CpuState } from '@tsvm/arch-x86';
import type { AcceleratorVcpu, RunLimits, VcpuBinding, VcpuExit, WritebackLevel } from '@tsvm/core';
import { KvmError } from '../errors.js';
import type { KvmAddon, KvmConstants, TraceEntry, VcpuHandle, VmHandle } from '../native/addon.js';
import type { EventFlagBits } from '../state/kvm-events.js';
import { readSubstates, type StateTransferContext, writeSubstates } from '../state/state-transfer.js';
import { appendTrace } from '../state/trace-file.js';
import { serveIo, serveMmio } from './exit-io.js';
import { KvmGuestDebug } from './kvm-guest-debug.js';
import { RunLayout } from './run-layout.js';

export interface KvmVcpuConfig {
  readonly addon: KvmAddon;
  readonly mmapSize: number;
  readonly cpuid: Uint32Array;
  readonly tscControl: boolean;
  /** KVM_CAP_SET_GUEST_DEBUG: breakpoints and single-step for a host debugger; watchpoints too where KVM is hardware-backed. */
  readonly guestDebug: { readonly watchpoints: boolean } | undefined;
  /** KVM lists IA32_FEATURE_CONTROL; without it the plan's `featureControl` step is skipped. */
  readonly featureControl: boolean;
  readonly plan: (level: WritebackLevel) => readonly WritebackStep[];
  readonly trace: boolean;
  /** Where the trace goes when the vCPU closes (see KvmAcceleratorOptions.traceFile). */
  readonly traceFile?: string;
}

/** Shortest time slice armed on the deadline timer, so an expired deadline still makes progress. */
const MIN_SLICE_NS = 50_000;

/** What a vCPU needs from its VM: the handle, and whether it was closed. */
export interface VmLink {
  readonly closed: boolean;
  readonly handle: VmHandle;
  readonly a20Enabled: boolean;
  /** Rebuild the memory slots if the canonical A20 gate changed. */
  syncA20(enabled: boolean): void;
}

/**
 * One KVM vCPU: runs the guest, serves its exits, and moves state between KVM and the
 * canonical `X86CpuState` exactly as arch-x86's plans say.
 */
export class KvmVcpu implements AcceleratorVcpu {
  readonly index: number;
  /** Breakpoints, watchpoints and single-step for a host debugger, where KVM offers them. */
  readonly debug: KvmGuestDebug | undefined;
  private readonly addon: KvmAddon;
  private readonly c: KvmConstants;
  private readonly layout: RunLayout;
  private handle: VcpuHandle | undefined;
  private readonly view: DataView;
  private readonly runBytes: Uint8Array;
  private readonly state: X86CpuState;
  private readonly ctx: StateTransferContext;
  /**
   * Run state kept in userspace. Without an in-kernel irqchip KVM returns HLT to userspace and
   * accepts only RUNNABLE as mp_state, so a halted vCPU (HLT executed, not woken yet) and an
   * application processor waiting for INIT/SIPI (which cannot arrive without a LAPIC) are held
   * here and reflected into the canonical `mpState`, so snapshots keep them.
   */
  private mpState: MpState = MpState.Runnable;
  /** RFLAGS.IF as of the last exit or state write (decides whether a HLT can ever end). */
  private interruptsEnabled = false;

  constructor(
    private readonly vm: VmLink,
    private readonly binding: VcpuBinding,
    private readonly config: KvmVcpuConfig,
  ) {
    if (!(binding.state instanceof X86CpuState)) {
      throw new KvmError(`vCPU ${binding.index}: the KVM backend runs x86 guests and needs an X86CpuState`);
    }
    this.index = binding.index;
    this.state = binding.state;
    this.addon = config.addon;
    this.c = config.addon.constants;
    this.layout = new RunLayout(this.c);
    const { handle, run } = this.addon.createVcpu(vm.handle, binding.index, config.mmapSize);
    this.handle = handle;
    this.view = new DataView(run);
    this.runBytes = new Uint8Array(run);
    // Tracing is not an ioctl: switch it on first so the trace shows CPUID as the first write.
    if (config.trace) this.addon.setTrace(handle, true);
    try {
      // CPUID before anything else, once (KVM ordering rule).
      this.addon.setCpuid2(handle, config.cpuid);
    } catch (e) {
      this.close();
      throw e;
    }
    this.debug = config.guestDebug
      ? new KvmGuestDebug(this.addon, () => this.live('set guest debug'), config.guestDebug.watchpoints)
      : undefined;
    this.ctx = {
      addon: this.addon,
      handle,
      tscControl: config.tscControl,
      featureControl: config.featureControl,
      haltInUserspace: true,
    };
  }

  /** Bits of `kvm_vcpu_events.flags`, for reading traces. */
  get eventFlagBits(): EventFlagBits {
    return {
      nmiPending: this.c.EVENTS_NMI_PENDING,
      sipiVector: this.c.EVENTS_SIPI_VECTOR,
      shadow: this.c.EVENTS_SHADOW,
    };
  }

  /**
   * Whether this host's KVM has IA32_FEATURE_CONTROL. Without it the plan's `featureControl`
   * step is skipped (as QEMU does on AMD); trace checks pass this as `withFeatureControl`.
   */
  get hasFeatureControlMsr(): boolean {
    return this.config.featureControl;
  }

  private live(what: string): VcpuHandle {
    if (this.vm.closed) throw new KvmError(`vCPU ${this.index} used after its VM was closed (${what})`);
    if (!this.handle) throw new KvmError(`vCPU ${this.index} used after it was closed (${what})`);
    return this.handle;
  }

  /** True once the vCPU (or its VM) was closed. */
  get closed(): boolean {
    return this.handle === undefined || this.vm.closed;
  }

  /** Record every set-ioctl from now on (a debug aid; off by default). */
  setTrace(enabled: boolean): void {
    this.addon.setTrace(this.live('setTrace'), enabled);
  }

  /** The set-ioctls recorded since the last call. */
  takeTrace(): TraceEntry[] {
    return this.addon.takeTrace(this.live('takeTrace'));
  }

  readState(): void {
    this.live('readState');
    readSubstates(this.ctx, this.state, readbackPlan());
    if (this.mpState !== MpState.Runnable && this.state.mpState === MpState.Runnable)
      this.state.mpState = this.mpState;
  }

  writeState(level: WritebackLevel): void {
    this.live('writeState');
    const steps = this.config.plan(level);
    writeSubstates(this.ctx, this.state, steps);
    // Only a write of mp_state (Reset, Full) can change whether the vCPU is halted or parked.
    if (steps.some((s) => s.substate === 'mpState')) this.mpState = this.state.mpState;
    this.interruptsEnabled = (this.state.rflags & Flag.IF) !== 0;
  }

  /** A register dump read straight from KVM (leaves the canonical state alone). */
  dump(): string {
    try {
      const scratch = new X86CpuState();
      readSubstates(this.ctx, scratch, readbackPlan());
      return formatCpuState(scratch);
    } catch (e) {
      return `(registers unavailable: ${(e as Error).message})`;
    }
  }

  run(limits: RunLimits): VcpuExit {
    const handle = this.live('run');
    const { addon, c, view, binding, layout } = this;
    if (this.mpState !== MpState.Runnable) {
      // An AP waiting for INIT/SIPI never runs without a LAPIC; a HLT ends on an interrupt.
      if (this.mpState !== MpState.Halted) return { kind: 'halt', wakeable: false };
      if (!this.canWake()) return { kind: 'halt', wakeable: this.interruptsEnabled };
      this.mpState = MpState.Runnable;
    }
    const budget = Math.max(MIN_SLICE_NS, Math.floor(limits.deadlineNs - binding.nowNs()));
    addon.armTimer(handle, budget);
    try {
      for (;;) {
        binding.prepareEntry();
        // A device (port 0x92, the keyboard controller) may have moved the A20 gate.
        this.vm.syncA20(this.state.a20Enabled);
        if (!this.debug?.stepping) this.deliverInterrupts(handle);
        const reason = addon.run(handle);
        this.interruptsEnabled = this.ifFlag();
        switch (reason) {
          case -1:
            return { kind: 'yield' };
          case layout.exitIo:
            serveIo(view, layout, binding.ports);
            if (binding.exitRequested()) return this.leaveAfterIo(handle);
            break;
          case layout.exitMmio:
            serveMmio(view, layout, binding.memory, this.vm.a20Enabled);
            if (binding.exitRequested()) return this.leaveAfterIo(handle);
            break;
          case c.EXIT_IRQ_WINDOW_OPEN:
          case c.EXIT_INTR:
            if (binding.exitRequested()) return { kind: 'yield' };
            break;
          case c.EXIT_HLT:
            if (this.canWake()) break;
            this.mpState = MpState.Halted;
            return { kind: 'halt', wakeable: this.interruptsEnabled };
          case c.EXIT_DEBUG: {
            const exception = view.getUint32(c.RUN_DEBUG_EXCEPTION, true);
            const pc = Number(view.getBigUint64(c.RUN_DEBUG_PC, true));
            const exit = this.debug?.exitFor(exception, pc, Number(view.getBigUint64(c.RUN_DEBUG_DR6, true)));
            if (exit) return exit;
            // The guest's own #DB/#BP, which KVM intercepts while a debugger is attached.
            if (!this.debug)
              return this.error(`KVM_EXIT_DEBUG (exception ${exception}) with no debugger attached`);
            this.debug.reinject(exception);
            break;
          }
          case c.EXIT_SHUTDOWN:
            return { kind: 'shutdown', reason: `vCPU ${this.index} shut down (triple fault)` };
          case c.EXIT_SYSTEM_EVENT:
            return {
              kind: 'shutdown',
              reason: `vCPU ${this.index}: KVM system event ${view.getUint32(c.RUN_SYSTEM_EVENT_TYPE, true)}`,
            };
          case c.EXIT_FAIL_ENTRY:
            return this.error(
              `KVM_RUN failed to enter the guest (hardware entry failure reason 0x${view.getBigUint64(c.RUN_FAIL_ENTRY_REASON, true).toString(16)})`,
            );
          case c.EXIT_INTERNAL_ERROR:
            return this.error(this.internalError());
          default:
            return this.error(`KVM_RUN returned an unexpected exit reason ${reason}`);
        }
      }
    } catch (e) {
      return this.error(`KVM vCPU ${this.index}: ${(e as Error).message}`);
    } finally {
      if (this.handle) addon.disarmTimer(this.handle);
    }
  }

  /**
   * Return to the machine after an I/O exit: re-enter with immediate_exit so KVM completes the
   * access (an IN's data reaches RAX) and the state read by a save is consistent.
   */
  private leaveAfterIo(handle: VcpuHandle): VcpuExit {
    this.addon.disarmTimer(handle);
    this.addon.completePending(handle);
    return { kind: 'yield' };
  }

  /** RFLAGS.IF as KVM reported it at the last exit. */
  private ifFlag(): boolean {
    return this.runBytes[this.layout.ifFlag] !== 0;
  }

  /** A HLT ends when an NMI is pending, or an interrupt is pending and IF allows it. */
  private canWake(): boolean {
    const irq = this.binding.interrupts;
    return irq.hasNmi() || (irq.hasInterrupt() && this.interruptsEnabled);
  }

  /** PIC path: inject when KVM says the guest can take it, else ask for an interrupt window. */
  private deliverInterrupts(handle: VcpuHandle): void {
    const irq = this.binding.interrupts;
    const { layout, runBytes } = this;
    if (irq.hasNmi()) {
      irq.takeNmi();
      this.addon.nmi(handle);
    }
    if (!irq.hasInterrupt()) {
      runBytes[layout.requestInterruptWindow] = 0;
      return;
    }
    if (runBytes[layout.readyForInjection] && this.ifFlag()) {
      this.addon.interrupt(handle, irq.acknowledge());
      runBytes[layout.requestInterruptWindow] = 0;
    } else {
      runBytes[layout.requestInterruptWindow] = 1;
    }
  }

  private internalError(): string {
    const { view, c } = this;
    const sub = view.getUint32(c.RUN_INTERNAL_SUBERROR, true);
    const n = Math.min(view.getUint32(c.RUN_INTERNAL_NDATA, true), 16);
    const data = Array.from(
      { length: n },
      (_, i) => `0x${view.getBigUint64(c.RUN_INTERNAL_DATA + i * 8, true).toString(16)}`,
    );
    const what =
      sub === 1
        ? 'emulation failure'
        : sub === 2
          ? 'simultaneous exception'
          : sub === 3
            ? 'delivery event'
            : `suberror ${sub}`;
    return `KVM internal error: ${what}${data.length ? ` [${data.join(' ')}]` : ''}`;
  }

  private error(message: string): VcpuExit {
    return { kind: 'error', message, dump: this.handle ? this.dump() : undefined };
  }

  close(): void {
    if (!this.handle) return;
    if (this.config.traceFile)
      appendTrace(this.config.traceFile, this.index, this.addon.takeTrace(this.handle));
    this.addon.closeVcpu(this.handle);
    this.handle = undefined;
  }
}
