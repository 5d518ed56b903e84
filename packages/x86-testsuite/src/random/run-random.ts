import { crc32 } from '@tsvm/core';
import { readPackageFile } from '../package-files.js';
import { hex32, randomFixtureFile, readRandomFixture } from '../reference/fixtures.js';
import { qemuAvailability, runUnderQemu } from '../reference/qemu.js';
import { type AcceleratorSource, describeStop, runGuestOnAccelerator } from '../run/run-on-accelerator.js';
import { formatSequence, generateSequence, type RandomSequence } from './sequence.js';
import {
  buildTraceImages,
  type PlacedSequence,
  TRACE_LAYOUT_16,
  TRACE_LAYOUT_32,
  type TraceImage,
} from './trace-image.js';
import {
  describeRecord,
  parseRecord,
  RECORD_BYTES,
  recordCount,
  recordCrcs,
  recordDifferences,
  recordsAgree,
  type TraceRecord,
} from './trace-records.js';

/** The seed and count of the default run (its CRC fixture is committed). */
export const DEFAULT_RANDOM_SEED = 0x7e57c0de;
export const DEFAULT_RANDOM_COUNT = 2400;
/** The default count of the real-mode run (16-bit code, smaller images). */
export const DEFAULT_RANDOM16_COUNT = 1200;

export type CodeMode = 16 | 32;

const GUEST_DONE_STATUS = 1;

export function generateSequences(seed: number, count: number, mode: CodeMode = 32): RandomSequence[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new Error(`seed must be a 32-bit unsigned integer, got ${seed}`);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`count must be a positive integer, got ${count}`);
  return Array.from({ length: count }, (_, i) => generateSequence(seed, i, mode));
}

const prologues = new Map<CodeMode, Uint8Array>();
export function tracePrologue(mode: CodeMode = 32): Uint8Array {
  let p = prologues.get(mode);
  if (!p) {
    p = readPackageFile(mode === 32 ? 'guests/trace-prologue.bin' : 'guests/trace-prologue16.bin');
    prologues.set(mode, p);
  }
  return p;
}

/** The guest images of a run: deterministic from seed, count and mode. */
export function buildRandomImages(seed: number, count: number, mode: CodeMode = 32): TraceImage[] {
  return buildTraceImages(
    tracePrologue(mode),
    generateSequences(seed, count, mode),
    mode === 32 ? TRACE_LAYOUT_32 : TRACE_LAYOUT_16,
  );
}

/** Expected records of one image: full output (live QEMU) or CRC-32s (fixture). */
type ImageReference =
  | { readonly kind: 'full'; readonly output: Uint8Array }
  | { readonly kind: 'crc'; readonly crcs: Uint32Array };

export type RandomReference = 'auto' | 'fixture' | 'qemu';

export interface RandomDifferentialOptions {
  readonly accelerator: AcceleratorSource;
  readonly seed?: number;
  readonly count?: number;
  /** 'auto' (default): the committed fixture when one exists for seed/count, else live QEMU. */
  readonly reference?: RandomReference;
  /**
   * 'ignore' (default): flags the SDM leaves undefined are not compared. 'match-qemu': they are
   * (the issue asks the executor to match QEMU there); needs a live QEMU reference.
   */
  readonly undefinedFlags?: 'ignore' | 'match-qemu';
  /**
   * 32 (default): 32-bit protected mode with paging; 16: real mode, 16-bit code. The default
   * count (2400 / 1200) is the one with a committed fixture.
   */
  readonly mode?: CodeMode;
  readonly timeoutMs?: number;
}

export interface RandomDivergence {
  readonly seed: number;
  readonly image: number;
  readonly record: number;
  readonly sequence?: number;
  readonly step?: number;
  readonly differences: readonly string[];
  readonly listing?: string;
}

export interface RandomDifferentialResult {
  readonly ok: boolean;
  readonly seed: number;
  readonly count: number;
  readonly images: number;
  /** Records (instruction steps and exceptions) compared. */
  readonly records: number;
  readonly reference: 'fixture' | 'qemu';
  readonly divergence?: RandomDivergence;
  readonly report: string;
}

