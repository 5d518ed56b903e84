import { writeFileSync } from 'node:fs';
import type { MachineStop } from '@tsvm/core';
import { liveQemuReference } from '../../guests/rom-guest-directory.js';
import { qemuAvailability } from '../../reference/qemu.js';
import type { AcceleratorSource } from '../../run/guest-machine.js';
import { describeStop, runGuestOnAccelerator } from '../../run/run-on-accelerator.js';
import { fnv1a, formatDumpFixture, groupDumps, readDumpFixture } from './dump-fixture.js';

/** The 1 MiB ROM of a dump-line run: generated code from the bottom, the runner as its last 64 KiB. */
export function buildDumpRom(code: Uint8Array, runner: Uint8Array): Uint8Array {
  const rom = new Uint8Array(0x100000).fill(0xf4);
  if (code.length > rom.length - runner.length)
    throw new Error(`the generated code (${code.length} bytes) does not fit in the ROM beside its runner`);
  rom.set(code, 0);
  rom.set(runner, rom.length - runner.length);
  return rom;
}

export interface DumpRandomOptions<S extends { insns: readonly { name: string }[] }> {
  readonly accelerator: AcceleratorSource;
  /** The generated program (`opcodeTableProgram`, `generateX87Program`) and its seed. */
  readonly program: { code: Uint8Array; sequences: readonly S[] };
  readonly seed: number;
  /** The runner ROM (64 KiB) whose dump routine the generated code calls. */
  readonly runner: Uint8Array;
  /** The committed reference (`formatDumpFixture`). */
  readonly fixturePath: string;
  /**
   * `fixture` (default): QEMU's hashes from `fixturePath`. `qemu`: QEMU run live on the same ROM
   * (any seed and count). `regenerate`: run QEMU, write `fixturePath`, then compare with it.
   */
  readonly reference?: 'fixture' | 'qemu' | 'regenerate';
  /** First words of a divergence report, e.g. `x87 divergence: seed 5` (the sequence follows). */
  readonly title: string;
  /** A line naming the columns of a dump line, for the report. */
  readonly columns: string;
  readonly describe: (sequence: S) => string;
  readonly timeoutMs?: number;
  readonly qemuTimeoutMs?: number;
  /** On a fixture divergence, rerun QEMU (when installed) to show the expected line (default true). */
  readonly qemuForReport?: boolean;
}

export interface DumpRandomResult {
  readonly ok: boolean;
  /** The first divergence (sequence listing, reference and actual line) or a wrong ending. */
  readonly report?: string;
  readonly stop: MachineStop;
}

/**
 * Run a generated dump-line program on an accelerator and compare every dump line with QEMU's:
 * the first differing instruction is reported with its sequence. A ROM that no longer hashes
 * to the fixture's (generator or runner changed) is refused: regenerate the fixture.
 */
export async function runDumpRandom<S extends { insns: readonly { name: string }[] }>(
  options: DumpRandomOptions<S>,
): Promise<DumpRandomResult> {
  const { program, seed } = options;
  const count = program.sequences.length;
  const rom = buildDumpRom(program.code, options.runner);
  const mode = options.reference ?? 'fixture';
  const qemuTimeoutMs = options.qemuTimeoutMs ?? 120_000;
  const qemu = () => {
    const q = liveQemuReference(rom, qemuTimeoutMs);
    if (q.status !== 1) throw new Error(`QEMU ended the random run with status ${q.status}, not 1`);
    return q.text;
  };
  let live: Map<number, string[]> | undefined;
  let hashes: number[][] | undefined;
  if (mode === 'qemu') {
    live = groupDumps(qemu());
  } else {
    if (mode === 'regenerate')
      writeFileSync(options.fixturePath, formatDumpFixture(seed, count, rom, qemu()));
    const fx = readDumpFixture(options.fixturePath);
    if (!fx)
      throw new Error(`no fixture ${options.fixturePath}: regenerate it with QEMU (TSVM_QEMU_FIXTURES=1)`);
    if (fx.seed !== seed || fx.count !== count)
      throw new Error(
        `${options.fixturePath} holds seed ${fx.seed} count ${fx.count}, not seed ${seed} count ${count}`,
      );
    if (fx.romHash !== fnv1a(rom))
      throw new Error(
        `the generated ROM differs from the one ${options.fixturePath} was made from: the generator or runner changed; regenerate the fixture`,
      );
    hashes = fx.hashes;
  }
  const matches = (k: number, j: number, line: string | undefined) =>
    line !== undefined && (live ? live.get(k)?.[j] === line : hashes?.[k]?.[j] === fnv1a(line));
  const run = await runGuestOnAccelerator(options.accelerator, rom, {
    layout: 'qemu-pc',
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  const got = groupDumps(run.text);
  // Only hashes are committed: with QEMU installed, rerun it to show the expected line.
  const expectedLine = (k: number, j: number) => {
    if (options.qemuForReport === false || !qemuAvailability().available)
      return '(only its hash is committed; QEMU would show the line)';
    try {
      return groupDumps(qemu()).get(k)?.[j] ?? '<missing>';
    } catch (e) {
      return `(QEMU rerun failed: ${(e as Error).message})`;
    }
  };
  for (let k = 0; k < count; k++) {
    const seq = program.sequences[k];
    for (let j = 0; j < seq.insns.length; j++) {
      const line = got.get(k)?.[j];
      if (matches(k, j, line)) continue;
      const refLine = live ? (live.get(k)?.[j] ?? '<missing>') : expectedLine(k, j);
      const report = [
        `${options.title}, sequence ${k}, instruction #${j} (${seq.insns[j].name})`,
        options.describe(seq),
        options.columns,
        `  reference: ${refLine}`,
        `  tsvm:      ${line ?? '<missing>'}`,
      ].join('\n');
      return { ok: false, report, stop: run.stop };
    }
  }
  if (run.stop.reason !== 'exit' || run.stop.status !== 1)
    return {
      ok: false,
      report: `${options.title}: the run ended with ${describeStop(run.stop)}, not exit status 1`,
      stop: run.stop,
    };
  return { ok: true, stop: run.stop };
}
