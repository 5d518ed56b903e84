import type { AcceleratorVcpu, RunLimits, VcpuExit } from '../accelerator.js';
import { type GuestDebugRequest, type GuestDebugSupport, guestDebugProblem } from '../guest-debug.js';
import { WritebackLevel } from '../writeback-level.js';

/**
 * A vCPU as the machine sees it, and the single place the dirty contract lives.
 *
 * "Dirty" means the canonical state is newer than the accelerator's copy. Anyone outside the
 * vCPU loop who reads or writes registers (debugger, monitor command, snapshot) calls
 * `synchronizeState()` first; the accelerator's copy is then pushed back at Runtime level
 * right before the vCPU next enters the guest, and at no other level.
 */
export class Vcpu<State = unknown> {
  private dirtyFlag = false;

  constructor(
    readonly index: number,
    /** The canonical state (for x86: `X86CpuState`). */
    readonly state: State,
    private readonly accel: AcceleratorVcpu,
  ) {}

  /** The canonical state is newer than the accelerator's copy. */
  get dirty(): boolean {
    return this.dirtyFlag;
  }

  /** Pull the accelerator's copy into the canonical state (once) and mark the vCPU dirty. */
  synchronizeState(): void {
    if (this.dirtyFlag) return; // canonical is already the newest copy; re-reading would lose edits
    this.accel.readState?.();
    this.dirtyFlag = true;
  }

  /** Push the canonical state at Reset level; the vCPU is clean afterwards. */
  synchronizePostReset(): void {
    this.accel.writeState?.(WritebackLevel.Reset);
    this.dirtyFlag = false;
  }

  /** Push the canonical state at Full level; the vCPU is clean afterwards. */
  synchronizePostInit(): void {
    this.accel.writeState?.(WritebackLevel.Full);
    this.dirtyFlag = false;
  }

  /** A snapshot is about to overwrite the canonical state: treat it as newest. */
  synchronizePreLoadvm(): void {
    this.dirtyFlag = true;
  }

  /** Called before every guest entry (by `run`, and by backends that re-enter inside `run`). */
  prepareEntry(): void {
    if (!this.dirtyFlag) return;
    this.accel.writeState?.(WritebackLevel.Runtime);
    this.dirtyFlag = false;
  }

  /** Drop the accelerator's derived caches (translation blocks, TLBs). */
  dropCaches(): void {
    this.accel.reset?.();
  }

  /** What the accelerator's debug capability offers; undefined when it has none. */
  get debugSupport(): GuestDebugSupport | undefined {
    return this.accel.debug?.support;
  }

  /** Arm breakpoints/single-step for a host debugger; a clear error if the accelerator cannot. */
  setGuestDebug(request: GuestDebugRequest): void {
    const debug = this.accel.debug;
    if (!debug) throw new Error('this accelerator offers no debug capability (breakpoints, single-step)');
    const problem = guestDebugProblem(debug.support, request);
    if (problem) throw new Error(problem);
    debug.set(request);
  }

  /** Guest instructions this vCPU has retired, when its accelerator counts them. */
  get instructionsRetired(): number | undefined {
    return this.accel.instructionsRetired;
  }

  run(limits: RunLimits): VcpuExit | Promise<VcpuExit> {
    this.prepareEntry();
    return this.accel.run(limits);
  }

  close(): void {
    this.accel.close?.();
  }
}
