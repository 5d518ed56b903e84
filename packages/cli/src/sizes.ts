import { CliError, ExitCode } from './exit-codes.js';

const UNITS: Record<string, number> = {
  '': 1024 * 1024,
  B: 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** Parse a QEMU-style size: `128M`, `1G`, `512K`, `4096B`; a bare number means MiB (as `-m 128`). */
export function parseSize(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([BKMGT]?)(?:i?B)?$/i.exec(text.trim());
  if (!m) throw new CliError(`${what}: '${text}' is not a size (examples: 128M, 1G, 512K)`, ExitCode.Usage);
  const bytes = Math.round(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new CliError(`${what}: '${text}' is out of range`, ExitCode.Usage);
  return bytes;
}

export function formatSize(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
