import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Guest } from '../guests.js';
import { alternate, cellOf, type Job } from '../measure.js';
import type { Cell, SnapshotCliRow } from '../report/model.js';
import { pick, type SuiteContext } from './context.js';

/**
 * Snapshots end to end, as a user takes them: `tsvm run GUEST --savevm-at-exit FILE` against
 * the same run without it (the difference is the cost of saving), and `tsvm run GUEST --loadvm
 * FILE`, a whole process that loads the snapshot and resumes the guest after its exit write,
 * where it halts at once (tsvm then exits with status 0 and no output).
 */
export async function snapshotCliSuite(ctx: SuiteContext, ramMiB: number): Promise<SnapshotCliRow[]> {
  const scenarios: { guest: Guest; scenario: string }[] = ctx.quick
    ? [{ guest: ctx.guests.tiny, scenario: 'idle guest (tiny)' }]
    : [
        { guest: ctx.guests.fill, scenario: 'every page written (fill guest)' },
        { guest: ctx.guests.tiny, scenario: 'idle guest (tiny)' },
      ];
  const { runnable, missing } = pick(ctx, ['tsvm-tcg']);
  const tsvm = runnable[0];
  if (!tsvm) {
    const gone = missing.get('tsvm-tcg') as Cell;
    return scenarios.map((s) => ({
      guest: s.guest.name,
      scenario: s.scenario,
      ramMiB,
      plain: gone,
      save: gone,
      load: gone,
    }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-bench-savevm-'));
  const rows: SnapshotCliRow[] = [];
  try {
    for (const { guest, scenario } of scenarios) {
      ctx.log(`snapshot end to end: ${ramMiB} MiB, ${scenario}`);
      const file = join(dir, `${guest.name}.tsvmsnap`);
      // In each round the save run writes the file that the load run then reads.
      const jobs: Job[] = [
        { key: 'plain', subject: tsvm, guest, options: { ramMiB } },
        { key: 'save', subject: tsvm, guest, options: { ramMiB, tsvmArgs: ['--savevm-at-exit', file] } },
        {
          key: 'load',
          subject: tsvm,
          guest,
          options: { ramMiB, tsvmArgs: ['--loadvm', file] },
          expect: { status: 0, output: '' },
        },
      ];
      const results = await alternate(jobs, ctx.runs, ctx.timeoutMs, ctx.log);
      const plain = cellOf(results.get('plain'), (o) => o.exitMs);
      const save = cellOf(results.get('save'), (o) => o.exitMs);
      const load = cellOf(results.get('load'), (o) => o.exitMs);
      rows.push({
        guest: guest.name,
        scenario,
        ramMiB,
        plain,
        save,
        load,
        saveCostMs:
          plain.status === 'ok' && save.status === 'ok'
            ? Math.round((save.medianMs - plain.medianMs) * 100) / 100
            : undefined,
        fileBytes: existsSync(file) ? statSync(file).size : undefined,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
