import type { RecordFields } from '../snapshot/record-fields.js';
import type { StateRecord } from '../snapshot/state-record.js';

/**
 * What the machine needs from an architecture package, so core itself knows no x86.
 * `@tsvm/arch-x86` exports one of these as `x86Arch`.
 */
export interface ArchSupport<State = unknown> {
  /** Name recorded in snapshots and passed to accelerators (`x86`). */
  readonly name: string;
  createCpuState(index: number): State;
  /** Put a vCPU's canonical state into its power-on/reset values (runs as a reset handler). */
  resetCpuState(state: State, index: number): void;
  /** Version of the CPU-state snapshot section written by `saveCpuState`. */
  readonly cpuStateVersion: number;
  saveCpuState(state: State): StateRecord;
  /** Validate a saved CPU state and return the assignment that applies it. */
  prepareCpuStateLoad(state: State, fields: RecordFields, version: number): () => void;
  /** A short human-readable register dump (for `info registers` and error reports). */
  formatCpuState(state: State): string;
}
