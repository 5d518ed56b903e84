import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runUnderQemu } from '../reference/qemu.js';

/**
 * A directory of transcript guests kept by an accelerator package (accel-tcg's `guests/`):
 * `src/NAME.asm` (nasm), `bin/NAME.bin` with its listing `bin/NAME.lst`, and QEMU's reference
 * `expected/NAME.txt` (debug-console text) and `expected/NAME.status` (process status). A source
 * line `; REFERENCE: sdm` marks a hand-checked transcript QEMU must not overwrite; `; BOARD: pc`
 * a guest that needs the whole PC board.
 */
export interface RomGuest {
  readonly name: string;
  readonly rom: Uint8Array;
  /** What QEMU printed on the debug console. */
  expected: string;
  /** QEMU's process status: (v << 1) | 1 for a debug-exit write of v, 0 after a triple fault (-no-reboot). */
  status: number;
  /** The expected transcript was checked against the SDM, not produced by QEMU. */
  readonly sdmReference: boolean;
  /** Runs on the whole PC board (layout `pc-board`), not the bare test machine. */
  readonly pcBoard: boolean;
  /** The nasm listing, for mapping DUMP tags to source lines. */
  readonly listingPath: string;
}

/** QEMU as the fixtures were recorded: `-M pc -cpu pentium2 -m 32`. */
export const ROM_GUEST_QEMU = { cpu: 'pentium2', memoryMiB: 32 } as const;

export class RomGuestDirectory {
  readonly dir: string;

  constructor(dir: string | URL) {
    this.dir = typeof dir === 'string' ? dir : fileURLToPath(dir);
  }

  names(): string[] {
    return readdirSync(join(this.dir, 'bin'))
      .filter((f) => f.endsWith('.bin'))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  load(name: string): RomGuest {
    const rom = new Uint8Array(readFileSync(join(this.dir, 'bin', `${name}.bin`)));
    const txt = join(this.dir, 'expected', `${name}.txt`);
    if (!existsSync(txt))
      throw new Error(
        `guest '${name}' has no QEMU fixture: regenerate it (TSVM_QEMU_FIXTURES=1, see the README)`,
      );
    const source = readFileSync(join(this.dir, 'src', `${name}.asm`), 'utf8');
    return {
      name,
      rom,
      expected: readFileSync(txt, 'latin1'),
      status: Number(readFileSync(join(this.dir, 'expected', `${name}.status`), 'utf8').trim()),
      sdmReference: /^; REFERENCE: sdm/m.test(source),
      pcBoard: /^; BOARD: pc/m.test(source),
      listingPath: join(this.dir, 'bin', `${name}.lst`),
    };
  }

  /**
   * Run the guest under QEMU and write its fixture, returning QEMU's transcript and status;
   * undefined (nothing written) for a guest whose reference is the SDM.
   */
  regenerate(name: string, timeoutMs = 60_000): { text: string; status: number } | undefined {
    const source = readFileSync(join(this.dir, 'src', `${name}.asm`), 'utf8');
    if (/^; REFERENCE: sdm/m.test(source)) return undefined;
    const rom = new Uint8Array(readFileSync(join(this.dir, 'bin', `${name}.bin`)));
    const live = liveQemuReference(rom, timeoutMs);
    writeFileSync(join(this.dir, 'expected', `${name}.txt`), live.text, 'latin1');
    writeFileSync(join(this.dir, 'expected', `${name}.status`), `${live.status}\n`);
    return live;
  }
}

/** QEMU's transcript and status for a ROM, as the directory's fixtures record them. */
export function liveQemuReference(rom: Uint8Array, timeoutMs = 60_000): { text: string; status: number } {
  const q = runUnderQemu(rom, { ...ROM_GUEST_QEMU, timeoutMs });
  return { text: new TextDecoder('latin1').decode(q.output), status: q.status };
}
