import type { Accelerator, AcceleratorVm, InterruptLines, VcpuExit } from '../accelerator.js';
import type { DebugExit } from '../guest-debug.js';
import { IoPortBus } from '../io/io-port-bus.js';
import { GuestMemory } from '../memory/guest-memory.js';
import { type DecodedSnapshot, decodeSnapshot, encodeSnapshot } from '../snapshot/snapshot-container.js';
import { SnapshotError } from '../snapshot/snapshot-error.js';
import { checkSectionVersion, recordSection, type SnapshotSection } from '../snapshot/snapshot-section.js';
import type { ArchSupport } from './arch-support.js';
import { InstructionPacer } from './instruction-pacer.js';
import { InstructionTime } from './instruction-time.js';
import { ramSection } from './ram-section.js';
import { ResetRegistry } from './reset-registry.js';
import { Vcpu } from './vcpu.js';
import { hostNowNs, VirtualClock } from './virtual-clock.js';

export interface MachineOptions<State> {
  readonly arch: ArchSupport<State>;
  readonly accelerator: Accelerator;
  readonly cpuCount?: number;
  /** What a CPU shutdown (x86 triple fault) does: reset the machine (QEMU's default) or stop it. */
  readonly onShutdown?: 'reset' | 'stop';
  /** Longest stretch of guest execution before the machine returns to the event loop. */
  readonly sliceMs?: number;
  /**
   * What drives the virtual clock: `instructions` (retired guest instructions, QEMU's icount:
   * deterministic, needs vCPUs that count them), `host` (host time), or `auto` (the default):
   * instructions when every vCPU counts them, host time otherwise.
   */
  readonly clock?: ClockSource | 'auto';
  /**
   * Virtual nanoseconds per instruction under the instruction clock: a fixed number (runs are
   * then reproducible), or `auto` (the default): a rate adjusted so guest time keeps up with
   * host time (QEMU's `-icount shift=auto`).
   */
  readonly nsPerInstruction?: number | 'auto';
}

export type ClockSource = 'host' | 'instructions';

/** The adaptive rate's starting point (ns per instruction). */
const INITIAL_NS_PER_INSTRUCTION = 10;

/** Why `run` returned. */
export type MachineStop =
  /** The guest asked to exit (x86: debug-exit port) with this process status. */
  | { readonly reason: 'exit'; readonly status: number }
  | { readonly reason: 'shutdown'; readonly message: string }
  | { readonly reason: 'halted'; readonly message: string }
  | { readonly reason: 'error'; readonly message: string; readonly dump?: string }
  | { readonly reason: 'quit' }
  | { readonly reason: 'timeout' };

export type MachinePhase = 'created' | 'running' | 'paused' | 'stopped';

const NO_INTERRUPTS: InterruptLines = {
  hasInterrupt: () => false,
  acknowledge: () => {
    throw new Error('no interrupt controller is attached');
  },
  hasNmi: () => false,
  takeNmi: () => {},
};

/** How long a halted vCPU sleeps at most before looking again (ms). */
const HALT_POLL_MS = 20;

/**
 * A virtual machine: memory map, port bus, reset registry, snapshot sections and vCPUs on one
 * accelerator. It calls the vCPU synchronization hooks at exactly four points:
 *  1. `save()`:  synchronize-all-states before any section is serialized;
 *  2. `load()`:  synchronize-all-post-init after every section is restored;
 *  3. `start()`: synchronize-all-post-init before the first instruction;
 *  4. `reset()`: synchronize-all-post-reset after every reset handler has run.
 * Devices, loaders and reset handlers edit canonical state only.
 */
export class Machine<State = unknown> {
  readonly memory: GuestMemory;
  readonly ports = new IoPortBus();
  readonly resets = new ResetRegistry();
  readonly clock = new VirtualClock();
  readonly vcpus: Vcpu<State>[] = [];
  readonly arch: ArchSupport<State>;
  readonly accelerator: Accelerator;

  private readonly sections = new Map<string, SnapshotSection>();
  private interrupts: InterruptLines = NO_INTERRUPTS;
  private phaseValue: MachinePhase = 'created';
  private stopRequest: MachineStop | undefined;
  private resetRequested = false;
  private pauseRequested = false;
  private inGuest = false;
  private wake: (() => void) | undefined;
  private readonly safePointQueue: (() => void)[] = [];
  private readonly debugListeners: ((vcpu: number, exit: DebugExit) => void)[] = [];
  private readonly onShutdown: 'reset' | 'stop';
  private readonly sliceNs: number;
  private instructionTime: InstructionTime | undefined;
  private pacer: InstructionPacer | undefined;

