// `pnpm bench`: tsvm against QEMU and v86, side by side, into BENCHMARKS.md and BENCHMARKS.json.
// Run it alone on a quiet machine: it is a measurement, not a test.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runBench } from './bench.js';
import { type BenchArgs, parseBenchArgs, USAGE } from './cli-args.js';
import { benchDir } from './guests.js';

function findRepoRoot(from: string): string {
  for (let dir = resolve(from); dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
  throw new Error(`no pnpm-workspace.yaml above ${from}`);
}

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const repoRoot = findRepoRoot(benchDir);
runBench({
  repoRoot,
  outDir: resolve(args.out ?? repoRoot),
  runs: args.runs,
  quick: args.quick,
  install: args.install,
  timeoutMs: args.timeoutMs,
  subjects: args.subjects,
  snapshotRamMiB: args.quick ? 8 : 256,
  provisional: args.provisional ?? (args.quick ? 'smoke run (--quick): tiny inputs, one run' : undefined),
  log: (line) => process.stderr.write(`${line}\n`),
}).catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
