/**
 * Guest time counted in retired instructions (QEMU's `-icount`): every device timer, the PIT,
 * the RTC and the TSC then move together with the code the guest runs, however unevenly the
 * host executes it (garbage collection, compilation, a busy machine). A kernel that calibrates
 * one clock against another always gets a consistent answer, and a busy-wait of N microseconds
 * always costs about the same number of instructions.
 *
 * While every vCPU is halted nothing retires, so the machine adds the idle time it slept
 * (`skip`): an idle guest's clock follows the host's. The rate (virtual ns per instruction) is
 * fixed for reproducible runs, or adjusted by an `InstructionPacer` so guest time keeps up with
 * the host's.
 */
export class InstructionTime {
  private baseNs = 0;
  private baseRetired: number;
  private rate: number;
  /** Idle time added so far (ns). */
  private idleNs = 0;

  constructor(
    /** Instructions retired so far by every vCPU together; never decreases. */
    private readonly retired: () => number,
    nsPerInstruction: number,
  ) {
    checkRate(nsPerInstruction);
    this.rate = nsPerInstruction;
    this.baseRetired = retired();
  }

  nowNs(): number {
    return this.baseNs + (this.retired() - this.baseRetired) * this.rate;
  }

  get nsPerInstruction(): number {
    return this.rate;
  }

  /** Change the rate from now on; the time reads on without a jump. */
  set nsPerInstruction(ns: number) {
    checkRate(ns);
    this.baseNs = this.nowNs();
    this.baseRetired = this.retired();
    this.rate = ns;
  }

  get instructions(): number {
    return this.retired();
  }

  get idleTotalNs(): number {
    return this.idleNs;
  }

  /** Time passed with every vCPU halted. */
  skip(ns: number): void {
    if (!(ns > 0)) return;
    this.baseNs += ns;
    this.idleNs += ns;
  }

  /** Instructions to run before the clock reaches `deltaNs` from now (at least one). */
  instructionsFor(deltaNs: number): number {
    return Math.max(1, Math.ceil(deltaNs / this.rate));
  }
}

function checkRate(ns: number): void {
  if (!(ns > 0) || !Number.isFinite(ns))
    throw new Error(`nsPerInstruction must be a positive number, got ${ns}`);
}
