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

/**
 * Rows of every Markdown table that has a column whose header mentions "ratio":
 * the first cell as the label, the number in the ratio column (bold or not) as the value.
 */
export function ratiosFromMarkdown(text: string): { label: string; ratio: number }[] {
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const lines = text.split('\n');
  const out: { label: string; ratio: number }[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i].trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1])) continue;
    const column = cells(lines[i]).findIndex((h) => /\bratio\b/i.test(h));
    if (column < 0) continue;
    for (let j = i + 2; j < lines.length && lines[j].trim().startsWith('|'); j++) {
      const row = cells(lines[j]);
      const m = /([0-9]+(?:\.[0-9]+)?)/.exec(row[column] ?? '');
      if (m) out.push({ label: row[0].replace(/[*`]/g, ''), ratio: Number(m[1]) });
    }
  }
  return out;
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
    let ratios: { label: string; ratio: number }[] = [];
    if (file.endsWith('.json')) {
      try {
        const r = findRatio(JSON.parse(text));
        if (r !== undefined) ratios = [{ label: 'binding', ratio: r }];
      } catch {
        ratios = [];
      }
    } else {
      ratios = ratiosFromMarkdown(text);
    }
    // The binding's own row is the issue's figure; the C program's row (1.00) is the reference.
    const primary =
      ratios.find((r) => /binding/i.test(r.label)) ?? ratios.find((r) => !/^c\b/i.test(r.label));
    if (primary)
      return {
        status: 'ok',
        ratioVsC: primary.ratio,
        ratios,
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
