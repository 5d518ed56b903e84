import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../src/cli-args.js';
import { loadGuests } from '../src/guests.js';
import { alternate, cellOf } from '../src/measure.js';
import { ensureQemu, ensureV86, V86_VERSION } from '../src/peers.js';
import { formatCell } from '../src/report/markdown.js';
import { BEGIN_MARKER, END_MARKER, mergeReport } from '../src/report/merge.js';
import { median } from '../src/stats.js';
import type { Subject } from '../src/subjects.js';
import { ratiosFromMarkdown } from '../src/suites/kvm-exit.js';
import { detectJitOption } from '../src/tsvm-options.js';

const guests = loadGuests();

/** A "VMM" that is just node printing fixed output and exiting with a fixed status. */
function fake(output: string, status: number): Subject {
  return {
    id: 'qemu-tcg',
    expectStatus: 1,
    command: () => ({
      file: process.execPath,
      args: ['-e', `process.stdout.write(${JSON.stringify(output)}); process.exitCode = ${status}`],
      timeoutMs: 10_000,
    }),
  };
}

describe('measurement', () => {
  it('times a run that gives the guest output and status', async () => {
    const results = await alternate(
      [{ key: 'ok', subject: fake('T', 1), guest: guests.tiny }],
      2,
      10_000,
      () => {},
    );
    const cell = cellOf(results.get('ok'), (o) => o.firstByteMs);
    expect(cell.status).toBe('ok');
    if (cell.status === 'ok') expect(cell.samplesMs).toHaveLength(2);
  });

  it('never times a run whose output differs from the reference', async () => {
    const results = await alternate(
      [{ key: 'bad', subject: fake('X', 1), guest: guests.tiny }],
      3,
      10_000,
      () => {},
    );
    const cell = cellOf(results.get('bad'), (o) => o.exitMs);
    expect(cell).toMatchObject({ status: 'failed' });
    expect(formatCell(cell)).toMatch(
      /^failed: run 1: expected status 1 and output "T"; got status 1, output "X"/,
    );
  });

  it('never times a run with the wrong exit status', async () => {
    const results = await alternate(
      [{ key: 'bad', subject: fake('T', 3), guest: guests.tiny }],
      1,
      10_000,
      () => {},
    );
    expect(formatCell(cellOf(results.get('bad'), (o) => o.exitMs))).toContain('got status 3');
  });

  it('reports a VMM that cannot start', async () => {
    const missing: Subject = {
      ...fake('T', 1),
      command: () => ({ file: '/nonexistent/vmm', args: [], timeoutMs: 1000 }),
    };
    const results = await alternate(
      [{ key: 'gone', subject: missing, guest: guests.tiny }],
      1,
      1000,
      () => {},
    );
    expect(formatCell(cellOf(results.get('gone'), (o) => o.exitMs))).toContain(
      'could not start: spawn /nonexistent/vmm ENOENT',
    );
  });

  it('takes the median of an odd and an even sample', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of an empty sample');
  });
});

describe('guest manifest', () => {
  it('has an instruction count and reference output for every guest', () => {
    for (const g of Object.values(guests)) {
      // The snapshot fill guest alone is uncounted (never used for instructions per second).
      if (g.name !== 'fill') expect(g.instructions, g.name).toBeGreaterThan(0);
      expect(g.output.length, g.name).toBeGreaterThan(0);
      expect(g.path).toBe(join(import.meta.dirname, '..', 'guests', `${g.name}.elf`));
    }
    expect(guests.int.output).toMatch(/^tsvm-bench int iterations=[0-9a-f]{8} hash=[0-9a-f]{8} ok\n$/);
    expect(guests.portio.portWrites).toBeGreaterThan(0);
    expect(guests['portio-base'].portWrites).toBe(0);
  });
});

describe('pnpm bench arguments', () => {
  it('defaults to 5 runs, installing peers', () => {
    expect(parseBenchArgs([])).toMatchObject({ runs: 5, quick: false, install: true, timeoutMs: 300_000 });
  });
  it("accepts the '--' that pnpm passes through", () => {
    expect(parseBenchArgs(['--', '--runs', '7', '--provisional', 'busy'])).toMatchObject({
      runs: 7,
      provisional: 'busy',
    });
  });
  it('refuses fewer than 5 runs for a real measurement', () => {
    expect(() => parseBenchArgs(['--runs', '3'])).toThrow(
      '--runs must be at least 5 for a real measurement (got 3); use --quick for a smoke run',
    );
  });
  it('refuses a non-numeric run count and timeout', () => {
    expect(() => parseBenchArgs(['--runs', 'many'])).toThrow("--runs must be a positive integer, got 'many'");
    expect(() => parseBenchArgs(['--timeout-s', '0'])).toThrow(
      "--timeout-s must be a positive number, got '0'",
    );
  });
  it('refuses an unknown subject and an unknown option', () => {
    expect(() => parseBenchArgs(['--subjects', 'qemu-tcg,bochs'])).toThrow("unknown subject 'bochs'");
    expect(() => parseBenchArgs(['--fast'])).toThrow("Unknown option '--fast'");
  });
});

