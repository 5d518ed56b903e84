import { C_WORKLOADS, type CGuest, loadCGuests, x87Unsupported } from '../c-guests.js';
import type { Guest } from '../guests.js';
import { alternate, cellOf, type Job } from '../measure.js';
import type { Cell, CompiledCRow, CompiledCSubject } from '../report/model.js';
import { round } from '../stats.js';
import type { Subject } from '../subjects.js';
import { timedRun } from '../timed-run.js';
import type { JitOption } from '../tsvm-options.js';
import type { SuiteContext } from './context.js';

export const COMPILED_C_SUBJECTS: readonly CompiledCSubject[] = [
  'tsvm-tcg-interpreter',
  'tsvm-tcg-compiler',
  'qemu-tcg',
  'v86',
];

function asGuest(g: CGuest): Guest {
  return { name: g.name, path: g.path, instructions: 0, output: g.output };
}

/**
 * The C workloads (guests/c) on tsvm's TCG with the block compiler off and on, QEMU TCG and
 * v86, alternated in one run. Wall time is process start to exit (start-up included). An x87
 * workload on a tsvm without a (complete) x87 is reported as not available, with the reason, not
 * as a failure; any other wrong run fails its row.
 */
export async function compiledCSuite(ctx: SuiteContext, jit: JitOption): Promise<CompiledCRow[]> {
  const images = loadCGuests();
  const rows: CompiledCRow[] = [];
  for (const workload of C_WORKLOADS) {
    const image = images[ctx.quick ? `${workload}-smoke` : workload];
    const guest = asGuest(image);
    ctx.log(`compiled C: ${image.name} (${image.iterations} rounds)`);
    const tsvmTcg = ctx.subjects['tsvm-tcg'];
    const variants = new Map<CompiledCSubject, { subject: Subject; tsvmArgs?: string[] } | Cell>();
    if (!tsvmTcg.available) {
      for (const id of ['tsvm-tcg-interpreter', 'tsvm-tcg-compiler'] as const)
        variants.set(id, { status: 'not available', reason: tsvmTcg.reason });
    } else {
      // Without the option, the CLI's only executor is the interpreter.
      variants.set('tsvm-tcg-interpreter', {
        subject: tsvmTcg.subject,
        tsvmArgs: jit.supported ? ['--tcg-jit', 'off'] : [],
      });
      variants.set(
        'tsvm-tcg-compiler',
        jit.supported
          ? { subject: tsvmTcg.subject, tsvmArgs: ['--tcg-jit', 'on'] }
          : { status: 'not available', reason: jit.reason },
      );
      if (image.needsFpu) {
        const probe = await timedRun(
          tsvmTcg.subject.command(asGuest(images[`${workload}-smoke`]), ctx.timeoutMs),
        );
        const missingX87 = x87Unsupported(workload, probe.stdout);
        if (missingX87) {
          const reason = `tsvm cannot run x87 code yet: ${missingX87}`;
          ctx.log(`  tsvm-tcg: ${reason}`);
          for (const id of ['tsvm-tcg-interpreter', 'tsvm-tcg-compiler'] as const)
            if (!('status' in variants.get(id)!)) variants.set(id, { status: 'not available', reason });
        }
      }
    }
    for (const id of ['qemu-tcg', 'v86'] as const) {
      const a = ctx.subjects[id];
      variants.set(id, a.available ? { subject: a.subject } : { status: 'not available', reason: a.reason });
    }

    const jobs: Job[] = [];
    for (const [id, v] of variants)
      if (!('status' in v))
        jobs.push({ key: id, subject: v.subject, guest, options: { tsvmArgs: v.tsvmArgs } });
    const results = await alternate(jobs, ctx.runs, ctx.timeoutMs, ctx.log);
    const wall: Partial<Record<CompiledCSubject, Cell>> = {};
    for (const id of COMPILED_C_SUBJECTS) {
      const v = variants.get(id)!;
      wall[id] = 'status' in v ? v : cellOf(results.get(id), (o) => o.exitMs);
    }
    rows.push({
      workload,
      image: `${image.name}.elf`,
      iterations: image.iterations,
      checksum: image.checksum,
      x87: image.needsFpu,
      wall,
      interpreterVs: ratios(wall, 'tsvm-tcg-interpreter'),
      compilerVs: ratios(wall, 'tsvm-tcg-compiler'),
    });
  }
  return rows;
}

/** The reference's median wall time ÷ each other subject's (above 1: the subject is faster). */
function ratios(
  wall: Partial<Record<CompiledCSubject, Cell>>,
  reference: CompiledCSubject,
): Partial<Record<CompiledCSubject, number>> {
  const ref = wall[reference];
  const out: Partial<Record<CompiledCSubject, number>> = {};
  if (ref?.status !== 'ok') return out;
  for (const id of COMPILED_C_SUBJECTS) {
    const cell = wall[id];
    if (id !== reference && cell?.status === 'ok') out[id] = round(ref.medianMs / cell.medianMs, 3);
  }
  return out;
}
