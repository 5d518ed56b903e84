import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { loadCGuests } from './c-guests.js';
import { describeEnvironment } from './environment.js';
import { loadGuests } from './guests.js';
import { ensureQemu, ensureV86, type PeerStatus, tsvmCliPath } from './peers.js';
import { renderMarkdown } from './report/markdown.js';
import { mergeReport } from './report/merge.js';
import type { BenchReport } from './report/model.js';
import { resolveSubjects, SUBJECT_IDS, type SubjectId } from './subjects.js';
import { compiledCSuite } from './suites/compiled-c.js';
import type { SuiteContext } from './suites/context.js';
import { kvmExitSuite } from './suites/kvm-exit.js';
import { linuxBootSuite } from './suites/linux-boot.js';
import { type AcceleratorSource, snapshotSuite } from './suites/snapshot.js';
import { snapshotCliSuite } from './suites/snapshot-cli.js';
import { startupSuite } from './suites/startup.js';
import { throughputSuite } from './suites/throughput.js';
import { detectJitOption } from './tsvm-options.js';

/**
 * The repository lints Markdown with Biome (aligned tables, '-' bullets); format the report the
 * same way so a freshly written BENCHMARKS.md keeps `pnpm lint` green.
 */
function formatWithBiome(repoRoot: string, file: string, log: (line: string) => void): void {
  const inRepo = relative(repoRoot, file);
  if (inRepo.startsWith('..') || isAbsolute(inRepo)) return; // Biome only formats inside its project
  const biome = join(repoRoot, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) {
    log(`note: ${biome} not found; BENCHMARKS.md left unformatted`);
    return;
  }
  const r = spawnSync(biome, ['format', '--write', inRepo], { cwd: repoRoot, encoding: 'utf8' });
  if (r.error || r.status !== 0)
    log(`note: biome format ${file} failed: ${r.error?.message ?? r.stderr.trim()}`);
}

export interface BenchOptions {
  readonly repoRoot: string;
  /** Where BENCHMARKS.md and BENCHMARKS.json go. */
  readonly outDir: string;
  readonly runs: number;
  /** Smoke mode: the tiny guest for throughput, small snapshot RAM, no accel-kvm bench. */
  readonly quick: boolean;
  /** Install missing peers (apt-get, pnpm). */
  readonly install: boolean;
  readonly timeoutMs: number;
  readonly subjects?: readonly SubjectId[];
  readonly snapshotRamMiB: number;
  /** Why these figures must not be quoted (busy machine, smoke run); undefined for a real run. */
  readonly provisional?: string;
  readonly log: (line: string) => void;
  /** Tests may replace the snapshot machine's accelerator. */
  readonly snapshotAccelerator?: AcceleratorSource;
}

/** One complete `pnpm bench`: peers, subjects, every suite, then BENCHMARKS.md/.json. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const { log } = options;
  const environment = describeEnvironment(options.repoRoot);
  log(
    `tsvm bench at ${environment.commit} on ${environment.cpuModel} × ${environment.cores}; KVM: ${environment.kvm.note}`,
  );
  const busy =
    // More runnable tasks than cores before we start: other work is competing for the CPUs.
    environment.loadAverage[0] > environment.cores
      ? `the machine was busy (1-minute load average ${environment.loadAverage[0]} on ${environment.cores} cores)`
      : undefined;
  const provisional = [options.provisional, busy].filter(Boolean).join('; ') || undefined;

  const policy = { install: options.install, log };
  const qemu: PeerStatus = ensureQemu(policy);
  const v86: PeerStatus = ensureV86(policy, options.repoRoot);
  for (const [name, s] of [
    ['QEMU', qemu],
    ['v86', v86],
  ] as const)
    log(`peer ${name}: ${s.status === 'available' ? s.version : `MISSING — ${s.reason}`}`);

  const guests = loadGuests();
  const subjects = await resolveSubjects({
    qemu,
    v86,
    kvm: environment.kvm,
    tsvmCli: tsvmCliPath(options.repoRoot),
    probeGuest: guests.tiny,
    timeoutMs: options.timeoutMs,
    only: options.subjects,
  });
  for (const id of SUBJECT_IDS) {
    const a = subjects[id];
    log(`subject ${id}: ${a.available ? 'available' : `not available — ${a.reason}`}`);
  }
  const jit = detectJitOption(tsvmCliPath(options.repoRoot));
  log(`tsvm --tcg-jit: ${jit.supported ? 'supported (compiled C runs with it off and on)' : jit.reason}`);

  const ctx: SuiteContext = {
    repoRoot: options.repoRoot,
    guests,
    subjects,
    runs: options.runs,
    timeoutMs: options.timeoutMs,
    quick: options.quick,
    log,
  };
  const startup = await startupSuite(ctx);
  const throughput = await throughputSuite(ctx, startup);
  const compiledC = await compiledCSuite(ctx, jit);
  const cImages = loadCGuests();
  const kvmExit = await kvmExitSuite(ctx);
  const snapshot = await snapshotSuite(ctx, {
    ramMiB: options.snapshotRamMiB,
    accelerator: options.snapshotAccelerator,
  });

  const snapshotCli = await snapshotCliSuite(ctx, options.snapshotRamMiB);
  const linuxBoot = await linuxBootSuite(ctx, tsvmCliPath(options.repoRoot));

  const report: BenchReport = {
    schema: 1,
    environment,
    provisional,
    runsPerMeasurement: options.runs,
    guests: Object.fromEntries([
      ...Object.values(guests).map((g) => [
        g.name,
        {
          instructions: g.instructions,
          sha256: createHash('sha256').update(readFileSync(g.path)).digest('hex'),
        },
      ]),
      // C guests: no independent instruction count (their work is data-dependent), so 0.
      ...compiledC.map((row) => [
        row.image.replace(/\.elf$/, ''),
        {
          instructions: 0,
          sha256: createHash('sha256')
            .update(readFileSync(cImages[row.image.replace(/\.elf$/, '')].path))
            .digest('hex'),
        },
      ]),
    ]),
    peers: { qemu, v86 },
    subjects: Object.fromEntries(
      SUBJECT_IDS.map((id) => {
        const a = subjects[id];
        return [id, a.available ? { available: true } : { available: false, reason: a.reason }];
      }),
    ) as BenchReport['subjects'],
    throughput,
    startup,
    kvmExit,
    snapshot,
    snapshotCli,
    compiledC,
    linuxBoot,
    loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'BENCHMARKS.json'), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = join(options.outDir, 'BENCHMARKS.md');
  writeFileSync(
    markdown,
    mergeReport(existsSync(markdown) ? readFileSync(markdown, 'utf8') : undefined, renderMarkdown(report)),
  );
  formatWithBiome(options.repoRoot, markdown, log);
  log(`wrote ${join(options.outDir, 'BENCHMARKS.md')} and BENCHMARKS.json`);
  return report;
}
