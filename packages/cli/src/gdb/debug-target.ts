import { translateLinear, type X86CpuState } from '@tsvm/arch-x86';
import type { DebugExit, GuestBreakpoint, Machine, Vcpu } from '@tsvm/core';
import type { VmControl } from '../vm-control.js';

/**
 * What the gdb stub may do to the VM, expressed only in terms of core's contract: registers
 * through `synchronizeState` and the canonical state (pushed at Runtime level by the next entry),
 * memory through the machine's memory map, run control through `VmControl`, breakpoints and
 * single-step through the vCPU's debug capability. Nothing here talks to an accelerator.
 */
export class DebugTarget {
  private readonly vcpu: Vcpu<X86CpuState>;
  private breakpoints: GuestBreakpoint[] = [];
  private stopListener: ((exit: DebugExit | undefined) => void) | undefined;
  /** `m`/`M` addresses are physical rather than virtual (`Qqemu.PhyMemMode:1`, `monitor phys on`). */
  physicalMemory = false;

  constructor(
    readonly vm: VmControl,
    readonly machine: Machine<X86CpuState>,
  ) {
    this.vcpu = machine.vcpus[0];
    machine.onDebugExit((_index, exit) => {
      vm.stop('debug');
      this.stopListener?.(exit);
    });
  }

  /** Where the stub hears that the vCPU stopped for it (a breakpoint, a step, or an interrupt). */
  onStop(listener: (exit: DebugExit | undefined) => void): void {
    this.stopListener = listener;
  }

  get stopped(): boolean {
    return !this.vm.running;
  }

  /** Stop the vCPU for the debugger; resolves once it is out of the guest. */
  async halt(): Promise<void> {
    this.vm.stop('debug');
    await this.machine.atSafePoint(() => undefined);
  }

  /** Run on (or one instruction) with the breakpoints armed. */
  resume(step: boolean): void {
    this.vcpu.setGuestDebug({ singleStep: step, breakpoints: this.breakpoints });
    this.vm.cont();
  }

  /** Disarm everything and let the guest run free (detach). */
  release(): void {
    this.breakpoints = [];
    if (this.vcpu.debugSupport) this.vcpu.setGuestDebug({ singleStep: false, breakpoints: [] });
    this.vm.cont();
  }

  /** Add a breakpoint/watchpoint; an error text when the accelerator cannot take it. */
  addBreakpoint(b: GuestBreakpoint): string | undefined {
    const next = [...this.breakpoints, b];
    try {
      this.vcpu.setGuestDebug({ singleStep: false, breakpoints: next });
    } catch (e) {
      return (e as Error).message;
    }
    this.breakpoints = next;
    return undefined;
  }

  removeBreakpoint(b: GuestBreakpoint): void {
    const k = this.breakpoints.findIndex(
      (x) => x.kind === b.kind && x.address === b.address && x.length === b.length,
    );
    if (k >= 0) this.breakpoints.splice(k, 1);
    this.vcpu.setGuestDebug({ singleStep: false, breakpoints: this.breakpoints });
  }

  /** Read registers: pull the accelerator's copy first (the debugger is an outside reader). */
  withState<T>(fn: (state: X86CpuState) => T): Promise<T> {
    return this.machine.atSafePoint(() => {
      this.vcpu.synchronizeState();
      return fn(this.vcpu.state);
    });
  }

  /** Guest memory at a virtual (or physical) address; undefined where nothing readable is mapped. */
  readMemory(address: number, length: number): Promise<Uint8Array | undefined> {
    return this.withState((state) => {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; ) {
        const where = this.physical(state, address + i);
        if (where === undefined) return undefined;
        const region = this.machine.memory.find(where);
        if (!region?.bytes) return undefined; // unmapped or MMIO: reading could disturb a device
        const n = Math.min(length - i, region.base + region.size - where, 4096 - ((address + i) % 4096));
        out.set(region.bytes.subarray(where - region.base, where - region.base + n), i);
        i += n;
      }
      return out;
    });
  }

  /** Write guest RAM at a virtual (or physical) address; false when any byte is not RAM. */
  writeMemory(address: number, bytes: Uint8Array): Promise<boolean> {
    return this.withState((state) => {
      const plan: { region: Uint8Array; offset: number; from: number; n: number }[] = [];
      for (let i = 0; i < bytes.length; ) {
        const where = this.physical(state, address + i);
        if (where === undefined) return false;
        const region = this.machine.memory.find(where);
        if (!region?.bytes || region.readonly) return false;
        const n = Math.min(
          bytes.length - i,
          region.base + region.size - where,
          4096 - ((address + i) % 4096),
        );
        plan.push({ region: region.bytes, offset: where - region.base, from: i, n });
        i += n;
      }
      for (const p of plan) p.region.set(bytes.subarray(p.from, p.from + p.n), p.offset);
      // Code the accelerator translated from these bytes is stale now.
      for (const v of this.machine.vcpus) v.dropCaches();
      return true;
    });
  }

  private physical(state: X86CpuState, address: number): number | undefined {
    if (this.physicalMemory) return address;
    return translateLinear(state, address, (a) => this.machine.memory.read(a, 4));
  }
}