  private constructor(
    options: MachineOptions<State>,
    private readonly vm: AcceleratorVm,
  ) {
    this.arch = options.arch;
    this.accelerator = options.accelerator;
    this.onShutdown = options.onShutdown ?? 'reset';
    this.sliceNs = (options.sliceMs ?? 10) * 1e6;
    this.memory = new GuestMemory(
      vm.allocateMemory ? (bytes, name) => vm.allocateMemory!(bytes, name) : undefined,
    );
    this.memory.listen({ added: (r) => vm.mapRegion?.(r), removed: (r) => vm.unmapRegion?.(r) });
    this.registerSection(ramSection(this.memory));
    this.registerSection(
      recordSection({
        name: 'clock',
        version: 1,
        save: () => ({ nowNs: this.clock.nowNs() }),
        load: (fields) => {
          const now = fields.number('nowNs');
          return () => this.clock.set(now);
        },
      }),
    );
  }

  static async create<State>(options: MachineOptions<State>): Promise<Machine<State>> {
    const cpuCount = options.cpuCount ?? 1;
    if (!Number.isInteger(cpuCount) || cpuCount < 1)
      throw new Error(`cpuCount must be a positive integer, got ${cpuCount}`);
    const vm = await options.accelerator.createVm({ arch: options.arch.name, cpuCount });
    const machine = new Machine(options, vm);
    for (let index = 0; index < cpuCount; index++) await machine.addVcpu(index);
    machine.selectClock(options);
    return machine;
  }

  private selectClock(options: MachineOptions<State>): void {
    const wanted = options.clock ?? 'auto';
    if (wanted !== 'auto' && wanted !== 'host' && wanted !== 'instructions')
      throw new Error(`clock must be 'auto', 'host' or 'instructions', got '${String(wanted)}'`);
    const counting = this.vcpus.every((v) => v.instructionsRetired !== undefined);
    if (wanted === 'instructions' && !counting)
      throw new Error(
        `accelerator '${this.accelerator.name}' does not count guest instructions, so the instruction clock cannot be used`,
      );
    if (wanted === 'host' || !counting) return;
    const rate = options.nsPerInstruction ?? 'auto';
    if (rate !== 'auto' && typeof rate !== 'number')
      throw new Error(`nsPerInstruction must be a positive number or 'auto', got '${String(rate)}'`);
    const vcpus = this.vcpus;
    const time = new InstructionTime(
      () => {
        let n = 0;
        for (const v of vcpus) n += v.instructionsRetired!;
        return n;
      },
      rate === 'auto' ? INITIAL_NS_PER_INSTRUCTION : rate,
    );
    this.instructionTime = time;
    this.clock.setSource(() => time.nowNs());
    if (rate === 'auto') this.pacer = new InstructionPacer(time, hostNowNs, () => this.clock.nowNs());
  }

  /** Virtual nanoseconds per instruction now (instruction clock only). */
  get nsPerInstruction(): number | undefined {
    return this.instructionTime?.nsPerInstruction;
  }

  /** What drives the virtual clock (see `MachineOptions.clock`). */
  get clockSource(): ClockSource {
    return this.instructionTime ? 'instructions' : 'host';
  }

  private async addVcpu(index: number): Promise<void> {
    const state = this.arch.createCpuState(index);
    const vcpu: Vcpu<State> = new Vcpu(
      index,
      state,
      await this.vm.createVcpu({
        index,
        state,
        memory: this.memory,
        ports: this.ports,
        interrupts: {
          hasInterrupt: () => this.interrupts.hasInterrupt(),
          acknowledge: () => this.interrupts.acknowledge(),
          hasNmi: () => this.interrupts.hasNmi(),
          takeNmi: () => this.interrupts.takeNmi(),
          cpuOutput: (line, level) => this.interrupts.cpuOutput?.(line, level),
        },
        nowNs: () => this.clock.nowNs(),
        exitRequested: () => this.exitRequested(),
        prepareEntry: () => vcpu.prepareEntry(),
      }),
    );
    this.vcpus.push(vcpu);
    // CPU state first among reset handlers: devices may look at it when they reset.
    this.resets.register(`cpu/${index}`, () => this.arch.resetCpuState(state, index));
    this.registerSection(
      recordSection({
        name: `cpu/${index}`,
        version: this.arch.cpuStateVersion,
        save: () => this.arch.saveCpuState(state),
        load: (fields, version) => this.arch.prepareCpuStateLoad(state, fields, version),
      }),
    );
  }

  get phase(): MachinePhase {
    return this.phaseValue;
  }

  /** Add a device's (or board's) snapshot section. Names are unique. */
  registerSection(section: SnapshotSection): void {
    if (this.sections.has(section.name))
      throw new Error(`snapshot section '${section.name}' is already registered`);
    this.sections.set(section.name, section);
  }

  get sectionNames(): readonly string[] {
    return [...this.sections.keys()];
  }

