import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs a guest ROM under QEMU (Debian's qemu-system-i386, TCG) and returns what it wrote to port
 * 0xe9 (debugcon) and its isa-debug-exit status. This is the independent reference the fixtures
 * are made from; it needs the QEMU binary and is only used when it is installed.
 */

export const QEMU_BINARY = 'qemu-system-i386';

export interface QemuAvailability {
  readonly available: boolean;
  readonly reason: string;
  readonly version?: string;
}

let cached: QemuAvailability | undefined;

export function qemuAvailability(): QemuAvailability {
  if (cached) return cached;
  const r = spawnSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    cached = {
      available: false,
      reason: `${QEMU_BINARY} is not installed (apt-get install -y qemu-system-x86): ${r.error?.message ?? r.stderr}`,
    };
  } else {
    const version = /version ([^\s]+)/.exec(r.stdout)?.[1] ?? 'unknown';
    cached = { available: true, reason: `${QEMU_BINARY} ${version} found`, version };
  }
  return cached;
}

export interface QemuRun {
  readonly output: Uint8Array;
  /** Process exit status: (value << 1) | 1 for a debug-exit write of `value`. */
  readonly status: number;
}

/** Run `image` (a multiple of 64 KiB, mapped below 4 GiB as the BIOS) to its debug exit. */
export function runUnderQemu(
  image: Uint8Array,
  options: {
    timeoutMs?: number;
    accel?: 'tcg' | 'kvm';
    /** QEMU's -cpu (default: its own, qemu32); accel-tcg's guests were recorded on pentium2. */
    cpu?: string;
    /** QEMU's -m in MiB (default 16). */
    memoryMiB?: number;
  } = {},
): QemuRun {
  if (image.length % 0x10000 !== 0)
    throw new Error(`QEMU needs a BIOS image of a multiple of 64 KiB, got ${image.length} bytes`);
  const availability = qemuAvailability();
  if (!availability.available) throw new Error(availability.reason);
  const dir = mkdtempSync(join(tmpdir(), 'tsvm-qemu-'));
  try {
    const bios = join(dir, 'guest.bin');
    const out = join(dir, 'debugcon.out');
    writeFileSync(bios, image);
    const r = spawnSync(
      QEMU_BINARY,
      [
        '-accel',
        options.accel ?? 'tcg',
        ...(options.cpu ? ['-cpu', options.cpu] : []),
        '-m',
        String(options.memoryMiB ?? 16),
        '-bios',
        bios,
        '-display',
        'none',
        '-nodefaults',
        '-no-reboot',
        '-device',
        'isa-debug-exit,iobase=0xf4,iosize=4',
        '-debugcon',
        `file:${out}`,
      ],
      { timeout: options.timeoutMs ?? 60_000, encoding: 'utf8' },
    );
    if (r.error) throw new Error(`${QEMU_BINARY} failed: ${r.error.message}`);
    if (r.status === null) throw new Error(`${QEMU_BINARY} was killed (${r.signal}); stderr: ${r.stderr}`);
    return { output: new Uint8Array(readFileSync(out)), status: r.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
