import { parseArgs } from 'node:util';
import { SUBJECT_IDS, type SubjectId } from './subjects.js';

export const USAGE = `usage: pnpm bench [-- options]
  --runs N            runs per measurement, median reported (default 5; at least 5 unless --quick)
  --out DIR           where BENCHMARKS.md and BENCHMARKS.json go (default: the repository root)
  --subjects LIST     comma-separated subset of ${SUBJECT_IDS.join(',')}
  --provisional TEXT  mark the figures provisional, saying why
  --quick             smoke run: tiny guests, 1 run, small snapshot; figures mean nothing
  --no-install        do not install missing peers (they are reported missing)
  --timeout-s S       per-run timeout (default 300)
  --help`;

export interface BenchArgs {
  readonly help: boolean;
  readonly runs: number;
  readonly out?: string;
  readonly subjects?: readonly SubjectId[];
  readonly provisional?: string;
  readonly quick: boolean;
  readonly install: boolean;
  readonly timeoutMs: number;
}

/** Parse `pnpm bench` arguments; throws an Error whose message says what is wrong. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  // `pnpm bench -- --runs 9` hands the script a literal '--' first.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values } = parseArgs({
    args,
    options: {
      runs: { type: 'string' },
      out: { type: 'string' },
      subjects: { type: 'string' },
      provisional: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      'timeout-s': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  const quick = values.quick ?? false;
  const runs = Number(values.runs ?? (quick ? 1 : 5));
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive integer, got '${values.runs}'`);
  if (!quick && runs < 5)
    throw new Error(
      `--runs must be at least 5 for a real measurement (got ${runs}); use --quick for a smoke run`,
    );
  const timeoutS = Number(values['timeout-s'] ?? 300);
  if (!(timeoutS > 0)) throw new Error(`--timeout-s must be a positive number, got '${values['timeout-s']}'`);
  const subjects = values.subjects?.split(',').map((s) => s.trim());
  for (const s of subjects ?? [])
    if (!(SUBJECT_IDS as readonly string[]).includes(s))
      throw new Error(`unknown subject '${s}' (known: ${SUBJECT_IDS.join(', ')})`);
  return {
    help: values.help ?? false,
    runs,
    out: values.out,
    subjects: subjects as SubjectId[] | undefined,
    provisional: values.provisional,
    quick,
    install: !values['no-install'],
    timeoutMs: timeoutS * 1000,
  };
}