  /** Attach the board's interrupt controller. */
  setInterruptLines(lines: InterruptLines): void {
    this.interrupts = lines;
  }

  /** Wake a halted vCPU early (a device raised an interrupt). */
  kick(): void {
    this.wake?.();
  }

  // ---- the four synchronization points -------------------------------------------------

  /** Sync point 3: push Full state before the first instruction. Idempotent. */
  start(): void {
    if (this.phaseValue !== 'created') return;
    for (const v of this.vcpus) v.synchronizePostInit();
    this.phaseValue = 'running';
    this.clock.start();
  }

  /** Sync point 4: every reset handler, then push Reset state to every vCPU. */
  reset(): void {
    this.resets.runAll();
    for (const v of this.vcpus) v.dropCaches();
    for (const v of this.vcpus) v.synchronizePostReset();
    this.resetRequested = false;
  }

  /** Sync point 1: pull every vCPU's state, then serialize every section. */
  save(): Uint8Array {
    for (const v of this.vcpus) v.synchronizeState();
    const sections = [...this.sections.values()].map((s) => ({
      name: s.name,
      version: s.version,
      data: s.save(),
    }));
    return encodeSnapshot(
      { arch: this.arch.name, savedBy: this.accelerator.name, createdAt: new Date().toISOString() },
      sections,
    );
  }

  /**
   * Sync point 2: restore every section, then push Full state. The snapshot is verified and
   * every section validated before anything is changed: a refused snapshot leaves the machine as it was.
   */
  load(bytes: Uint8Array): void {
    const snapshot = decodeSnapshot(bytes);
    const commits = this.prepareLoad(snapshot);
    for (const v of this.vcpus) v.synchronizePreLoadvm();
    for (const commit of commits) commit();
    for (const v of this.vcpus) v.dropCaches();
    for (const v of this.vcpus) v.synchronizePostInit();
    this.pacer?.restart();
    if (this.phaseValue === 'created') {
      this.phaseValue = 'running';
      this.clock.start();
    }
  }

  private prepareLoad(snapshot: DecodedSnapshot): (() => void)[] {
    if (snapshot.arch !== this.arch.name) {
      throw new SnapshotError(
        'foreign',
        `it is for architecture '${snapshot.arch}', this machine is '${this.arch.name}'`,
      );
    }
    const saved = new Map(snapshot.sections.map((s) => [s.name, s]));
    for (const name of saved.keys()) {
      if (!this.sections.has(name))
        throw new SnapshotError('mismatch', `section '${name}' matches no part of this machine`);
    }
    return [...this.sections.values()].map((section) => {
      const data = saved.get(section.name);
      if (!data) throw new SnapshotError('mismatch', `section '${section.name}' is missing`);
      checkSectionVersion(section, data.version);
      return section.prepareLoad(data.data, data.version);
    });
  }

  // ---- run control ------------------------------------------------------------------------

  /** Ask the run loop to stop with this result (devices: debug exit; host: quit). */
  requestStop(stop: MachineStop): void {
    this.stopRequest ??= stop;
    this.kick();
  }

  /** Ask for a system reset at the next safe point (guest reset ports, control socket). */
  requestReset(): void {
    this.resetRequested = true;
    this.kick();
  }

  pause(): void {
    this.pauseRequested = true;
    this.kick();
  }

  resume(): void {
    this.pauseRequested = false;
    this.kick();
  }

  /** Hear about `debug` exits; the machine is already paused when a listener runs. */
  onDebugExit(listener: (vcpu: number, exit: DebugExit) => void): void {
    this.debugListeners.push(listener);
  }

  get paused(): boolean {
    return this.pauseRequested;
  }

  /**
   * Run `fn` when no vCPU is inside the guest (immediately if none is). Control-socket
   * commands such as savevm go through here.
   */
  atSafePoint<T>(fn: () => T): Promise<T> {
    if (!this.inGuest) {
      try {
        return Promise.resolve(fn());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.safePointQueue.push(() => {
        try {
          resolve(fn());
        } catch (e) {
          reject(e);
        }
      });
      this.kick();
    });
  }

  private exitRequested(): boolean {
    return (
      this.stopRequest !== undefined ||
      this.resetRequested ||
      this.pauseRequested ||
      this.safePointQueue.length > 0
    );
  }

