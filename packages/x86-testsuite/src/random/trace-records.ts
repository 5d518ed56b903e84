import { crc32 } from '@tsvm/core';

/** Size of one record the trace prologue writes (16 little-endian dwords). */
export const RECORD_BYTES = 64;

export const RECORD_FIELDS = [
  'header',
  'sequence',
  'eax',
  'ecx',
  'edx',
  'ebx',
  'ebp',
  'esi',
  'edi',
  'eflags',
  'error/raw-eflags',
  'eip/esp',
  'scratch0',
  'scratch1',
  'scratch2',
  'scratch3',
] as const;

export interface TraceRecord {
  readonly kind: 'step' | 'exception';
  /** Step number within the sequence (exceptions: unknown here, 0xffff; see `eip`). */
  readonly step: number;
  readonly vector: number;
  readonly sequence: number;
  /** All 16 dwords, in RECORD_FIELDS order. */
  readonly words: readonly number[];
}

export function recordCount(output: Uint8Array): number {
  return Math.floor(output.length / RECORD_BYTES);
}

export function parseRecord(output: Uint8Array, index: number): TraceRecord {
  const view = new DataView(output.buffer, output.byteOffset + index * RECORD_BYTES, RECORD_BYTES);
  const words = Array.from({ length: 16 }, (_, i) => view.getUint32(i * 4, true));
  const header = words[0];
  return {
    kind: (header & 0xff) === 2 ? 'exception' : 'step',
    step: (header >>> 8) & 0xffff,
    vector: header >>> 24,
    sequence: words[1],
    words,
  };
}

/** Word 10 of a step record: its raw EFLAGS, compared only in strict mode. */
const RAW_FLAGS_WORD = 10;

function isStep(output: Uint8Array, index: number): boolean {
  return output[index * RECORD_BYTES] === 1;
}

/**
 * CRC-32 of every record with the raw flags of step records left out (zeroed): the compact
 * reference stored in the fixtures, insensitive to flags the SDM leaves undefined.
 */
export function recordCrcs(output: Uint8Array): Uint32Array {
  const n = recordCount(output);
  const crcs = new Uint32Array(n);
  const scratch = new Uint8Array(RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    scratch.set(output.subarray(i * RECORD_BYTES, (i + 1) * RECORD_BYTES));
    if (isStep(output, i)) scratch.fill(0, RAW_FLAGS_WORD * 4, RAW_FLAGS_WORD * 4 + 4);
    crcs[i] = crc32(scratch);
  }
  return crcs;
}

/** Whether record `index` agrees in two outputs (strict: the raw flags of steps too). */
export function recordsAgree(
  expected: Uint8Array,
  actual: Uint8Array,
  index: number,
  strict: boolean,
): boolean {
  const base = index * RECORD_BYTES;
  const skipFrom = strict || !isStep(expected, index) ? -1 : base + RAW_FLAGS_WORD * 4;
  for (let b = base; b < base + RECORD_BYTES; b++) {
    if (b >= skipFrom && b < skipFrom + 4) continue;
    if (expected[b] !== actual[b]) return false;
  }
  return true;
}

const EXCEPTION_NAMES: Record<number, string> = {
  0: '#DE',
  4: '#OF',
  5: '#BR',
  6: '#UD',
  13: '#GP',
  14: '#PF',
};

export function describeRecord(r: TraceRecord): string {
  const h = (v: number) => v.toString(16).padStart(8, '0');
  const what =
    r.kind === 'exception'
      ? `exception ${EXCEPTION_NAMES[r.vector] ?? `vector ${r.vector}`} error=${h(r.words[10])} eip=${h(r.words[11])}`
      : `after step ${r.step}`;
  const regs = RECORD_FIELDS.slice(2, 10)
    .map((name, i) => `${name}=${h(r.words[i + 2])}`)
    .join(' ');
  return `${what}: ${regs} scratch=${r.words.slice(12).map(h).join(' ')}`;
}

/** Fields that differ between two records, as "name: expected -> actual". */
export function recordDifferences(expected: TraceRecord, actual: TraceRecord, strict = false): string[] {
  const h = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
  const diffs: string[] = [];
  RECORD_FIELDS.forEach((name, i) => {
    if (i === RAW_FLAGS_WORD && expected.kind === 'step' && !strict) return;
    if (expected.words[i] !== actual.words[i])
      diffs.push(`${name}: expected ${h(expected.words[i])}, got ${h(actual.words[i])}`);
  });
  return diffs;
}
