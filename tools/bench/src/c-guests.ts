import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guestsDir } from './guests.js';

/** The C workloads in guests/c (each builds into `<name>.elf` and `<name>-smoke.elf`). */
export type CWorkloadName = 'cmark' | 'fmark';
export const C_WORKLOADS: readonly CWorkloadName[] = ['cmark', 'fmark'];

/** Exit value the C guests write to the debug-exit port when the CPU has no x87 FPU. */
export const NO_FPU_EXIT_VALUE = 2;

export interface CGuest {
  /** File name without `.elf`, e.g. `cmark` or `cmark-smoke`. */
  readonly name: string;
  readonly path: string;
  readonly workload: CWorkloadName;
  readonly iterations: number;
  /** What the host build of the same C computed (guests/c/build.sh), 8 hex digits. */
  readonly checksum: string;
  /** The one line the guest prints when its checksum matches. */
  readonly output: string;
  /** x87 workloads end early, saying so, on a CPU without an FPU. */
  readonly needsFpu: boolean;
}

export const cGuestsDir = join(guestsDir, 'c');

/** The line a C guest prints on a CPU whose CPUID reports no FPU. */
export function noFpuOutput(workload: CWorkloadName): string {
  return `${workload}: no x87 FPU (CPUID.1:EDX.FPU = 0)\n`;
}

/**
 * Why an x87 guest's run shows that the executor cannot run x87 code yet, or undefined: the guest
 * said its CPUID has no FPU, or an x87 instruction raised #UD (6) or #NM (7), which no instruction
 * of an i686 with an enabled FPU does (the guest reports CPU exceptions; runtime/start.S).
 */
export function x87Unsupported(workload: CWorkloadName, stdout: string): string | undefined {
  if (stdout === noFpuOutput(workload))
    return "CPUID reports no x87 FPU (accel-tcg's x87 has not landed, issue 11)";
  const fault = /guest: CPU exception ([67]) at eip ([0-9a-f]{8})/.exec(stdout);
  if (fault)
    return `x87 incomplete: ${fault[1] === '6' ? '#UD' : '#NM'} at eip 0x${fault[2]} (an x87 instruction the executor lacks)`;
  return undefined;
}

interface ManifestEntry {
  workload: string;
  x87: boolean;
  iterations: number;
  checksum: string;
}

/** The C guests listed in guests/c/workloads.json, by file name: `cmark`, `cmark-smoke`, … */
export function loadCGuests(dir = cGuestsDir): Record<string, CGuest> {
  const manifest = JSON.parse(readFileSync(join(dir, 'workloads.json'), 'utf8')) as {
    guests: Record<string, ManifestEntry>;
  };
  const guests: Record<string, CGuest> = {};
  for (const [file, entry] of Object.entries(manifest.guests)) {
    const workload = entry.workload as CWorkloadName;
    if (!C_WORKLOADS.includes(workload))
      throw new Error(`guests/c/workloads.json: '${file}' names unknown workload '${entry.workload}'`);
    if (!/^[0-9a-f]{8}$/.test(entry.checksum) || !(entry.iterations > 0))
      throw new Error(`guests/c/workloads.json: '${file}' needs iterations > 0 and an 8-digit hex checksum`);
    const name = file.replace(/\.elf$/, '');
    guests[name] = {
      name,
      path: join(dir, file),
      workload,
      iterations: entry.iterations,
      checksum: entry.checksum,
      output: `${workload}: iterations ${entry.iterations}, checksum ${entry.checksum}, ok\n`,
      needsFpu: entry.x87 === true,
    };
  }
  return guests;
}
