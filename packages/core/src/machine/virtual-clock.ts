/** Host monotonic time in nanoseconds (`performance.now` exists in browsers and Node alike). */
export function hostNowNs(): number {
  return performance.now() * 1e6;
}

export interface TimerHandle {
  cancel(): void;
}

interface Timer {
  deadlineNs: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * The machine's clock: follows its source (host time, or retired instructions) while running,
 * stands still while the machine is stopped, and can be set when a snapshot is loaded. Devices
 * schedule their timers on it.
 */
export class VirtualClock {
  private offsetNs: number;
  private stoppedAtNs: number | undefined;
  private timers: Timer[] = [];

  constructor(private hostNs: () => number = hostNowNs) {
    this.offsetNs = -hostNs();
    this.stoppedAtNs = 0;
  }

  nowNs(): number {
    return this.stoppedAtNs ?? this.hostNs() + this.offsetNs;
  }

  get running(): boolean {
    return this.stoppedAtNs === undefined;
  }

  stop(): void {
    if (this.stoppedAtNs === undefined) this.stoppedAtNs = this.nowNs();
  }

  start(): void {
    if (this.stoppedAtNs === undefined) return;
    this.offsetNs = this.stoppedAtNs - this.hostNs();
    this.stoppedAtNs = undefined;
  }

  /** Jump to `ns` (snapshot load). Keeps the running/stopped state. */
  set(ns: number): void {
    if (this.stoppedAtNs !== undefined) this.stoppedAtNs = ns;
    else this.offsetNs = ns - this.hostNs();
  }

  /** Follow another time source from now on (e.g. retired instructions); the time reads on without a jump. */
  setSource(source: () => number): void {
    const now = this.nowNs();
    this.hostNs = source;
    this.set(now);
  }

  /** Call `callback` once the clock reaches `deadlineNs`. */
  schedule(deadlineNs: number, callback: () => void): TimerHandle {
    const timer: Timer = { deadlineNs, callback, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Earliest pending deadline, or Infinity. */
  nextDeadlineNs(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.timers) if (!t.cancelled && t.deadlineNs < next) next = t.deadlineNs;
    return next;
  }

  /** Fire every timer whose deadline has passed (callbacks may schedule new timers). */
  runExpired(): void {
    const now = this.nowNs();
    const due = this.timers.filter((t) => !t.cancelled && t.deadlineNs <= now);
    if (due.length === 0) {
      if (this.timers.some((t) => t.cancelled)) this.timers = this.timers.filter((t) => !t.cancelled);
      return;
    }
    this.timers = this.timers.filter((t) => !t.cancelled && t.deadlineNs > now);
    due.sort((a, b) => a.deadlineNs - b.deadlineNs);
    for (const t of due) t.callback();
  }
}
