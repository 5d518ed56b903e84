import { existsSync, readFileSync } from 'node:fs';

/**
 * The reference of a dump-line random run: the guest's runner prints one line per executed
 * instruction, `TTTTTTTT: ...` with tag = (sequence << 8) | instruction, an exception as an
 * `EXC ...` line before the dump it belongs to. The committed fixture keeps QEMU's lines only as
 * FNV-1a hashes (a few hundred KiB instead of megabytes), tied to the ROM by its hash.
 */

export function fnv1a(text: string | Uint8Array): number {
  let h = 0x811c9dc5;
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

/** Dump lines of a transcript, grouped: result.get(seq)[insn] = the line. */
export function groupDumps(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let pending = '';
  for (const raw of text.split('\n')) {
    // An exception line belongs to the dump that follows it.
    if (raw.startsWith('EXC ')) {
      pending += `${raw} | `;
      continue;
    }
    const m = /^([0-9a-f]{8}):/.exec(raw);
    if (!m) continue;
    const line = pending + raw;
    pending = '';
    const tag = Number.parseInt(m[1], 16);
    let list = out.get(tag >>> 8);
    if (!list) {
      list = [];
      out.set(tag >>> 8, list);
    }
    list[tag & 0xff] = line;
  }
  return out;
}

export interface DumpFixture {
  readonly seed: number;
  readonly count: number;
  readonly romHash: number;
  /** hashes[seq][insn]: FNV-1a of QEMU's dump line after that instruction. */
  readonly hashes: number[][];
}

export function formatDumpFixture(seed: number, count: number, rom: Uint8Array, qemuText: string): string {
  const groups = groupDumps(qemuText);
  const lines = [
    `# QEMU reference for the randomized test: seed ${seed} count ${count} rom ${fnv1a(rom).toString(16)}`,
  ];
  for (let k = 0; k < count; k++) {
    const dumps = groups.get(k) ?? [];
    lines.push(`${k} ${dumps.map((l) => fnv1a(l).toString(16)).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function parseDumpFixture(text: string, where: string): DumpFixture {
  const [head, ...rest] = text.trim().split('\n');
  const m = /seed (\d+) count (\d+) rom ([0-9a-f]+)/.exec(head);
  if (!m) throw new Error(`${where}: malformed header '${head}'`);
  const hashes: number[][] = [];
  for (const line of rest) {
    const [k, ...hs] = line.split(' ');
    hashes[Number(k)] = hs.filter((h) => h !== '').map((h) => Number.parseInt(h, 16));
  }
  return { seed: Number(m[1]), count: Number(m[2]), romHash: Number.parseInt(m[3], 16), hashes };
}

export function readDumpFixture(path: string): DumpFixture | undefined {
  return existsSync(path) ? parseDumpFixture(readFileSync(path, 'utf8'), path) : undefined;
}
