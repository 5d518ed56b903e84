import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));
export const SCRIPT_ACCEL = fileURLToPath(new URL('./fixtures/script-accelerator.mjs', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

if (!existsSync(CLI))
  throw new Error(`${CLI} is missing: build first (pnpm build, or pnpm test which builds)`);

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  done: Promise<RunResult>;
}

export function start(
  args: string[],
  options: { input?: string | Buffer; keepStdinOpen?: boolean; env?: NodeJS.ProcessEnv } = {},
): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ? { ...process.env, ...options.env } : process.env,
  });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  child.stdout!.on('data', (d) => {
    out += d;
    for (const w of [...waiters]) if (out.includes(w.text)) w.resolve();
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  if (options.input !== undefined) child.stdin!.write(options.input);
  if (!options.keepStdinOpen) child.stdin!.end();
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (status) => {
      // Nothing more will be printed: whoever still waits for text waits in vain.
      for (const w of waiters.splice(0))
        w.reject(
          new Error(
            `tsvm exited (status ${status}) before printing '${w.text}'; stdout: ${out}; stderr: ${err}`,
          ),
        );
      resolve({ status, stdout: out, stderr: err });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (text, timeoutMs = 20_000) =>
      new Promise<void>((resolve, reject) => {
        if (out.includes(text)) return resolve();
        if (child.exitCode !== null || child.signalCode !== null)
          return reject(
            new Error(`tsvm has exited; it never printed '${text}'; stdout: ${out}; stderr: ${err}`),
          );
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for '${text}'; stdout: ${out}; stderr: ${err}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
      }),
    done,
  };
}

export function run(args: string[], options: { input?: string | Buffer } = {}): Promise<RunResult> {
  return start(args, options).done;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsvm-cli-'));
}

/** A script image (see fixtures/script-accelerator.mjs) written to a temp file. */
export function scriptImage(dir: string, name: string, ...parts: (string | number[])[]): string {
  const bytes: number[] = [];
  for (const p of parts) bytes.push(...(typeof p === 'string' ? [...Buffer.from(p)] : p));
  const path = join(dir, name);
  writeFileSync(path, Uint8Array.from(bytes));
  return path;
}

export const Op = {
  exit: (status: number) => [0x00, status],
  wait: [0xff],
  reset: [0xfe],
  echo: [0xfd],
  haltForGood: [0xfc],
  pause: [0xfa],
};
