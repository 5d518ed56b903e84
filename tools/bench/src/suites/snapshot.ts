import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Accelerator, Machine as MachineClass } from '@tsvm/core';
import type { Cell, SnapshotRow } from '../report/model.js';
import { median } from '../stats.js';
import type { SuiteContext } from './context.js';

/** Where the accelerator for the snapshot machine comes from; tests may supply their own. */
export type AcceleratorSource = () => Promise<Accelerator | string>;

function isAccelerator(value: unknown): value is Accelerator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Accelerator).createVm === 'function' &&
    typeof (value as Accelerator).name === 'string'
  );
}

/** tsvm's TS executor, found among @tsvm/accel-tcg's exports (an instance, class or factory). */
export const tcgAccelerator: AcceleratorSource = async () => {
  let mod: Record<string, unknown>;
  try {
    mod = (await import('@tsvm/accel-tcg')) as Record<string, unknown>;
  } catch (e) {
    return `@tsvm/accel-tcg cannot be loaded: ${(e as Error).message}`;
  }
  for (const [name, value] of Object.entries(mod)) {
    if (isAccelerator(value)) return value;
    if (typeof value !== 'function') continue;
    try {
      if (typeof value.prototype?.createVm === 'function') {
        const instance: unknown = new (value as new () => unknown)();
        if (isAccelerator(instance)) return instance;
      } else if (/^create\w*accel/i.test(name)) {
        const made: unknown = await (value as () => unknown)();
        if (isAccelerator(made)) return made;
      }
    } catch {
      // a constructor or factory that needs arguments: not the one we can use
    }
  }
  return '@tsvm/accel-tcg exports no accelerator yet';
};

/** Written the way snapshots must be (DESIGN.md §4): temp file, fsync, rename. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Every 32-bit word a different pseudo-random value: no page is zero, nothing compresses away. */
function dirtyEveryPage(bytes: Uint8Array): void {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0 || 1;
  }
}

interface MachineParts {
  readonly Machine: typeof MachineClass;
  readonly x86Arch: typeof import('@tsvm/arch-x86').x86Arch;
  readonly accelerator: Accelerator;
}

/** Loaded lazily: a tsvm package that fails to load costs the snapshot rows, not the whole run. */
async function loadMachine(source: AcceleratorSource): Promise<MachineParts | string> {
  try {
    const { Machine } = await import('@tsvm/core');
    const { x86Arch } = await import('@tsvm/arch-x86');
    const accelerator = await source();
    return typeof accelerator === 'string' ? accelerator : { Machine, x86Arch, accelerator };
  } catch (e) {
    return `tsvm's packages cannot be loaded: ${(e as Error).message}`;
  }
}

interface Scenario {
  readonly name: string;
  prepare(ram: Uint8Array): void;
}

/**
 * Save and load time of a guest with `ramMiB` of RAM through the Machine API: `machine.save()`
 * plus an atomic file write, and a file read plus `machine.load()` into a fresh machine. The
 * loaded RAM is compared with the saved RAM (untimed), so a fast but wrong load cannot pass.
 */
export async function snapshotSuite(
  ctx: SuiteContext,
  options: { ramMiB: number; accelerator?: AcceleratorSource },
): Promise<SnapshotRow[]> {
  const ramBytes = options.ramMiB << 20;
  const tinyImage = readFileSync(ctx.guests.tiny.path);
  const scenarios: Scenario[] = [
    { name: 'every page written', prepare: dirtyEveryPage },
    { name: 'idle guest (tiny kernel at 1 MiB, rest zero)', prepare: (ram) => ram.set(tinyImage, 0x100000) },
  ];
  const loaded = await loadMachine(options.accelerator ?? tcgAccelerator);
  if (typeof loaded === 'string') {
    const cell: Cell = { status: 'not available', reason: loaded };
    return scenarios.map((s) => ({ scenario: s.name, ramMiB: options.ramMiB, save: cell, load: cell }));
  }
  const { Machine, x86Arch, accelerator } = loaded;
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-bench-snapshot-'));
  const rows: SnapshotRow[] = [];
  try {
    for (const scenario of scenarios) {
      ctx.log(`snapshot: ${options.ramMiB} MiB, ${scenario.name} (${accelerator.name})`);
      const file = join(dir, 'guest.tsvmsnap');
      const saves: number[] = [];
      const loads: number[] = [];
      let failure: string | undefined;
      for (let run = 0; run < ctx.runs && !failure; run++) {
        const source = await Machine.create({ arch: x86Arch, accelerator });
        const target = await Machine.create({ arch: x86Arch, accelerator });
        try {
          const ram = source.memory.addRam('ram', 0, ramBytes).bytes!;
          const restored = target.memory.addRam('ram', 0, ramBytes).bytes!;
          scenario.prepare(ram);
          source.start();
          let t0 = performance.now();
          writeAtomically(file, source.save());
          saves.push(performance.now() - t0);
          t0 = performance.now();
          target.load(readFileSync(file));
          loads.push(performance.now() - t0);
          if (
            Buffer.compare(
              Buffer.from(ram.buffer, ram.byteOffset, ram.byteLength),
              Buffer.from(restored.buffer, restored.byteOffset, restored.byteLength),
            ) !== 0
          )
            failure = `run ${run + 1}: the loaded RAM differs from the saved RAM`;
          ctx.log(
            `  run ${run + 1}/${ctx.runs}: save ${saves.at(-1)!.toFixed(1)} ms, load ${loads.at(-1)!.toFixed(1)} ms`,
          );
        } catch (e) {
          failure = `run ${run + 1}: ${(e as Error).message}`;
        } finally {
          source.close();
          target.close();
        }
      }
      const cell = (samples: number[]): Cell =>
        failure
          ? { status: 'failed', reason: failure }
          : {
              status: 'ok',
              medianMs: Math.round(median(samples) * 100) / 100,
              samplesMs: samples.map((s) => Math.round(s * 100) / 100),
            };
      rows.push({
        scenario: scenario.name,
        ramMiB: options.ramMiB,
        save: cell(saves),
        load: cell(loads),
        fileBytes: failure ? undefined : statSync(file).size,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
