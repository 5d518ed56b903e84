import { TcgAccelerator, type TcgVm } from '@tsvm/accel-tcg';
import type { MachineStop, VmOptions } from '@tsvm/core';
import { createPcMachine, type PcMachine, planImage } from '@tsvm/pc';
import type { VmState, VmStatus } from './protocol.js';

/** The CLI's default `-m`: a snapshot moves between `tsvm run` and the page unchanged. */
export const DEFAULT_RAM_BYTES = 128 * 1024 * 1024;

/**
 * Longest stretch of guest code between event-loop turns. A browser clamps nested zero-delay
 * timers to 4 ms, so the machine's default 10 ms slices would leave the worker idle 30 % of the
 * time; 50 ms keeps that near 7 % and input latency still unnoticeable.
 */
export const SLICE_MS = 50;

/** Where a session's output goes (the worker posts it to the page; tests collect it). */
export interface SessionHost {
  serial(bytes: Uint8Array): void;
  /** A new machine was created for `name` (called before any of its serial output). */
  booted(name: string): void;
  status(status: VmStatus): void;
  note(level: 'info' | 'error', text: string): void;
}

/** accel-tcg that keeps its VM at hand, so the status line can count retired instructions. */
class ObservedTcg extends TcgAccelerator {
  vm: TcgVm | undefined;
  override createVm(options: VmOptions): TcgVm {
    this.vm = super.createVm(options);
    return this.vm;
  }
}

