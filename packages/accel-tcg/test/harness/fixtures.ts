import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GUESTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'guests');

export interface GuestFixture {
  name: string;
  rom: Uint8Array;
  /** What QEMU printed on the debug console. */
  expected: string;
  /** QEMU's process status: (v << 1) | 1 for a debug-exit write of v, 0 after a triple fault (-no-reboot). */
  status: number;
  /** The expected transcript was checked against the SDM, not produced by QEMU. */
  sdmReference: boolean;
  /** The guest needs the whole PC board (interrupt controllers), not the bare test machine. */
  pcBoard: boolean;
}

export function listGuests(): string[] {
  return readdirSync(join(GUESTS_DIR, 'bin'))
    .filter((f) => f.endsWith('.bin'))
    .map((f) => f.slice(0, -4))
    .sort();
}

const source = (name: string) => readFileSync(join(GUESTS_DIR, 'src', `${name}.asm`), 'utf8');

export function loadGuest(name: string): GuestFixture {
  const rom = new Uint8Array(readFileSync(join(GUESTS_DIR, 'bin', `${name}.bin`)));
  const txt = join(GUESTS_DIR, 'expected', `${name}.txt`);
  if (!existsSync(txt))
    throw new Error(`guest '${name}' has no QEMU fixture: run guests/make-fixtures.sh ${name}`);
  return {
    name,
    rom,
    expected: readFileSync(txt, 'latin1'),
    status: Number(readFileSync(join(GUESTS_DIR, 'expected', `${name}.status`), 'utf8').trim()),
    sdmReference: /^; REFERENCE: sdm/m.test(source(name)),
    pcBoard: /^; BOARD: pc/m.test(source(name)),
  };
}
