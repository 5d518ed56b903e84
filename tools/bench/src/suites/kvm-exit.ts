import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alternate, cellOf } from '../measure.js';
import type { AccelKvmBench, BenchReport, ExitCostRow } from '../report/model.js';
import { round } from '../stats.js';
import type { SubjectId } from '../subjects.js';
import { pick, type SuiteContext } from './context.js';

const KVM_SUBJECTS: readonly SubjectId[] = ['tsvm-kvm', 'qemu-kvm'];

/**
 * Cost of one port-I/O VM exit, tsvm-kvm against QEMU KVM on the same guest: the port-I/O
 * guest (N OUT instructions) and its N = 0 twin are timed alternately; the difference of the
 * medians divided by N cancels process start-up, BIOS and teardown.
 */
export async function kvmExitSuite(ctx: SuiteContext): Promise<BenchReport['kvmExit']> {
  const accelKvmBench = runAccelKvmBench(ctx);
  const withExits = ctx.quick ? ctx.guests['portio-quick'] : ctx.guests.portio;
  const baseline = ctx.guests['portio-base'];
  const writes = (withExits.portWrites ?? 0) - (baseline.portWrites ?? 0);
  ctx.log(`KVM exit cost: ${writes} port writes`);
  const { runnable, missing } = pick(ctx, KVM_SUBJECTS);
  const jobs = runnable.flatMap((subject) => [
    { key: `${subject.id}/${withExits.name}`, subject, guest: withExits },
    { key: `${subject.id}/${baseline.name}`, subject, guest: baseline },
  ]);
  const results = await alternate(jobs, ctx.runs, ctx.timeoutMs, ctx.log);
  const portIo: ExitCostRow[] = KVM_SUBJECTS.map((id) => {
    const gone = missing.get(id);
    if (gone) return { subject: id, portWrites: writes, withExits: gone, baseline: gone };
    const w = cellOf(results.get(`${id}/${withExits.name}`), (o) => o.exitMs);
    const b = cellOf(results.get(`${id}/${baseline.name}`), (o) => o.exitMs);
    if (w.status !== 'ok' || b.status !== 'ok')
      return { subject: id, portWrites: writes, withExits: w, baseline: b };
    const delta = w.medianMs - b.medianMs;
    if (delta <= 0)
      return {
        subject: id,
        portWrites: writes,
        withExits: w,
        baseline: b,
        reason: 'the exits were lost in the run-to-run noise (difference of medians not positive)',
      };
    return {
      subject: id,
      portWrites: writes,
      withExits: w,
      baseline: b,
      perExitUs: round((delta * 1000) / writes),
    };
  });
  const t = portIo.find((r) => r.subject === 'tsvm-kvm')?.perExitUs;
  const q = portIo.find((r) => r.subject === 'qemu-kvm')?.perExitUs;
  return { accelKvmBench, portIo, tsvmVsQemuKvm: t && q ? round(t / q, 3) : undefined };
}

/** Deep-search a parsed JSON value for a number under a key that mentions "ratio". */
function findRatio(value: unknown): number | undefined {
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (/ratio/i.test(k) && typeof v === 'number' && Number.isFinite(v)) return v;
      const inner = findRatio(v);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

/** The accel-kvm package's own exit-cost benchmark (binding vs a C program), when it ships one. */
function runAccelKvmBench(ctx: SuiteContext): AccelKvmBench {
  const pkgDir = join(ctx.repoRoot, 'packages', 'accel-kvm');
  const manifestPath = join(pkgDir, 'package.json');
  const scripts = existsSync(manifestPath)
    ? ((JSON.parse(readFileSync(manifestPath, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {})
    : {};
  if (!scripts.bench || !existsSync(join(pkgDir, 'bench')))
    return {
      status: 'not available',
      reason: 'packages/accel-kvm has no bench/ directory and "bench" script yet',
    };
  if (ctx.quick) return { status: 'skipped', reason: 'smoke mode does not run the accel-kvm benchmark' };
  if (!ctx.subjects['tsvm-kvm'].available)
    return {
      status: 'not available',
      reason: `tsvm-kvm is not available: ${ctx.subjects['tsvm-kvm'].reason}`,
    };
  ctx.log('KVM exit cost: pnpm --filter @tsvm/accel-kvm run bench');
  const r = spawnSync('pnpm', ['--filter', '@tsvm/accel-kvm', 'run', 'bench'], {
    cwd: ctx.repoRoot,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || r.status !== 0)
    return {
      status: 'failed',
      reason: `pnpm --filter @tsvm/accel-kvm run bench: ${r.error?.message ?? `status ${r.status}`}`,
      raw: output.slice(-4000),
    };
  for (const file of ['BENCHMARKS.json', 'BENCHMARKS.md']) {
    const path = join(pkgDir, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    let ratio: number | undefined;
    if (file.endsWith('.json')) {
      try {
        ratio = findRatio(JSON.parse(text));
      } catch {
        ratio = undefined;
      }
    } else {
      const line = text.split('\n').find((l) => /ratio/i.test(l) && /\d/.test(l));
      const m = line ? /ratio[^0-9]*([0-9]+(?:\.[0-9]+)?)/i.exec(line) : null;
      ratio = m ? Number(m[1]) : undefined;
    }
    if (ratio !== undefined)
      return {
        status: 'ok',
        ratioVsC: ratio,
        source: `packages/accel-kvm/${file}`,
        raw: text.slice(0, 4000),
      };
  }
  return {
    status: 'failed',
    reason: 'the accel-kvm bench ran but no "ratio" figure was found in its BENCHMARKS.json/.md',
    raw: output.slice(-4000),
  };
}
