import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** qemu-system-i386 exists on this host (the live differential path needs it). */
export function qemuAvailable(): boolean {
  return spawnSync('qemu-system-i386', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Run a ROM image under QEMU TCG as guests/make-fixtures.sh does; returns debugcon output and status. */
export function runQemu(rom: Uint8Array, timeoutSec = 20): { text: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-qemu-'));
  try {
    const bios = join(dir, 'rom.bin');
    const out = join(dir, 'out.txt');
    writeFileSync(bios, rom);
    writeFileSync(out, '');
    const r = spawnSync(
      'timeout',
      [
        String(timeoutSec),
        'qemu-system-i386',
        '-M',
        'pc',
        '-cpu',
        'pentium2',
        '-m',
        '32',
        '-bios',
        bios,
        '-display',
        'none',
        '-vga',
        'none',
        '-serial',
        'none',
        '-parallel',
        'none',
        '-monitor',
        'none',
        '-net',
        'none',
        '-no-reboot',
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=4',
        '-debugcon',
        `file:${out}`,
      ],
      { encoding: 'utf8' },
    );
    return { text: readFileSync(out, 'latin1'), status: r.status ?? -1 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
