// Smoke run of the whole bench harness on tiny inputs, so `pnpm bench` cannot rot unnoticed.
// It never asserts a time: only that every row is either a measured figure or says why not.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Accelerator } from '@tsvm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../src/bench.js';
import type { BenchReport, Cell } from '../src/report/model.js';
import { SUBJECT_IDS } from '../src/subjects.js';
import { COMPILED_C_SUBJECTS } from '../src/suites/compiled-c.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');
const outDir = mkdtempSync(join(tmpdir(), 'tsvm-bench-smoke-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Snapshot path without waiting for accel-tcg: an accelerator with no register copy of its own. */
const noCopyAccelerator: Accelerator = {
  name: 'smoke-no-copy',
  probe: () => ({ available: true, reason: 'test accelerator' }),
  createVm: () => ({ createVcpu: () => ({ run: () => ({ kind: 'halt', wakeable: false }) }) }),
};

function expectExplained(cell: Cell | undefined, where: string): void {
  expect(cell, where).toBeDefined();
  if (cell!.status === 'ok') {
    expect(cell!.samplesMs.length, where).toBe(1);
    expect(Number.isFinite(cell!.medianMs), where).toBe(true);
  } else {
    expect(cell!.reason.length, `${where}: a missing figure must say why`).toBeGreaterThan(5);
  }
}

describe('pnpm bench --quick', () => {
  let report: BenchReport;
  const lines: string[] = [];

  it('runs every suite once on the tiny guests and writes BENCHMARKS.md and .json', async () => {
    report = await runBench({
      repoRoot,
      outDir,
      runs: 1,
      quick: true,
      install: false, // peers only if already installed; missing ones must be reported as missing
      timeoutMs: 20_000,
      snapshotRamMiB: 4,
      provisional: 'smoke test',
      snapshotAccelerator: async () => noCopyAccelerator,
      log: (line) => lines.push(line),
    });
    expect(existsSync(join(outDir, 'BENCHMARKS.md'))).toBe(true);
    const json = JSON.parse(readFileSync(join(outDir, 'BENCHMARKS.json'), 'utf8')) as BenchReport;
    expect(json.schema).toBe(1);
    expect(json.environment.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(json.environment.cores).toBeGreaterThan(0);
  });

  it('explains the Linux boot rows it skips in a smoke run', () => {
    expect(report.linuxBoot?.map((r) => r.subject)).toEqual(['tsvm-tcg', 'qemu-tcg', 'v86']);
    for (const row of report.linuxBoot ?? []) {
      expectExplained(row.banner, `linux ${row.subject} banner`);
      expectExplained(row.prompt, `linux ${row.subject} prompt`);
    }
  });

  it('says for every subject whether it ran, and why not', () => {
    for (const id of SUBJECT_IDS) {
      const s = report.subjects[id];
      if (!s.available) expect(s.reason?.length ?? 0, id).toBeGreaterThan(5);
    }
    for (const peer of [report.peers.qemu, report.peers.v86])
      if (peer.status === 'missing') expect(peer.reason.length).toBeGreaterThan(5);
  });

  it('fills or explains every cell of every table', () => {
    for (const row of report.startup) {
      expectExplained(row.firstByte, `start-up ${row.subject} first byte`);
      expectExplained(row.exit, `start-up ${row.subject} exit`);
    }
    for (const row of report.throughput)
      for (const id of ['tsvm-tcg', 'qemu-tcg', 'v86'] as const)
        expectExplained(row.wall[id], `${row.guest} ${id}`);
    for (const row of report.kvmExit.portIo) {
      expectExplained(row.withExits, `exit cost ${row.subject}`);
      expectExplained(row.baseline, `exit baseline ${row.subject}`);
    }
    expect(['skipped', 'not available']).toContain(report.kvmExit.accelKvmBench.status);
    expect(report.snapshotCli).toHaveLength(1);
    for (const row of report.snapshotCli) {
      expectExplained(row.plain, `tsvm run ${row.guest}`);
      expectExplained(row.save, `tsvm run ${row.guest} --savevm-at-exit`);
      expectExplained(row.load, `tsvm run ${row.guest} --loadvm`);
      if (report.subjects['tsvm-tcg'].available) {
        expect(row.load.status, 'a saved snapshot loads').toBe('ok');
        expect(row.fileBytes).toBeGreaterThan(0);
      }
    }
    expect(report.snapshot).toHaveLength(2);
    for (const row of report.snapshot) {
      expect(row.save.status, row.scenario).toBe('ok');
      expect(row.load.status, row.scenario).toBe('ok');
      expect(row.fileBytes).toBeGreaterThan(0);
    }
  });

  it('runs the C workloads at smoke size on tsvm and the TCG peers, or says why not', () => {
    expect(report.compiledC.map((r) => r.image)).toEqual(['cmark-smoke.elf', 'fmark-smoke.elf']);
    for (const row of report.compiledC)
      for (const id of COMPILED_C_SUBJECTS) expectExplained(row.wall[id], `${row.workload} ${id}`);
    const [cmark, fmark] = report.compiledC;
    if (report.subjects['tsvm-tcg'].available) {
      expect(cmark.wall['tsvm-tcg-interpreter']?.status).toBe('ok');
      const tsvmX87 = fmark.wall['tsvm-tcg-interpreter']!;
      if (tsvmX87.status !== 'ok') expect(tsvmX87.reason).toMatch(/^tsvm cannot run x87 code yet: /);
    }
    // The peers run both images, x87 included, and print the host's checksum.
    for (const id of ['qemu-tcg', 'v86'] as const)
      if (report.subjects[id].available)
        for (const row of report.compiledC)
          expect(row.wall[id]?.status, `${row.workload} on ${id}`).toBe('ok');
  });

  it('times every available subject (the probe run proved it boots the guest)', () => {
    for (const id of SUBJECT_IDS) {
      if (!report.subjects[id].available) continue;
      const row = report.startup.find((r) => r.subject === id)!;
      expect(row.firstByte.status, id).toBe('ok');
      expect(row.exit.status, id).toBe('ok');
    }
  });

  it('writes a Markdown report with the machine description and no made-up values', () => {
    const md = readFileSync(join(outDir, 'BENCHMARKS.md'), 'utf8');
    expect(md).toContain('PROVISIONAL');
    expect(md).toContain(report.environment.commit);
    expect(md).toContain('## Compiled C');
    expect(md).toContain(`| cores | ${report.environment.cores} |`);
    expect(md).toMatch(/\| KVM \| .*(hardware-backed|not available)/);
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
    for (const id of SUBJECT_IDS)
      if (!report.subjects[id].available) expect(md).toContain(report.subjects[id].reason!.slice(0, 40));
  });
});