interface Booted {
  readonly pc: PcMachine;
  readonly accel: ObservedTcg;
  readonly ramBytes: number;
  /** What the status line names: the image booted, or the snapshot loaded over it. */
  label: string;
  /** The live run loop, if any. */
  run: Promise<void> | undefined;
  /** Why the last run loop returned. */
  ended: MachineStop | undefined;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * One PC on accel-tcg and the controls the page offers: boot an image, start/stop, reset,
 * save and load snapshots (the CLI's format: `machine.save()` bytes, unchanged), serial input
 * and output. Host-neutral: the worker drives it, and so can a test under Node.
 */
export class VmSession {
  private current: Booted | undefined;
  private output: number[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingInput: number[] = [];
  private inputTimer: ReturnType<typeof setTimeout> | undefined;
  private sample = { atMs: 0, instructions: 0 };
  private rate = 0;

  constructor(
    private readonly host: SessionHost,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /**
   * Boot `image` (Multiboot kernel or flat binary) on a new machine. A refused image leaves the
   * current machine running untouched. Returns whether the new machine runs.
   */
  async boot(
    image: Uint8Array,
    name: string,
    options: { cmdline?: string; ramBytes?: number } = {},
  ): Promise<boolean> {
    const ramBytes = options.ramBytes ?? DEFAULT_RAM_BYTES;
    const fresh = await this.createMachine(ramBytes, name);
    if (!fresh) return false;
    let kind: string;
    try {
      const planned = planImage(image, fresh.pc.machine.memory, fresh.pc.layout, {
        cmdline: options.cmdline,
      });
      fresh.pc.setBoot(planned.plan);
      kind = planned.kind === 'multiboot' ? 'Multiboot kernel' : 'flat binary at 0x7c00, real mode';
    } catch (e) {
      fresh.pc.machine.close();
      this.host.note('error', `cannot boot '${name}': ${message(e)}`);
      return false;
    }
    await this.replace(fresh, () => this.host.booted(name));
    this.host.note('info', `booted ${name} (${kind}, ${ramBytes / 1024 / 1024} MiB RAM)`);
    return true;
  }

  /** Run (again): resumes a paused machine, or continues one whose guest stopped. */
  start(): void {
    const c = this.current;
    if (!c) {
      this.host.note('error', 'nothing to start: boot an image first');
      return;
    }
    if (c.run) c.pc.machine.resume();
    else this.runLoop(c);
    this.publish();
  }

  /** Pause the guest (the virtual clock stops with it). */
  stop(): void {
    this.current?.pc.machine.pause();
    this.publish();
  }

  /** System reset: every device resets and the boot plan is applied again, as firmware would. */
  reset(): void {
    const c = this.current;
    if (!c) {
      this.host.note('error', 'nothing to reset: boot an image first');
      return;
    }
    if (c.run) c.pc.machine.requestReset();
    else {
      c.pc.machine.reset();
      this.runLoop(c);
    }
    this.host.note('info', 'system reset');
    this.publish();
  }

  /** A snapshot of the whole machine, in the CLI's format. */
  async save(): Promise<{ bytes: Uint8Array; name: string } | undefined> {
    const c = this.current;
    if (!c) {
      this.host.note('error', 'nothing to save: boot an image first');
      return undefined;
    }
    try {
      const bytes = await c.pc.machine.atSafePoint(() => c.pc.machine.save());
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
      const base = c.label.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'tsvm';
      const name = `${base}-${stamp}.snap`;
      this.host.note('info', `snapshot saved: ${name} (${bytes.length} bytes)`);
      return { bytes, name };
    } catch (e) {
      this.host.note('error', `cannot save a snapshot: ${message(e)}`);
      return undefined;
    }
  }

  /**
   * Load a snapshot (from the page or `tsvm run --savevm-at-exit`) and run from it. A refused
   * snapshot (corrupt, foreign, another RAM size) leaves the machine as it was.
   */
  async load(snapshot: Uint8Array, name: string): Promise<boolean> {
    const c = this.current ?? (await this.emptyMachine());
    if (!c) return false;
    try {
      await c.pc.machine.atSafePoint(() => c.pc.machine.load(snapshot));
    } catch (e) {
      const hint = /RAM region/.test(message(e))
        ? ` (this page's machine has ${c.ramBytes / 1024 / 1024} MiB RAM: pick the size the snapshot was saved with, as with the CLI's -m)`
        : '';
      this.host.note('error', `cannot load '${name}': ${message(e)}${hint}`);
      return false;
    }
    c.label = name;
    this.restartRate();
    if (c.run) c.pc.machine.resume();
    else this.runLoop(c);
    this.host.note('info', `snapshot loaded: ${name}`);
    this.publish();
    return true;
  }

  /** Keyboard → COM1. Bytes the UART cannot take yet wait here and are retried. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) this.pendingInput.push(b);
    this.pumpInput();
  }

  /** The status line's figures. Call periodically: the rate is over the time since the last call. */
  status(): VmStatus {
    const c = this.current;
    if (!c) return { state: 'empty', instructions: 0, instructionsPerSecond: 0, virtualNs: 0 };
    const now = this.nowMs();
    const instructions = this.instructionsRetired();
    const elapsedMs = now - this.sample.atMs;
    if (elapsedMs >= 100) {
      this.rate = Math.max(0, ((instructions - this.sample.instructions) * 1000) / elapsedMs);
      this.sample = { atMs: now, instructions };
    }
    const { state, detail } = this.state(c);
    return {
      state,
      detail,
      image: c.label,
      ramBytes: c.ramBytes,
      instructions,
      instructionsPerSecond: state === 'running' ? this.rate : 0,
      virtualNs: c.pc.machine.clock.nowNs(),
    };
  }

  /** Stop for good and release the machine. */
  async close(): Promise<void> {
    await this.replace(undefined);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.inputTimer) clearTimeout(this.inputTimer);
  }

  // ---- internals -----------------------------------------------------------------------------

  private async createMachine(ramBytes: number, what: string): Promise<Booted | undefined> {
    const accel = new ObservedTcg();
    try {
      const pc = await createPcMachine({
        accelerator: accel,
        ramBytes,
        serialOutput: (byte) => this.serialByte(byte),
        sliceMs: SLICE_MS,
      });
      return { pc, accel, ramBytes, label: what, run: undefined, ended: undefined };
    } catch (e) {
      this.host.note('error', `cannot create a machine with ${ramBytes} bytes of RAM: ${message(e)}`);
      return undefined;
    }
  }

  /** A machine with nothing booted, for a snapshot loaded before any image. */
  private async emptyMachine(): Promise<Booted | undefined> {
    const fresh = await this.createMachine(DEFAULT_RAM_BYTES, 'snapshot');
    if (fresh) this.current = fresh;
    return fresh;
  }

  /** Retire the current machine (its run loop ends first) and make `next` current and running. */
  private async replace(next: Booted | undefined, beforeRun?: () => void): Promise<void> {
    const old = this.current;
    this.current = next;
    this.pendingInput = []; // typed for the old guest
    if (old) {
      old.pc.machine.requestStop({ reason: 'quit' });
      await old.run;
      this.flush();
      old.pc.machine.close();
    }
    if (next) {
      beforeRun?.(); // the old machine's output is flushed, the new one's not yet produced
      this.restartRate();
      this.runLoop(next);
    }
    this.publish();
  }

  private runLoop(c: Booted): void {
    if (c.run) return;
    c.ended = undefined;
    c.run = c.pc.machine.run().then(
      (stop) => {
        c.run = undefined;
        if (stop.reason !== 'quit') c.ended = stop;
      },
      (e) => {
        c.run = undefined;
        c.ended = { reason: 'error', message: message(e) };
      },
    );
    void c.run.then(() => {
      if (this.current !== c) return;
      this.flush();
      if (c.ended?.reason === 'error') this.host.note('error', `accelerator error: ${c.ended.message}`);
      this.publish();
    });
  }

  private state(c: Booted): { state: VmState; detail?: string } {
    const end = c.ended;
    if (!end) return { state: c.pc.machine.paused ? 'paused' : 'running' };
    switch (end.reason) {
      case 'exit':
        return { state: 'exited', detail: `debug-exit status ${end.status}` };
      case 'halted':
      case 'shutdown':
        return { state: end.reason, detail: end.message };
      case 'error':
        return { state: 'error', detail: end.message };
      default:
        return { state: 'halted', detail: end.reason };
    }
  }

  private instructionsRetired(): number {
    let n = 0;
    for (const v of this.current?.accel.vm?.vcpus ?? []) n += v.instructionsRetired;
    return n;
  }

  private restartRate(): void {
    this.sample = { atMs: this.nowMs(), instructions: this.instructionsRetired() };
    this.rate = 0;
  }

  private publish(): void {
    this.host.status(this.status());
  }

  private serialByte(byte: number): void {
    this.output.push(byte);
    if (this.output.length >= 4096) this.flush();
    // Fires when the machine next yields to the event loop (at the latest after one slice).
    else this.flushTimer ??= setTimeout(() => this.flush(), 0);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.output.length === 0) return;
    const bytes = Uint8Array.from(this.output);
    this.output = [];
    this.host.serial(bytes);
  }

  private pumpInput(): void {
    const c = this.current;
    if (!c || this.pendingInput.length === 0) return;
    const taken = c.pc.devices.uart.receive(this.pendingInput);
    this.pendingInput = this.pendingInput.slice(taken);
    if (this.pendingInput.length > 0) {
      this.inputTimer ??= setTimeout(() => {
        this.inputTimer = undefined;
        this.pumpInput();
      }, 10);
    }
  }
}