function resolveReferences(
  seed: number,
  count: number,
  codeMode: CodeMode,
  images: readonly TraceImage[],
  mode: RandomReference,
): { kind: 'fixture' | 'qemu'; refs: ImageReference[] } {
  if (mode !== 'qemu') {
    const fixture = readRandomFixture(seed, count, codeMode);
    if (fixture) {
      const file = randomFixtureFile(seed, count, codeMode);
      if (fixture.images.length !== images.length)
        throw new Error(
          `${file} has ${fixture.images.length} images, the generator built ${images.length}: the generator changed; regenerate the fixtures`,
        );
      fixture.images.forEach((img, i) => {
        const actual = crc32(images[i].bytes);
        if (img.imageCrc32 !== actual)
          throw new Error(
            `${file}: image ${i} was ${hex32(img.imageCrc32)} when the fixture was made, the generator now builds ${hex32(actual)}: regenerate the fixtures (scripts/regenerate-fixtures.sh)`,
          );
      });
      return { kind: 'fixture', refs: fixture.images.map((img) => ({ kind: 'crc', crcs: img.crcs })) };
    }
    if (mode === 'fixture')
      throw new Error(
        `no committed fixture for seed ${hex32(seed)} and count ${count} (${randomFixtureFile(seed, count, codeMode)})`,
      );
  }
  const q = qemuAvailability();
  if (!q.available)
    throw new Error(`no fixture for seed ${hex32(seed)} / count ${count} and no live reference: ${q.reason}`);
  return {
    kind: 'qemu',
    refs: images.map((img, i) => liveReference(img, i)),
  };
}

function liveReference(image: TraceImage, index: number): ImageReference {
  const r = runUnderQemu(image.bytes);
  if (r.status !== GUEST_DONE_STATUS)
    throw new Error(`random image ${index} under QEMU ended with status ${r.status}`);
  return { kind: 'full', output: r.output };
}

/** Which step of which sequence a record belongs to (exceptions: found from the faulting EIP). */
function locate(record: TraceRecord, image: TraceImage): { placed?: PlacedSequence; step?: number } {
  const placed = image.sequences.find((p) => p.sequence.index === record.sequence);
  if (!placed) return {};
  if (record.kind === 'step') return { placed, step: record.step };
  const eip = record.words[11];
  // Faults (#DE, #BR) report the instruction's address; the trap INTO reports the next one.
  let step = placed.stepAddresses.indexOf(eip);
  if (step < 0)
    step = placed.stepAddresses.findIndex((a, i) => eip > a && eip <= a + placed.stepBytes[i].length);
  return { placed, step: step < 0 ? undefined : step };
}

function firstMismatch(ref: ImageReference, actual: Uint8Array, strict: boolean): number | undefined {
  const n = recordCount(actual);
  if (ref.kind === 'full') {
    const m = recordCount(ref.output);
    for (let i = 0; i < Math.max(n, m); i++) {
      if (i >= n || i >= m) return i;
      if (!recordsAgree(ref.output, actual, i, strict)) return i;
    }
    return actual.length % RECORD_BYTES !== 0 ? n : undefined;
  }
  const crcs = recordCrcs(actual);
  for (let i = 0; i < Math.max(n, ref.crcs.length); i++) {
    if (i >= n || i >= ref.crcs.length || crcs[i] !== ref.crcs[i]) return i;
  }
  return actual.length % RECORD_BYTES !== 0 ? n : undefined;
}

