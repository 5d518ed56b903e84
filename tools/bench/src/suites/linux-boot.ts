import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runnersDir } from '../guests.js';
import type { Cell, LinuxBootRow } from '../report/model.js';
import { median } from '../stats.js';
import { GUEST_RAM_MIB, type SubjectId } from '../subjects.js';
import type { SuiteContext } from './context.js';

/** What the initramfs's /init prints, and its shell prompt (packages/cli/src/linux/initramfs.ts). */
const BANNER = 'tsvm initramfs: /init is running';
const PROMPT = 'tsvm:/# ';
const CMDLINE = 'console=ttyS0';
const LINUX_SUBJECTS = ['tsvm-tcg', 'qemu-tcg', 'v86'] as const;

interface Marks {
  bannerMs?: number;
  promptMs?: number;
  failure?: string;
}

/** Start a VMM, time the banner and the prompt on its stdout, then kill it. */
function timeBoot(file: string, args: string[], timeoutMs: number): Promise<Marks> {
  return new Promise((resolve) => {
    const marks: Marks = {};
    let out = '';
    let err = '';
    const t0 = performance.now();
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      marks.failure = `no shell prompt after ${timeoutMs / 1000} s (banner ${marks.bannerMs ? 'seen' : 'not seen'})`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      if (marks.bannerMs === undefined && out.includes(BANNER)) marks.bannerMs = performance.now() - t0;
      if (marks.promptMs === undefined && out.includes(PROMPT)) {
        marks.promptMs = performance.now() - t0;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', (e) => {
      marks.failure = `could not start: ${e.message}`;
    });
    child.on('close', () => {
      clearTimeout(timer);
      if (marks.promptMs === undefined && !marks.failure)
        marks.failure = `exited before the prompt: ${err.trim().split('\n').at(-1) ?? ''}`;
      resolve(marks);
    });
  });
}

function command(
  id: (typeof LINUX_SUBJECTS)[number],
  cli: string,
  kernel: string,
  initrd: string,
  timeoutMs: number,
) {
  const ram = `${GUEST_RAM_MIB}M`;
  switch (id) {
    case 'tsvm-tcg':
      return {
        file: process.execPath,
        args: [
          cli,
          'run',
          '--accel',
          'tcg',
          '-m',
          ram,
          '--kernel',
          kernel,
          '--initrd',
          initrd,
          '--append',
          CMDLINE,
        ],
      };
    case 'qemu-tcg':
      return {
        file: 'qemu-system-i386',
        args: ['-accel', 'tcg', '-m', ram, '-kernel', kernel, '-initrd', initrd, '-append', CMDLINE].concat([
          '-serial',
          'stdio',
          '-display',
          'none',
          '-nodefaults',
          '-no-reboot',
        ]),
      };
    case 'v86':
      return {
        file: process.execPath,
        args: [join(runnersDir, 'v86-linux.mjs'), kernel, initrd, CMDLINE].concat([
          '--memory-mib',
          String(GUEST_RAM_MIB),
          '--timeout-s',
          String(Math.ceil(timeoutMs / 1000)),
        ]),
      };
  }
}

const cell = (samples: (number | undefined)[], failure: string | undefined): Cell => {
  if (failure) return { status: 'failed', reason: failure };
  if (samples.some((s) => s === undefined)) return { status: 'failed', reason: 'marker not seen' };
  const samplesMs = (samples as number[]).map((s) => Math.round(s));
  return { status: 'ok', medianMs: Math.round(median(samplesMs)), samplesMs };
};

/**
 * Linux boot: Debian's 686 kernel and the busybox initramfs of `tsvm fetch-linux`, from process
 * start to the /init banner and to the shell prompt, on tsvm-tcg, QEMU TCG and v86, alternating.
 */
export async function linuxBootSuite(
  ctx: SuiteContext,
  tsvmCli: string | undefined,
): Promise<LinuxBootRow[]> {
  const none = (reason: string, status: 'not available' | 'skipped' = 'not available') =>
    LINUX_SUBJECTS.map((subject) => ({
      subject: subject as SubjectId,
      banner: { status, reason } as Cell,
      prompt: { status, reason } as Cell,
    }));
  if (ctx.quick) return none('smoke run (--quick): a Linux boot takes minutes', 'skipped');
  if (!tsvmCli) return none('the tsvm command is not built');
  ctx.log('linux boot: fetching the kernel and initramfs (tsvm fetch-linux)');
  const fetched = spawnSync(process.execPath, [tsvmCli, 'fetch-linux', '--quiet'], { encoding: 'utf8' });
  if (fetched.status !== 0)
    return none(`tsvm fetch-linux failed: ${fetched.stderr.trim().split('\n').at(-1)}`);
  const [kernel, initrd] = fetched.stdout.trim().split('\n');
  const timeoutMs = Math.max(ctx.timeoutMs, 600_000);
  const available = (id: string): string | undefined => {
    if (id === 'tsvm-tcg') return undefined;
    if (id === 'qemu-tcg') return ctx.subjects['qemu-tcg'].available ? undefined : 'QEMU is not available';
    if (!ctx.subjects.v86.available) return 'v86 is not available';
    return existsSync('/usr/share/seabios/bios.bin')
      ? undefined
      : 'no SeaBIOS for v86 (apt-get install seabios)';
  };
  const samples = new Map<string, Marks[]>(LINUX_SUBJECTS.map((s) => [s, []]));
  const failures = new Map<string, string>();
  for (let run = 0; run < ctx.runs; run++) {
    for (const id of LINUX_SUBJECTS) {
      if (available(id) || failures.has(id)) continue;
      const c = command(id, tsvmCli, kernel, initrd, timeoutMs);
      const marks = await timeBoot(c.file, c.args, timeoutMs);
      if (marks.failure) {
        failures.set(id, `run ${run + 1}: ${marks.failure}`);
        ctx.log(`  linux ${id}: FAILED ${marks.failure}`);
      } else {
        samples.get(id)!.push(marks);
        ctx.log(
          `  linux ${id} run ${run + 1}: banner ${marks.bannerMs?.toFixed(0)} ms, prompt ${marks.promptMs?.toFixed(0)} ms`,
        );
      }
    }
  }
  return LINUX_SUBJECTS.map((id) => {
    const missing = available(id);
    if (missing)
      return {
        subject: id,
        banner: { status: 'not available', reason: missing },
        prompt: { status: 'not available', reason: missing },
      };
    const s = samples.get(id)!;
    const failure = failures.get(id);
    return {
      subject: id,
      banner: cell(
        s.map((m) => m.bannerMs),
        failure,
      ),
      prompt: cell(
        s.map((m) => m.promptMs),
        failure,
      ),
    };
  });
}
