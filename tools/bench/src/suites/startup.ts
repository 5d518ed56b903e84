import { alternate, cellOf } from '../measure.js';
import type { StartupRow } from '../report/model.js';
import { SUBJECT_IDS } from '../subjects.js';
import { pick, type SuiteContext } from './context.js';

/** Process start to the tiny guest's first serial byte, and to the process exit. */
export async function startupSuite(ctx: SuiteContext): Promise<StartupRow[]> {
  ctx.log('start-up: tiny guest');
  const { runnable, missing } = pick(ctx, SUBJECT_IDS);
  const jobs = runnable.map((subject) => ({ key: subject.id, subject, guest: ctx.guests.tiny }));
  const results = await alternate(jobs, ctx.runs, ctx.timeoutMs, ctx.log);
  return SUBJECT_IDS.map((id) => {
    const gone = missing.get(id);
    if (gone) return { subject: id, firstByte: gone, exit: gone };
    const r = results.get(id);
    return { subject: id, firstByte: cellOf(r, (o) => o.firstByteMs), exit: cellOf(r, (o) => o.exitMs) };
  });
}
