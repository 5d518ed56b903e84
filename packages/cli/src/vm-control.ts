import type { Machine } from '@tsvm/core';

/** QEMU's `RunState` names for what `query-status` reports (the subset tsvm reaches). */
export type RunStatus = 'prelaunch' | 'running' | 'paused' | 'debug' | 'shutdown';

/** Why the VM shut down, in QEMU's `ShutdownCause` vocabulary (the `SHUTDOWN` event's `reason`). */
export type ShutdownCause =
  | 'host-qmp-quit'
  | 'host-signal'
  | 'host-ui'
  | 'host-error'
  | 'guest-shutdown'
  | 'guest-reset';

/** An asynchronous event for QMP clients: QEMU's event name and its `data` (absent when it has none). */
export type VmEventSink = (event: string, data?: Record<string, unknown>) => void;

/**
 * The one place that starts and stops the vCPUs for the clients (QMP, the gdb stub, the console),
 * so every client sees the same run status and every transition raises the same event.
 */
export class VmControl {
  private statusValue: RunStatus;
  private readonly sinks: VmEventSink[] = [];
  private quitCause: ShutdownCause | undefined;
  private shutdownAnnounced = false;

  constructor(
    readonly machine: Machine,
    startStopped: boolean,
  ) {
    this.statusValue = startStopped ? 'prelaunch' : 'running';
    if (startStopped) machine.pause();
  }

  get status(): RunStatus {
    return this.statusValue;
  }

  get running(): boolean {
    return this.statusValue === 'running';
  }

  onEvent(sink: VmEventSink): void {
    this.sinks.push(sink);
  }

  emit(event: string, data?: Record<string, unknown>): void {
    for (const s of this.sinks) s(event, data);
  }

  /** Pause the vCPUs; `STOP` only when they were running (as QEMU: stopping twice is quiet). */
  stop(why: 'paused' | 'debug' = 'paused'): void {
    const wasRunning = this.statusValue === 'running';
    this.machine.pause();
    if (this.statusValue === 'shutdown') return;
    // A debugger stop overrides a plain pause; a plain pause keeps prelaunch/debug as they were.
    if (wasRunning || why === 'debug') this.statusValue = why;
    if (wasRunning) this.emit('STOP');
  }

  /** Resume the vCPUs; `RESUME` only when they were stopped. */
  cont(): void {
    if (this.statusValue === 'shutdown') return;
    const wasStopped = this.statusValue !== 'running';
    this.statusValue = 'running';
    this.machine.resume();
    if (wasStopped) this.emit('RESUME');
  }

  /** A host-requested system reset (QMP `system_reset`). */
  reset(): void {
    this.machine.requestReset();
    this.emit('RESET', { guest: false, reason: 'host-qmp-system-reset' });
  }

  /** The guest asked for a reset (reset ports, triple fault). */
  guestReset(): void {
    this.emit('RESET', { guest: true, reason: 'guest-reset' });
  }

  /** End the run on the host's behalf (QMP `quit`, a signal, the console's Ctrl-A x). */
  quit(cause: ShutdownCause): void {
    this.quitCause ??= cause;
    this.announceShutdown(cause);
    this.machine.requestStop({ reason: 'quit' });
  }

  /** The run ended: tell the clients why (once), with the cause of a host quit if there was one. */
  finished(stopReason: string): void {
    this.statusValue = 'shutdown';
    const cause: ShutdownCause =
      stopReason === 'quit'
        ? (this.quitCause ?? 'host-qmp-quit')
        : stopReason === 'error'
          ? 'host-error'
          : stopReason === 'timeout'
            ? 'host-signal'
            : stopReason === 'shutdown'
              ? 'guest-reset'
              : 'guest-shutdown';
    this.announceShutdown(cause);
  }

  private announceShutdown(cause: ShutdownCause): void {
    if (this.shutdownAnnounced) return;
    this.shutdownAnnounced = true;
    this.emit('SHUTDOWN', { guest: cause.startsWith('guest-'), reason: cause });
  }
}
