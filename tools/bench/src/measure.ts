import type { Guest } from './guests.js';
import type { Cell } from './report/model.js';
import { median } from './stats.js';
import { type CommandOptions, checkOutcome, type Subject } from './subjects.js';
import { type RunOutcome, timedRun } from './timed-run.js';

/** One (subject, guest) pair to time. */
export interface Job {
  readonly key: string;
  readonly subject: Subject;
  readonly guest: Guest;
  readonly options?: CommandOptions;
  /** Overrides the subject's exit status and the guest's output (e.g. a run resumed from a snapshot). */
  readonly expect?: { readonly status: number; readonly output: string };
}

export type JobResult =
  | { readonly ok: true; readonly outcomes: readonly RunOutcome[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Run every job `runs` times, interleaved (A, B, C, A, B, C, …) so that a change in machine
 * load hits every subject alike. A run with the wrong output or status fails its job, which
 * is not timed further: its figure would not be for the same work.
 */
export async function alternate(
  jobs: readonly Job[],
  runs: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Map<string, JobResult>> {
  const outcomes = new Map<string, RunOutcome[]>(jobs.map((j) => [j.key, []]));
  const failed = new Map<string, string>();
  for (let run = 0; run < runs; run++) {
    for (const job of jobs) {
      if (failed.has(job.key)) continue;
      const outcome = await timedRun(job.subject.command(job.guest, timeoutMs, job.options));
      const failure = job.expect
        ? checkOutcome(
            { ...job.subject, expectStatus: job.expect.status },
            { ...job.guest, output: job.expect.output },
            outcome,
          )
        : checkOutcome(job.subject, job.guest, outcome);
      if (failure) {
        failed.set(job.key, `run ${run + 1}: ${failure}`);
        log(`  ${job.key}: FAILED ${failure}`);
      } else {
        outcomes.get(job.key)!.push(outcome);
        log(`  ${job.key} run ${run + 1}/${runs}: ${outcome.exitMs.toFixed(1)} ms`);
      }
    }
  }
  return new Map(
    jobs.map((j) => {
      const reason = failed.get(j.key);
      return [j.key, reason ? { ok: false, reason } : { ok: true, outcomes: outcomes.get(j.key)! }];
    }),
  );
}

/** A cell from a job's runs, using one figure of each run. */
export function cellOf(result: JobResult | undefined, figure: (o: RunOutcome) => number | undefined): Cell {
  if (!result) return { status: 'not available', reason: 'not run' };
  if (!result.ok) return { status: 'failed', reason: result.reason };
  const samples = result.outcomes.map(figure);
  if (samples.some((s) => s === undefined))
    return { status: 'failed', reason: 'a run produced no value for this figure' };
  const samplesMs = (samples as number[]).map((s) => Math.round(s * 100) / 100);
  return { status: 'ok', medianMs: Math.round(median(samplesMs) * 100) / 100, samplesMs };
}