describe('the accel-kvm bench table', () => {
  it('reads every row of the ratio column, not words that merely contain "ratio"', () => {
    const md = [
      'A guest loops; each iteration is one exit (0x80).',
      '',
      '| path | per exit (median) | ratio to C |',
      '| --- | --- | --- |',
      '| C program | 12.34 µs | 1.00 |',
      '| binding (`addon.run`) | 11.83 µs | **0.96** |',
      '| full backend | 16.38 µs | 1.33 |',
      '',
      'The ratio is the figure of interest (aim: within 1.2x of C).',
    ].join('\n');
    expect(ratiosFromMarkdown(md)).toEqual([
      { label: 'C program', ratio: 1 },
      { label: 'binding (addon.run)', ratio: 0.96 },
      { label: 'full backend', ratio: 1.33 },
    ]);
  });
  it('finds nothing in text without a ratio table', () => {
    expect(ratiosFromMarkdown('iteration 5\n| a | b |\n|---|---|\n| 1 | 2 |')).toEqual([]);
  });
});

describe('BENCHMARKS.md merging', () => {
  it('writes the report between markers in a new file', () => {
    expect(mergeReport(undefined, '# tsvm benchmarks\n')).toBe(
      `${BEGIN_MARKER}\n\n# tsvm benchmarks\n\n${END_MARKER}\n`,
    );
  });
  it('replaces only the generated block, keeping notes around it', () => {
    const old = `# Notes above\n\n${BEGIN_MARKER}\n\nold figures\n\n${END_MARKER}\n\n## Profile\n\nhot loop\n`;
    const merged = mergeReport(old, 'new figures');
    expect(merged).toBe(
      `# Notes above\n\n${BEGIN_MARKER}\n\nnew figures\n\n${END_MARKER}\n\n## Profile\n\nhot loop\n`,
    );
  });
  it('keeps a hand-written file below the report, headings one level down', () => {
    const merged = mergeReport('# accel-tcg profile\n\n## Decoder\n\n40 % in decode\n', '# tsvm benchmarks');
    expect(merged).toContain('## Notes kept from the previous BENCHMARKS.md');
    expect(merged).toContain('## accel-tcg profile\n\n### Decoder\n\n40 % in decode');
    expect(merged.indexOf('# tsvm benchmarks')).toBeLessThan(merged.indexOf('accel-tcg profile'));
  });
});

describe('peers', () => {
  it('reports QEMU as missing, with the reason, when it is not installed and installing is off', () => {
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), 'tsvm-bench-empty-path-'));
    try {
      expect(ensureQemu({ install: false, log: () => {} })).toEqual({
        status: 'missing',
        reason: 'qemu-system-i386 is not installed (install disabled)',
      });
    } finally {
      process.env.PATH = path;
    }
  });

  it('finds the pinned v86 release', () => {
    const v86 = ensureV86({ install: false, log: () => {} }, join(import.meta.dirname, '..', '..', '..'));
    expect(v86).toMatchObject({
      status: 'available',
      version: expect.stringContaining(`v86 ${V86_VERSION}`),
    });
  });
});

describe('tsvm --tcg-jit detection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-bench-jit-'));
  const fakeCli = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };

  it('finds the option in `tsvm run --help`', () => {
    const cli = fakeCli('with.mjs', "process.stdout.write('  --tcg-jit on|off   compile hot blocks\\n');");
    expect(detectJitOption(cli)).toEqual({ supported: true });
  });

  it('says why not when the option is absent, the help fails, or there is no CLI', () => {
    const without = fakeCli('without.mjs', "process.stdout.write('  --accel NAME\\n');");
    expect(detectJitOption(without)).toEqual({
      supported: false,
      reason: 'this tsvm has no --tcg-jit option (the block compiler has not landed)',
    });
    const failing = fakeCli('failing.mjs', 'process.exit(4);');
    expect(detectJitOption(failing)).toEqual({
      supported: false,
      reason: '`tsvm run --help` failed (status 4), so --tcg-jit is unknown',
    });
    expect(detectJitOption(undefined)).toEqual({ supported: false, reason: 'the tsvm command is not built' });
  });
});
