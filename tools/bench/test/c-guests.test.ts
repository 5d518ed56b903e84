// The C benchmark guests (guests/c) at their tiny "smoke" size on the real `tsvm` command: the
// guest's self-check passes and its checksum equals what the same C computes natively on the host.
// No times are asserted here; `pnpm bench` times the full-size images.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  C_WORKLOADS,
  type CGuest,
  cGuestsDir,
  loadCGuests,
  NO_FPU_EXIT_VALUE,
  noFpuOutput,
  x87Unsupported,
} from '../src/c-guests.js';
import { tsvmCliPath } from '../src/peers.js';
import { gccUnavailable } from './c-toolchain.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const cli = tsvmCliPath(repoRoot);
const guests = loadCGuests();
const work = mkdtempSync(join(tmpdir(), 'tsvm-c-guests-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runTsvm(image: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [cli!, 'run', image, '--accel', 'tcg', '--serial', 'stdio', '--timeout', '60'],
    {
      encoding: 'latin1',
      timeout: 90_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The workload's checksum for `iterations` rounds, computed by the host build of the same C. */
function nativeChecksum(workload: string, iterations: number): string {
  const exe = join(work, `${workload}-native`);
  execFileSync('gcc', [
    '-std=c11',
    '-O2',
    '-ffp-contract=off',
    '-fno-math-errno',
    '-o',
    exe,
    join(cGuestsDir, 'native-main.c'),
    join(cGuestsDir, workload, `${workload}.c`),
    '-lm',
  ]);
  const [name, n, checksum] = execFileSync(exe, [String(iterations)], { encoding: 'utf8' })
    .trim()
    .split(' ');
  expect([name, n]).toEqual([workload, String(iterations)]);
  return checksum;
}

const noCli = cli ? undefined : 'packages/cli/dist/main.js is not built';
const noGcc = gccUnavailable(false);
const noGcc32 = gccUnavailable(true);
for (const [why, reason] of [
  ['C guests on tsvm', noCli],
  ['native checksums', noGcc],
  ['guest rebuilds', noGcc32],
] as const)
  if (reason) console.log(`skipping ${why}: ${reason}`);

// Run each smoke guest once up front: whether tsvm has an FPU decides which x87 test applies.
const smokeRuns = new Map<string, ReturnType<typeof runTsvm>>();
if (!noCli) for (const w of C_WORKLOADS) smokeRuns.set(w, runTsvm(guests[`${w}-smoke`].path));
const fmarkRun = smokeRuns.get('fmark');
const tsvmHasNoFpu = fmarkRun?.stdout === noFpuOutput('fmark');
const tsvmX87Missing = fmarkRun ? x87Unsupported('fmark', fmarkRun.stdout) : undefined;
if (tsvmX87Missing) console.log(`skipping fmark on tsvm: ${tsvmX87Missing}`);

describe('C benchmark guests', () => {
  it('lists a bench and a smoke image for every workload', () => {
    for (const w of C_WORKLOADS) {
      expect(guests[w]?.iterations).toBeGreaterThan(
        guests[`${w}-smoke`]?.iterations ?? Number.POSITIVE_INFINITY,
      );
      expect(guests[`${w}-smoke`].output).toMatch(
        new RegExp(`^${w}: iterations \\d+, checksum [0-9a-f]{8}, ok\\n$`),
      );
    }
  });

  it.skipIf(noGcc)('have the checksums the host build of the same C computes', () => {
    for (const g of Object.values(guests))
      expect(nativeChecksum(g.workload, g.iterations), g.name).toBe(g.checksum);
  });

  it.skipIf(noCli)('cmark passes its self-check on tsvm', () => {
    const r = smokeRuns.get('cmark')!;
    expect(r.stdout).toBe(guests['cmark-smoke'].output);
    expect(r.status).toBe(1); // debug-exit value 0
  });

  it.skipIf(noCli || tsvmX87Missing)('fmark (x87) passes its self-check on tsvm', () => {
    const r = smokeRuns.get('fmark')!;
    expect(r.stdout).toBe(guests['fmark-smoke'].output);
    expect(r.status).toBe(1);
  });

  it.skipIf(noCli || !tsvmHasNoFpu)(
    'fmark says so and exits with its own status on a CPU without an FPU',
    () => {
      const r = smokeRuns.get('fmark')!;
      expect(r.stdout).toBe(noFpuOutput('fmark'));
      expect(r.status).toBe((NO_FPU_EXIT_VALUE << 1) | 1);
    },
  );

  it.skipIf(noGcc32)('rebuild byte for byte from their sources (build.sh --guest)', () => {
    for (const g of Object.values(guests) as CGuest[]) {
      const out = join(work, `${g.name}.elf`);
      execFileSync(join(cGuestsDir, 'build.sh'), [
        '--guest',
        out,
        g.workload,
        String(g.iterations),
        `0x${g.checksum}`,
      ]);
      expect(
        readFileSync(out).equals(readFileSync(g.path)),
        `${g.name}.elf is stale: run guests/c/build.sh`,
      ).toBe(true);
    }
  });

  it.skipIf(noCli || noGcc32)('a wrong checksum fails the self-check, naming both values', () => {
    const out = join(work, 'cmark-wrong.elf');
    execFileSync(join(cGuestsDir, 'build.sh'), ['--guest', out, 'cmark', '3', '0x12345678']);
    const r = runTsvm(out);
    expect(r.stdout).toBe(
      `cmark: iterations 3, checksum ${guests['cmark-smoke'].checksum}, MISMATCH: the host computed 12345678\n`,
    );
    expect(r.status).toBe(3); // debug-exit value 1
  });

  it('tells an x87 executor that is missing or incomplete from a failing run', () => {
    expect(x87Unsupported('fmark', noFpuOutput('fmark'))).toContain('CPUID reports no x87 FPU');
    expect(x87Unsupported('fmark', 'fmark\nguest: CPU exception 6 at eip 00100504\n')).toBe(
      'x87 incomplete: #UD at eip 0x00100504 (an x87 instruction the executor lacks)',
    );
    expect(x87Unsupported('fmark', 'fmark\nguest: CPU exception 7 at eip 00100010\n')).toContain('#NM');
    // A page fault or a wrong checksum is a failure, not a missing feature.
    expect(x87Unsupported('fmark', 'fmark\nguest: CPU exception 14 at eip 00100504\n')).toBeUndefined();
    expect(x87Unsupported('fmark', 'fmark: iterations 3, checksum 00000000, MISMATCH: …\n')).toBeUndefined();
  });

  it('refuses a manifest entry with an unknown workload or a malformed checksum', () => {
    const bad = mkdtempSync(join(work, 'manifest-'));
    const write = (entry: object) =>
      writeFileSync(join(bad, 'workloads.json'), JSON.stringify({ guests: { 'x.elf': entry } }));
    write({ workload: 'dhrystone', x87: false, iterations: 1, checksum: '00000000' });
    expect(() => loadCGuests(bad)).toThrow("'x.elf' names unknown workload 'dhrystone'");
    write({ workload: 'cmark', x87: false, iterations: 1, checksum: 'xyz' });
    expect(() => loadCGuests(bad)).toThrow("'x.elf' needs iterations > 0 and an 8-digit hex checksum");
  });
});
