import type { InstructionTime } from './instruction-time.js';

/** How often the pacer looks (host ns). */
const PERIOD_NS = 50e6;
/**
 * Bounds of the rate: a 2 GHz virtual CPU at the fastest, 20 MHz at the slowest (slow enough
 * for a busy host, fast enough that Linux's PIT calibration loop still runs its 5000 rounds in 10 ms).
 */
export const MIN_NS_PER_INSTRUCTION = 0.5;
export const MAX_NS_PER_INSTRUCTION = 50;
/** A lag or lead larger than this is forgotten rather than made up (ns). */
const MAX_DRIFT_NS = 1e9;
/** The drift is worked off over about this much host time (ns). */
const CATCH_UP_NS = 1e9;

/**
 * Keeps instruction-counted guest time close to host time (QEMU's `-icount shift=auto`): every
 * period it measures how many instructions the host ran per nanosecond while the guest was
 * busy and sets the rate so virtual time advances as fast as host time, plus a correction that
 * works off any lag or lead. Every device and the TSC still read the same clock, so a guest's
 * calibration of one against another stays exact whatever the rate does.
 */
export class InstructionPacer {
  private refHostNs = 0;
  private refVirtualNs = 0;
  private lastHostNs = 0;
  private lastInstructions = 0;
  private lastIdleNs = 0;

  constructor(
    private readonly time: InstructionTime,
    private readonly hostNs: () => number,
    private readonly virtualNs: () => number,
  ) {
    this.restart();
  }

  /** Take new references (the machine starts running again after a pause or a snapshot load). */
  restart(): void {
    this.refHostNs = this.lastHostNs = this.hostNs();
    this.refVirtualNs = this.virtualNs();
    this.lastInstructions = this.time.instructions;
    this.lastIdleNs = this.time.idleTotalNs;
  }

  /** Call often while running; acts once per period. */
  update(): void {
    const host = this.hostNs();
    const elapsed = host - this.lastHostNs;
    if (elapsed < PERIOD_NS) return;
    const instructions = this.time.instructions - this.lastInstructions;
    const busyNs = elapsed - (this.time.idleTotalNs - this.lastIdleNs);
    this.lastHostNs = host;
    this.lastInstructions = this.time.instructions;
    this.lastIdleNs = this.time.idleTotalNs;
    let drift = this.virtualNs() - this.refVirtualNs - (host - this.refHostNs);
    if (Math.abs(drift) > MAX_DRIFT_NS) {
      this.refVirtualNs += drift - Math.sign(drift) * MAX_DRIFT_NS;
      drift = Math.sign(drift) * MAX_DRIFT_NS;
    }
    // Too little busy time to measure the host's speed: keep the rate.
    if (instructions <= 0 || busyNs < PERIOD_NS / 10) return;
    const hostNsPerInstruction = busyNs / instructions;
    // Virtual time should gain `busy` per busy host ns, less a share of the drift.
    const wanted = hostNsPerInstruction * Math.max(0.25, 1 - drift / CATCH_UP_NS);
    const old = this.time.nsPerInstruction;
    // Move halfway, never more than a factor of two per period.
    const next = Math.min(old * 2, Math.max(old / 2, (old + wanted) / 2));
    this.time.nsPerInstruction = Math.min(MAX_NS_PER_INSTRUCTION, Math.max(MIN_NS_PER_INSTRUCTION, next));
  }
}
