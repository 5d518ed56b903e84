import { join } from 'node:path';
import type { KvmDescription } from './environment.js';
import { type Guest, runnersDir } from './guests.js';
import type { PeerStatus } from './peers.js';
import { describeFailure, type RunOutcome, type RunSpec, timedRun } from './timed-run.js';

/** Everything the bench can time: tsvm on each accelerator and the peers. */
export type SubjectId = 'tsvm-tcg' | 'tsvm-kvm' | 'qemu-tcg' | 'qemu-kvm' | 'v86';
export const SUBJECT_IDS: readonly SubjectId[] = ['tsvm-tcg', 'tsvm-kvm', 'qemu-tcg', 'qemu-kvm', 'v86'];

/** Guest RAM every subject gets, so no one wins by allocating less. */
export const GUEST_RAM_MIB = 128;

/** Per-run variations: guest RAM, and options only tsvm understands (snapshot files). */
export interface CommandOptions {
  readonly ramMiB?: number;
  readonly tsvmArgs?: readonly string[];
}

export interface Subject {
  readonly id: SubjectId;
  /** Process exit status when the guest ended through debug-exit with value 0. */
  readonly expectStatus: number;
  command(guest: Guest, timeoutMs: number, options?: CommandOptions): RunSpec;
}

export type Availability =
  | { readonly available: true; readonly subject: Subject }
  | { readonly available: false; readonly reason: string };

function qemu(id: SubjectId, accel: 'tcg' | 'kvm'): Subject {
  return {
    id,
    expectStatus: 1, // isa-debug-exit: (0 << 1) | 1
    command: (guest, timeoutMs, options) => ({
      file: 'qemu-system-i386',
      args: [
        '-kernel',
        guest.path,
        '-m',
        `${options?.ramMiB ?? GUEST_RAM_MIB}M`,
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=4',
        '-serial',
        'stdio',
        '-display',
        'none',
        '-nodefaults',
        '-no-reboot',
        '-accel',
        accel,
      ],
      timeoutMs,
    }),
  };
}

function tsvm(id: SubjectId, cli: string, accel: 'tcg' | 'kvm'): Subject {
  return {
    id,
    expectStatus: 1, // debug-exit port 0xf4, QEMU semantics
    command: (guest, timeoutMs, options) => ({
      file: process.execPath,
      args: [
        cli,
        'run',
        guest.path,
        '--accel',
        accel,
        '--serial',
        'stdio',
        '-m',
        `${options?.ramMiB ?? GUEST_RAM_MIB}M`,
        ...(options?.tsvmArgs ?? []),
      ],
      timeoutMs,
    }),
  };
}

const v86: Subject = {
  id: 'v86',
  expectStatus: 0, // the runner's own status: v86 has no debug-exit device, the end is seen on serial
  command: (guest, timeoutMs, options) => ({
    file: process.execPath,
    args: [
      join(runnersDir, 'v86-run.mjs'),
      guest.path,
      ...(guest.output.endsWith('\n') ? ['--until-newline'] : ['--until-bytes', String(guest.output.length)]),
      '--memory-mib',
      String(options?.ramMiB ?? GUEST_RAM_MIB),
      '--timeout-s',
      String(Math.ceil(timeoutMs / 1000)),
    ],
    timeoutMs: timeoutMs + 5000, // the runner enforces its own timeout first and says so
  }),
};

/** Undefined when the run did what the guest must do on every subject; otherwise why not. */
export function checkOutcome(subject: Subject, guest: Guest, outcome: RunOutcome): string | undefined {
  const ok =
    !outcome.timedOut && outcome.status === subject.expectStatus && outcome.stdout.startsWith(guest.output);
  if (ok) return undefined;
  return describeFailure(
    outcome,
    `expected status ${subject.expectStatus} and output ${JSON.stringify(guest.output)}`,
  );
}

export interface SubjectContext {
  readonly qemu: PeerStatus;
  readonly v86: PeerStatus;
  readonly kvm: KvmDescription;
  /** packages/cli/dist/main.js when built. */
  readonly tsvmCli: string | undefined;
  /** Guest that proves a subject works before it is timed. */
  readonly probeGuest: Guest;
  readonly timeoutMs: number;
  readonly only?: readonly SubjectId[];
}

/** Decide which subjects can run here, each proven by one run of the probe guest. */
export async function resolveSubjects(ctx: SubjectContext): Promise<Record<SubjectId, Availability>> {
  const kvmReason = ctx.kvm.device === 'usable' ? undefined : `/dev/kvm is ${ctx.kvm.device}`;
  const candidates: Record<SubjectId, Subject | string> = {
    'tsvm-tcg': ctx.tsvmCli
      ? tsvm('tsvm-tcg', ctx.tsvmCli, 'tcg')
      : 'the tsvm command is not built (packages/cli/dist/main.js is missing)',
    'tsvm-kvm': !ctx.tsvmCli
      ? 'the tsvm command is not built (packages/cli/dist/main.js is missing)'
      : (kvmReason ?? tsvm('tsvm-kvm', ctx.tsvmCli, 'kvm')),
    'qemu-tcg': ctx.qemu.status === 'missing' ? `QEMU missing: ${ctx.qemu.reason}` : qemu('qemu-tcg', 'tcg'),
    'qemu-kvm':
      ctx.qemu.status === 'missing'
        ? `QEMU missing: ${ctx.qemu.reason}`
        : (kvmReason ?? qemu('qemu-kvm', 'kvm')),
    v86: ctx.v86.status === 'missing' ? `v86 missing: ${ctx.v86.reason}` : v86,
  };
  const result = {} as Record<SubjectId, Availability>;
  for (const id of SUBJECT_IDS) {
    const candidate = candidates[id];
    if (ctx.only && !ctx.only.includes(id)) {
      result[id] = { available: false, reason: 'not selected (--subjects)' };
    } else if (typeof candidate === 'string') {
      result[id] = { available: false, reason: candidate };
    } else {
      const outcome = await timedRun(candidate.command(ctx.probeGuest, ctx.timeoutMs));
      const failure = checkOutcome(candidate, ctx.probeGuest, outcome);
      result[id] = failure
        ? { available: false, reason: `probe run of ${ctx.probeGuest.name}.elf failed: ${failure}` }
        : { available: true, subject: candidate };
    }
  }
  return result;
}
