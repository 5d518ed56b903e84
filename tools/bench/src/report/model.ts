import type { Environment } from '../environment.js';
import type { PeerStatus } from '../peers.js';
import type { SubjectId } from '../subjects.js';

/** One measured figure, or the honest reason there is none. Never a made-up number. */
export type Cell =
  | { readonly status: 'ok'; readonly medianMs: number; readonly samplesMs: readonly number[] }
  | { readonly status: 'not available'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'skipped'; readonly reason: string };

export interface ThroughputRow {
  readonly guest: string;
  readonly instructions: number;
  readonly wall: Partial<Record<SubjectId, Cell>>;
  /** Guest instructions per second over the whole process run (start-up included). */
  readonly instructionsPerSecond: Partial<Record<SubjectId, number>>;
  /** Same, with the subject's median start-up-to-exit time of the tiny guest subtracted. */
  readonly instructionsPerSecondExStartup: Partial<Record<SubjectId, number>>;
  /** tsvm-tcg wall time divided by the peer's (above 1: tsvm is slower). */
  readonly tsvmTcgVs: Partial<Record<'qemu-tcg' | 'v86', number>>;
}

export interface StartupRow {
  readonly subject: SubjectId;
  readonly firstByte: Cell;
  readonly exit: Cell;
}

export interface ExitCostRow {
  readonly subject: SubjectId;
  readonly portWrites: number;
  readonly withExits: Cell;
  readonly baseline: Cell;
  /** (median with exits - median baseline) / port writes, in microseconds. */
  readonly perExitUs?: number;
  readonly reason?: string;
}

export interface AccelKvmBench {
  readonly status: 'ok' | 'not available' | 'failed' | 'skipped';
  readonly reason?: string;
  /** tsvm-kvm per-exit cost divided by the C program's, as the accel-kvm bench reported it. */
  readonly ratioVsC?: number;
  /** Every row of the accel-kvm bench's ratio table (C program, binding, full backend…). */
  readonly ratios?: readonly { readonly label: string; readonly ratio: number }[];
  readonly source?: string;
  readonly raw?: string;
}

export interface SnapshotRow {
  readonly scenario: string;
  readonly ramMiB: number;
  readonly save: Cell;
  readonly load: Cell;
  readonly fileBytes?: number;
}

export interface SnapshotCliRow {
  readonly guest: string;
  readonly scenario: string;
  readonly ramMiB: number;
  /** `tsvm run GUEST`, no snapshot. */
  readonly plain: Cell;
  /** `tsvm run GUEST --savevm-at-exit FILE`. */
  readonly save: Cell;
  /** `tsvm run GUEST --loadvm FILE` (the resumed guest halts at once). */
  readonly load: Cell;
  /** Median save run minus median plain run. */
  readonly saveCostMs?: number;
  readonly fileBytes?: number;
}

export interface LinuxBootRow {
  readonly subject: SubjectId;
  readonly banner: Cell;
  readonly prompt: Cell;
}

export interface BenchReport {
  readonly schema: 1;
  readonly environment: Environment;
  readonly provisional: string | undefined;
  readonly runsPerMeasurement: number;
  /** The guests measured: instruction counts and the SHA-256 of each image, so figures stay tied to them. */
  readonly guests: Record<string, { readonly instructions: number; readonly sha256: string }>;
  readonly peers: { readonly qemu: PeerStatus; readonly v86: PeerStatus };
  readonly subjects: Record<SubjectId, { readonly available: boolean; readonly reason?: string }>;
  readonly throughput: readonly ThroughputRow[];
  readonly startup: readonly StartupRow[];
  readonly kvmExit: {
    readonly accelKvmBench: AccelKvmBench;
    readonly portIo: readonly ExitCostRow[];
    readonly tsvmVsQemuKvm?: number;
  };
  readonly snapshot: readonly SnapshotRow[];
  readonly snapshotCli: readonly SnapshotCliRow[];
  /** The C workloads (guests/c) on tsvm with the block compiler off/on and the TCG peers. */
  readonly compiledC: readonly CompiledCRow[];
  /** Debian's 686 kernel + busybox initramfs: process start to the /init banner and to the shell prompt. */
  readonly linuxBoot?: readonly LinuxBootRow[];
  readonly loadAverageAfter: readonly number[];
}

/** Who runs the C workloads: tsvm's TCG with the block compiler off and on, and the TCG peers. */
export type CompiledCSubject = 'tsvm-tcg-interpreter' | 'tsvm-tcg-compiler' | 'qemu-tcg' | 'v86';

export interface CompiledCRow {
  readonly workload: string;
  /** The image timed (guests/c), its size and the checksum every run had to print. */
  readonly image: string;
  readonly iterations: number;
  readonly checksum: string;
  readonly x87: boolean;
  readonly wall: Partial<Record<CompiledCSubject, Cell>>;
  /** tsvm-tcg interpreter wall time ÷ the subject's (above 1: the subject is faster). */
  readonly interpreterVs: Partial<Record<CompiledCSubject, number>>;
  /** tsvm-tcg block-compiler wall time ÷ the subject's. */
  readonly compilerVs: Partial<Record<CompiledCSubject, number>>;
}
