/**
 * How much of the canonical vCPU state an accelerator must write back into its own copy.
 * The levels are ordered: each includes everything the level below it writes.
 * Which substates each level covers is decided by the architecture package, never by the
 * accelerator (for x86: `writebackPlan(level)` in `@tsvm/arch-x86`).
 */
export enum WritebackLevel {
  /**
   * State that only the vCPU itself changes while it runs. Pushed before a vCPU that was
   * synchronized from outside (debugger, monitor) next enters the guest; other vCPUs may be
   * running. Must never include clocks or run-state (writing the TSC here would rewind the
   * guest's clock every time someone reads its registers).
   */
  Runtime = 1,
  /** State changed by a synchronous system reset; every vCPU is stopped. */
  Reset = 2,
  /** Everything; used after machine init and after a snapshot load. Every vCPU is stopped. */
  Full = 3,
}

export function writebackLevelName(level: WritebackLevel): string {
  switch (level) {
    case WritebackLevel.Runtime:
      return 'Runtime';
    case WritebackLevel.Reset:
      return 'Reset';
    case WritebackLevel.Full:
      return 'Full';
    default:
      return `WritebackLevel(${String(level)})`;
  }
}