  /** Run until the guest exits, fails, halts for good, or `timeoutMs` of virtual time pass. */
  async run(options: { timeoutMs?: number } = {}): Promise<MachineStop> {
    this.start();
    if (this.phaseValue === 'stopped') return { reason: 'quit' };
    const timeoutAt =
      options.timeoutMs === undefined
        ? Number.POSITIVE_INFINITY
        : this.clock.nowNs() + options.timeoutMs * 1e6;
    // Yields to the event loop follow host time whatever drives the virtual clock.
    let lastYield = hostNowNs();
    for (;;) {
      this.drainSafePoints();
      if (this.stopRequest) return this.finish(this.stopRequest);
      if (this.resetRequested) this.reset();
      if (this.pauseRequested) {
        this.clock.stop();
        this.phaseValue = 'paused';
        await this.sleep(HALT_POLL_MS);
        continue;
      }
      if (!this.clock.running) {
        this.clock.start();
        this.pacer?.restart(); // the time stopped was neither host nor guest time
      }
      this.phaseValue = 'running';
      this.clock.runExpired();
      const now = this.clock.nowNs();
      if (now >= timeoutAt) return this.finish({ reason: 'timeout' });
      const deadlineNs = Math.min(this.clock.nextDeadlineNs(), now + this.sliceNs, timeoutAt);
      let halted = true;
      let wakeable = false;
      for (const vcpu of this.vcpus) {
        const exit = await this.enter(vcpu, deadlineNs);
        if (exit.kind === 'debug') {
          // The debugger owns the stopped machine until it resumes it.
          this.pauseRequested = true;
          for (const l of this.debugListeners) l(vcpu.index, exit);
          halted = false;
          continue;
        }
        const stop = this.handleExit(exit);
        if (stop) return this.finish(stop);
        if (exit.kind !== 'halt') halted = false;
        else if (exit.wakeable) wakeable = true;
      }
      if (halted && !this.exitRequested()) {
        if (!wakeable && this.clock.nextDeadlineNs() === Number.POSITIVE_INFINITY) {
          return this.finish({
            reason: 'halted',
            message: 'vCPU halted with interrupts disabled and nothing pending',
          });
        }
        // Sleep until the next timer, an interrupt (kick), or a poll interval.
        const untilNs = Math.min(this.clock.nextDeadlineNs(), timeoutAt) - this.clock.nowNs();
        const sleptFrom = hostNowNs();
        await this.sleep(Math.max(0, Math.min(HALT_POLL_MS, untilNs / 1e6)));
        lastYield = hostNowNs();
        // Idle time counts as guest time, but never past the timer the guest waits for.
        this.instructionTime?.skip(Math.min(lastYield - sleptFrom, untilNs));
        this.pacer?.update();
      } else if (hostNowNs() - lastYield >= this.sliceNs) {
        this.pacer?.update();
        await this.yieldToHost(); // let sockets, stdin and timers in
        lastYield = hostNowNs();
      }
    }
  }

  private async enter(vcpu: Vcpu<State>, deadlineNs: number): Promise<VcpuExit> {
    this.inGuest = true;
    try {
      const time = this.instructionTime;
      // Under the instruction clock the deadline is an exact instruction count.
      if (time)
        return await vcpu.run({
          deadlineNs,
          maxInstructions: time.instructionsFor(deadlineNs - this.clock.nowNs()),
        });
      return await vcpu.run({ deadlineNs });
    } catch (e) {
      return {
        kind: 'error',
        message: `accelerator '${this.accelerator.name}' failed: ${(e as Error)?.message ?? String(e)}`,
      };
    } finally {
      this.inGuest = false;
    }
  }

  private handleExit(exit: VcpuExit): MachineStop | undefined {
    switch (exit.kind) {
      case 'yield':
      case 'halt':
        return undefined;
      case 'shutdown':
        if (this.onShutdown === 'reset') {
          this.resetRequested = true;
          return undefined;
        }
        return { reason: 'shutdown', message: exit.reason };
      case 'error':
        return { reason: 'error', message: exit.message, dump: exit.dump };
      default:
        return {
          reason: 'error',
          message: `accelerator '${this.accelerator.name}' returned an invalid exit: ${JSON.stringify(exit)}`,
        };
    }
  }

  private drainSafePoints(): void {
    while (this.safePointQueue.length > 0) this.safePointQueue.shift()!();
  }

  private finish(stop: MachineStop): MachineStop {
    this.stopRequest = undefined;
    this.clock.stop();
    this.phaseValue = 'paused';
    return stop;
  }

  /**
   * Let the host's event loop run once and come straight back: `setImmediate` where the host has
   * it (Node: I/O callbacks run first, and no timer's 1 ms minimum is lost — that was a tenth
   * of every busy second at 10 ms slices), otherwise a zero timeout.
   */
  private yieldToHost(): Promise<void> {
    const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
    if (immediate === undefined) return this.sleep(0);
    return new Promise((resolve) => void immediate(resolve));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Stop for good and release the accelerator's resources. */
  close(): void {
    if (this.phaseValue === 'stopped') return;
    this.phaseValue = 'stopped';
    this.clock.stop();
    for (const v of this.vcpus) v.close();
    this.vm.close?.();
  }
}
