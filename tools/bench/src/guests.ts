import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The benchmark guests, as counted by guests/count-instructions.mjs. */
export type GuestName = 'int' | 'paging' | 'tiny' | 'portio' | 'portio-quick' | 'portio-base' | 'fill';

export interface Guest {
  /** File name without `.elf`. */
  readonly name: string;
  readonly path: string;
  /**
   * Kernel instructions from entry to the debug-exit write, counted under QEMU (see guests/).
   * 0 for the snapshot fill guest, which is never used for an instructions-per-second figure.
   */
  readonly instructions: number;
  /** The exact serial output every subject must produce (recorded under QEMU TCG). */
  readonly output: string;
  /** Port-I/O guests: OUT instructions to port 0x80, i.e. VM exits under KVM. */
  readonly portWrites?: number;
}

/** tools/bench, found from this file in src/ (tests) or dist/ (the built runner). */
export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const guestsDir = join(benchDir, 'guests');
export const runnersDir = join(benchDir, 'runners');

interface ManifestEntry {
  instructions?: number;
  output: string;
  portWrites?: number;
}

export function loadGuests(dir = guestsDir): Record<GuestName, Guest> {
  const manifest = JSON.parse(readFileSync(join(dir, 'instructions.json'), 'utf8')) as {
    guests: Record<GuestName, ManifestEntry>;
  };
  const names: GuestName[] = ['int', 'paging', 'tiny', 'portio', 'portio-quick', 'portio-base', 'fill'];
  return Object.fromEntries(
    names.map((name) => {
      const entry = manifest.guests[name];
      if (!entry) throw new Error(`guests/instructions.json has no entry for '${name}'`);
      return [
        name,
        { name, path: join(dir, `${name}.elf`), ...entry, instructions: entry.instructions ?? 0 },
      ];
    }),
  ) as Record<GuestName, Guest>;
}
