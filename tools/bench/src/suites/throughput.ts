import type { Guest } from '../guests.js';
import { alternate, cellOf } from '../measure.js';
import type { Cell, StartupRow, ThroughputRow } from '../report/model.js';
import { round } from '../stats.js';
import type { SubjectId } from '../subjects.js';
import { pick, type SuiteContext } from './context.js';

const TCG_SUBJECTS: readonly SubjectId[] = ['tsvm-tcg', 'qemu-tcg', 'v86'];

/**
 * CPU-bound guests on tsvm's TCG and the peers' software CPUs. Instructions per second use the
 * guest's independently counted instruction total; the "ex start-up" figure subtracts the
 * subject's own median tiny-guest run time, so peers that boot a BIOS first are not penalised.
 */
export async function throughputSuite(
  ctx: SuiteContext,
  startup: readonly StartupRow[],
): Promise<ThroughputRow[]> {
  const guests: Guest[] = ctx.quick ? [ctx.guests.tiny] : [ctx.guests.int, ctx.guests.paging];
  const { runnable, missing } = pick(ctx, TCG_SUBJECTS);
  const rows: ThroughputRow[] = [];
  for (const guest of guests) {
    ctx.log(`throughput: ${guest.name} (${guest.instructions} guest instructions)`);
    const jobs = runnable.map((subject) => ({ key: subject.id, subject, guest }));
    const results = await alternate(jobs, ctx.runs, ctx.timeoutMs, ctx.log);
    const wall: Partial<Record<SubjectId, Cell>> = {};
    const ips: Partial<Record<SubjectId, number>> = {};
    const ipsEx: Partial<Record<SubjectId, number>> = {};
    for (const id of TCG_SUBJECTS) {
      const cell = missing.get(id) ?? cellOf(results.get(id), (o) => o.exitMs);
      wall[id] = cell;
      if (cell.status !== 'ok') continue;
      ips[id] = round(guest.instructions / (cell.medianMs / 1000));
      const boot = startup.find((s) => s.subject === id)?.exit;
      if (boot?.status === 'ok' && cell.medianMs > boot.medianMs)
        ipsEx[id] = round(guest.instructions / ((cell.medianMs - boot.medianMs) / 1000));
    }
    const tsvm = wall['tsvm-tcg'];
    const vs: ThroughputRow['tsvmTcgVs'] = {};
    for (const peer of ['qemu-tcg', 'v86'] as const) {
      const p = wall[peer];
      if (tsvm?.status === 'ok' && p?.status === 'ok') vs[peer] = round(tsvm.medianMs / p.medianMs, 3);
    }
    rows.push({
      guest: guest.name,
      instructions: guest.instructions,
      wall,
      instructionsPerSecond: ips,
      instructionsPerSecondExStartup: ipsEx,
      tsvmTcgVs: vs,
    });
  }
  return rows;
}
