import type { DebugExit, GuestDebugCapability } from './guest-debug.js';
import type { IoPortBus } from './io/io-port-bus.js';
import type { GuestMemory } from './memory/guest-memory.js';
import type { MemoryRegion } from './memory/memory-region.js';
import type { WritebackLevel } from './writeback-level.js';

/** What `probe()` reports: usable or not, and always why. */
export interface ProbeResult {
  readonly available: boolean;
  /** One human-readable sentence: why it is (un)available. */
  readonly reason: string;
  /** True when guest code runs on hardware virtualisation (near native speed). */
  readonly hardwareAccelerated?: boolean;
}

/** Options the machine passes when it creates a VM on an accelerator. */
export interface VmOptions {
  /** Architecture name, e.g. `x86`. An accelerator refuses architectures it does not run. */
  readonly arch: string;
  readonly cpuCount: number;
}

/**
 * An accelerator: something that runs guest code. Implementations: `@tsvm/accel-tcg`
 * (pure TypeScript) and `@tsvm/accel-kvm` (Linux KVM); third parties may add their own.
 */
export interface Accelerator {
  /** Short name used on the command line (`tcg`, `kvm`). */
  readonly name: string;
  probe(): ProbeResult | Promise<ProbeResult>;
  createVm(options: VmOptions): AcceleratorVm | Promise<AcceleratorVm>;
}

/** The accelerator's side of one virtual machine. */
export interface AcceleratorVm {
  /**
   * Supply backing storage for a RAM or ROM region (KVM hands out mmap'd memory here).
   * Optional: when absent the machine allocates an ordinary `Uint8Array`.
   */
  allocateMemory?(bytes: number, name: string): Uint8Array;
  /** Tell the accelerator that a RAM/ROM/alias region now exists at its guest-physical address. */
  mapRegion?(region: MemoryRegion): void;
  /** Tell the accelerator that a region has been removed (e.g. an alias toggled by the A20 gate). */
  unmapRegion?(region: MemoryRegion): void;
  createVcpu(binding: VcpuBinding): AcceleratorVcpu | Promise<AcceleratorVcpu>;
  /** Release every resource (file descriptors, mappings). The VM is unusable afterwards. */
  close?(): void;
}

/**
 * The accelerator's side of one vCPU. Every hook is optional: an accelerator that keeps no
 * copy of the registers outside the canonical state (the TS executor) implements neither
 * `readState` nor `writeState`. The dirty contract around them lives in core's `Vcpu` and is
 * never re-implemented by a backend:
 *  - `synchronizeState`      → `readState()` unless already dirty, then dirty
 *  - `synchronizePostReset`  → `writeState(Reset)`, clean
 *  - `synchronizePostInit`   → `writeState(Full)`, clean
 *  - `synchronizePreLoadvm`  → dirty
 *  - before each guest entry, a dirty vCPU → `writeState(Runtime)`, clean
 *    (backends that enter the guest several times inside one `run` call `binding.prepareEntry()`).
 */
export interface AcceleratorVcpu {
  /** Copy the accelerator's registers into the canonical state. */
  readState?(): void;
  /** Copy the canonical state into the accelerator, exactly the substates the arch plan lists for `level`. */
  writeState?(level: WritebackLevel): void;
  /** Drop derived caches (translation blocks, TLBs). Called on system reset and after a snapshot load. */
  reset?(): void;
  /** Run guest code until an exit that needs the machine, or until `limits` say stop. */
  run(limits: RunLimits): VcpuExit | Promise<VcpuExit>;
  /** Release the vCPU's resources. */
  close?(): void;
  /**
   * Guest instructions retired since the vCPU was created (monotonic). Optional: an accelerator
   * that counts them lets the machine drive its clock from them (`MachineOptions.clock`), and
   * must then honour `RunLimits.maxInstructions` (give or take one block).
   */
  readonly instructionsRetired?: number;
  /**
   * Breakpoints, watchpoints and single-step for a host debugger (see `guest-debug.ts`).
   * Optional: without it a debugger cannot attach. When armed, `run` may return a `debug` exit.
   */
  readonly debug?: GuestDebugCapability;
}

/** When a `run` call must return to the machine. */
export interface RunLimits {
  /** Return by this virtual-clock time (ns), give or take one block of guest code. */
  readonly deadlineNs: number;
  /** Optional cap on guest instructions for this call (accelerators that count them honour it). */
  readonly maxInstructions?: number;
}

/** Why `run` returned. */
export type VcpuExit =
  /** Time slice or instruction budget used up, or the machine asked the vCPU to return. */
  | { readonly kind: 'yield' }
  /** The vCPU halted. `wakeable` is false when nothing can ever wake it (interrupts disabled). */
  | { readonly kind: 'halt'; readonly wakeable: boolean }
  /** The CPU shut down (x86: triple fault). */
  | { readonly kind: 'shutdown'; readonly reason: string }
  /** The accelerator cannot continue (failed entry, internal error). `dump` is a register dump. */
  | { readonly kind: 'error'; readonly message: string; readonly dump?: string }
  /** A breakpoint, watchpoint or single-step armed through `debug` fired (the vCPU is stopped). */
  | DebugExit;

/** Interrupt lines from the board's interrupt controller to the vCPU. */
export interface InterruptLines {
  /** True while a maskable interrupt is requested. */
  hasInterrupt(): boolean;
  /** Acknowledge the highest-priority request; returns its vector. */
  acknowledge(): number;
  /** True while a non-maskable interrupt is requested; `takeNmi` clears it. */
  hasNmi(): boolean;
  takeNmi(): void;
  /**
   * Optional: a level the CPU drives toward the board on one of its output pins (x86: `'ferr'`,
   * FERR#, which a PC routes to IRQ 13). Boards without such wiring leave it out.
   */
  cpuOutput?(line: string, level: boolean): void;
}

/** The machine's side of a vCPU, handed to the accelerator when it creates the vCPU. */
export interface VcpuBinding {
  readonly index: number;
  /** The canonical state object of the machine's architecture (for x86: `X86CpuState`). */
  readonly state: unknown;
  readonly memory: GuestMemory;
  readonly ports: IoPortBus;
  readonly interrupts: InterruptLines;
  /** Virtual clock in nanoseconds (monotonic, paused while the machine is stopped). */
  nowNs(): number;
  /** True once a device or the host asked the machine to stop, reset or pause: return from `run` soon. */
  exitRequested(): boolean;
  /** Call before every guest entry; pushes Runtime-level state if the vCPU is dirty. */
  prepareEntry(): void;
}
