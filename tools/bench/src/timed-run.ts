import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** One process to start and time. */
export interface RunSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly timeoutMs: number;
  readonly cwd?: string;
}

/** What one timed run saw. Times are milliseconds from just before `spawn`. */
export interface RunOutcome {
  /** First byte on stdout (the guest's serial output for every subject), if any. */
  readonly firstByteMs: number | undefined;
  /** The process exit. */
  readonly exitMs: number;
  readonly status: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Spawn error (e.g. ENOENT), if the process never ran. */
  readonly spawnError?: string;
}

/** Run a process to completion, recording when its first stdout byte and its exit happen. */
export function timedRun(spec: RunSpec): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let firstByteMs: number | undefined;
    let exitMs = 0;
    let timedOut = false;
    let spawnError: string | undefined;
    // Taken immediately before spawn: "process start" includes fork/exec and runtime start-up.
    const t0 = performance.now();
    const child = spawn(spec.file, [...spec.args], {
      cwd: spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, spec.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (firstByteMs === undefined) firstByteMs = performance.now() - t0;
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('exit', () => {
      exitMs = performance.now() - t0;
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        firstByteMs,
        exitMs: exitMs || performance.now() - t0,
        status,
        signal,
        timedOut,
        stdout: Buffer.concat(stdout).toString('latin1'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        spawnError,
      });
    });
  });
}

/** The first meaningful line of a failed run, for "failed: …" cells. */
export function describeFailure(outcome: RunOutcome, expectation: string): string {
  if (outcome.spawnError) return `could not start: ${outcome.spawnError}`;
  if (outcome.timedOut) return `timed out (${expectation})`;
  const err = outcome.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^qemu-system-\w+: warning:/.test(l))[0];
  const status = outcome.signal ? `signal ${outcome.signal}` : `status ${outcome.status}`;
  const out = JSON.stringify(outcome.stdout.slice(0, 80));
  return `${expectation}; got ${status}, output ${out}${err ? `, stderr: ${err.slice(0, 200)}` : ''}`;
}