function describeDivergence(
  seed: number,
  count: number,
  imageIndex: number,
  image: TraceImage,
  ref: ImageReference,
  actual: Uint8Array,
  k: number,
  strict: boolean,
): RandomDivergence {
  const n = recordCount(actual);
  const actualRecord = k < n ? parseRecord(actual, k) : undefined;
  const expectedRecord =
    ref.kind === 'full' && k < recordCount(ref.output) ? parseRecord(ref.output, k) : undefined;
  const differences: string[] = [];
  if (expectedRecord && actualRecord)
    differences.push(...recordDifferences(expectedRecord, actualRecord, strict));
  else if (!actualRecord)
    differences.push(
      `the accelerator wrote only ${n} records (${actual.length} bytes); the reference has more`,
    );
  else if (ref.kind === 'crc' && k >= ref.crcs.length)
    differences.push(`the accelerator wrote more records than the reference's ${ref.crcs.length}`);
  else if (ref.kind === 'full')
    differences.push(`the accelerator wrote more records than the reference's ${recordCount(ref.output)}`);
  if (expectedRecord) differences.push(`expected ${describeRecord(expectedRecord)}`);
  else if (ref.kind === 'crc' && k < ref.crcs.length)
    differences.push(
      `expected record CRC ${hex32(ref.crcs[k])} (the fixture stores CRCs only; install QEMU or pass reference 'qemu' to see values)`,
    );
  if (actualRecord) differences.push(`actual   ${describeRecord(actualRecord)}`);
  // Prefer the expected record to say where we are; fall back to the actual one.
  const where = expectedRecord ?? actualRecord;
  const { placed, step } = where ? locate(where, image) : {};
  const listing = placed
    ? formatSequence(placed.sequence, { markStep: step, bytesOf: (i) => placed.stepBytes[i] })
    : undefined;
  return {
    seed,
    image: imageIndex,
    record: k,
    sequence: placed?.sequence.index,
    step,
    differences,
    listing: listing && `${listing}\n(count ${count})`,
  };
}

/**
 * Generate `count` random instruction sequences from `seed`, run them on `accelerator`, and
 * compare every step's registers, defined flags and scratch memory with the reference.
 */
export async function runRandomDifferential(
  options: RandomDifferentialOptions,
): Promise<RandomDifferentialResult> {
  const seed = options.seed ?? DEFAULT_RANDOM_SEED;
  const codeMode = options.mode ?? 32;
  const count = options.count ?? (codeMode === 16 ? DEFAULT_RANDOM16_COUNT : DEFAULT_RANDOM_COUNT);
  const images = buildRandomImages(seed, count, codeMode);
  const strict = options.undefinedFlags === 'match-qemu';
  if (strict && options.reference === 'fixture')
    throw new Error(
      `undefinedFlags 'match-qemu' needs a live QEMU reference: the fixtures leave undefined flags out`,
    );
  const { kind, refs } = resolveReferences(
    seed,
    count,
    codeMode,
    images,
    strict ? 'qemu' : (options.reference ?? 'auto'),
  );
  let records = 0;
  for (let i = 0; i < images.length; i++) {
    const run = await runGuestOnAccelerator(options.accelerator, images[i].bytes, {
      timeoutMs: options.timeoutMs,
    });
    const k = firstMismatch(refs[i], run.output, strict);
    const finished = run.stop.reason === 'exit' && run.stop.status === GUEST_DONE_STATUS;
    if (k !== undefined || !finished) {
      const at = k ?? recordCount(run.output);
      // The fixture holds CRCs only: with QEMU at hand, rerun this image to show expected values.
      const ref =
        refs[i].kind === 'crc' && qemuAvailability().available ? liveReference(images[i], i) : refs[i];
      const divergence = describeDivergence(seed, count, i, images[i], ref, run.output, at, strict);
      const report = [
        `random differential: DIVERGENCE for seed ${hex32(seed)} (count ${count}, ${codeMode}-bit code, reference ${kind}), image ${i}, record ${at}`,
        divergence.sequence !== undefined
          ? `sequence ${divergence.sequence}, step ${divergence.step ?? '?'}`
          : 'sequence unknown',
        ...divergence.differences.map((d) => `  ${d}`),
        finished ? '' : `run ended with ${describeStop(run.stop)}`,
        divergence.listing ?? '',
        `reproduce: runRandomDifferential({ accelerator, seed: ${hex32(seed)}, count: ${count}${codeMode === 16 ? ', mode: 16' : ''} }); the sequence alone: generateSequence(${hex32(seed)}, ${divergence.sequence ?? '?'}${codeMode === 16 ? ', 16' : ''})`,
      ]
        .filter((l) => l !== '')
        .join('\n');
      return {
        ok: false,
        seed,
        count,
        images: images.length,
        records: records + at,
        reference: kind,
        divergence,
        report,
      };
    }
    records += recordCount(run.output);
  }
  return {
    ok: true,
    seed,
    count,
    images: images.length,
    records,
    reference: kind,
    report: `random differential: seed ${hex32(seed)}, ${count} sequences (${codeMode}-bit code), ${records} records in ${images.length} images match the ${kind} reference`,
  };
}
