import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUESTS_DIR } from '../harness/fixtures.js';
import { buildRandomRom, type Sequence } from './generator.js';

/** The committed randomized run: seed and sequence count, checked by random.test.ts. */
export const RANDOM_SEED = 20261125;
export const RANDOM_COUNT = 3000;
/** The 16-bit code-segment run: fewer sequences (they must fit in one 64 KiB segment). */
export const RANDOM16_COUNT = 250;

export const fixturePath = (seed: number, code16 = false) =>
  join(GUESTS_DIR, 'random', `expected-${code16 ? '16-' : ''}${seed}.txt`);

export function fnv1a(text: string | Uint8Array): number {
  let h = 0x811c9dc5;
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

export function loadRunner(): Uint8Array {
  return new Uint8Array(readFileSync(join(GUESTS_DIR, 'random', 'runner.bin')));
}

export function randomRom(
  seed: number,
  count: number,
  code16 = false,
): { rom: Uint8Array; sequences: Sequence[] } {
  return buildRandomRom(seed, count, loadRunner(), code16);
}

/** Dump lines of a transcript, grouped: result[seq][insn] = the line. */
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
    const seq = tag >>> 8;
    let list = out.get(seq);
    if (!list) {
      list = [];
      out.set(seq, list);
    }
    list[tag & 0xff] = line;
  }
  return out;
}

export interface RandomFixture {
  seed: number;
  count: number;
  romHash: number;
  /** hashes[seq][insn]: FNV-1a of QEMU's dump line after that instruction. */
  hashes: number[][];
}

export function formatFixture(seed: number, count: number, rom: Uint8Array, qemuText: string): string {
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

export function readFixture(seed: number, code16 = false): RandomFixture | undefined {
  const path = fixturePath(seed, code16);
  if (!existsSync(path)) return undefined;
  const [head, ...rest] = readFileSync(path, 'utf8').trim().split('\n');
  const m = /seed (\d+) count (\d+) rom ([0-9a-f]+)/.exec(head);
  if (!m) throw new Error(`${path}: malformed header '${head}'`);
  const hashes: number[][] = [];
  for (const line of rest) {
    const [k, ...hs] = line.split(' ');
    hashes[Number(k)] = hs.map((h) => Number.parseInt(h, 16));
  }
  return { seed: Number(m[1]), count: Number(m[2]), romHash: Number.parseInt(m[3], 16), hashes };
}
