import { le32 } from './encoder.js';
import { SCRATCH } from './instruction-table.js';
import type { RandomSequence } from './sequence.js';

/**
 * Lays generated sequences out in ROM images built on guests/trace-prologue.bin: the prologue
 * owns the top of the ROM (reset vector, protected mode, IDT, `dump`), the sequences fill the
 * area below it. See the prologue source for the record format.
 */

export const TRACE_ROM_BASE = 0xfffe0000;
export const TRACE_ROM_SIZE = 0x20000;
/** Bytes at the start of the ROM available to sequences (the prologue starts here). */
export const TRACE_SEQ_AREA = 0x1c000;

/** What the prologue's header says (checked against the constants the generator assumes). */
export interface PrologueInfo {
  readonly dump: number;
  readonly finish: number;
  readonly seqIndexVar: number;
  readonly resumeVar: number;
  readonly scratch: number;
  readonly stackTop: number;
}

export function readPrologueHeader(prologue: Uint8Array): PrologueInfo {
  if (prologue.length !== TRACE_ROM_SIZE)
    throw new Error(`trace prologue is ${prologue.length} bytes, expected ${TRACE_ROM_SIZE}`);
  const magic = String.fromCharCode(...prologue.subarray(TRACE_SEQ_AREA, TRACE_SEQ_AREA + 8));
  if (magic !== 'TSVMTRC1')
    throw new Error(`trace prologue has no TSVMTRC1 header (found ${JSON.stringify(magic)})`);
  const view = new DataView(prologue.buffer, prologue.byteOffset + TRACE_SEQ_AREA + 8, 24);
  const info = {
    dump: view.getUint32(0, true),
    finish: view.getUint32(4, true),
    seqIndexVar: view.getUint32(8, true),
    resumeVar: view.getUint32(12, true),
    scratch: view.getUint32(16, true),
    stackTop: view.getUint32(20, true),
  };
  if (info.scratch !== SCRATCH)
    throw new Error(`trace prologue scratch area is ${info.scratch}, generator uses ${SCRATCH}`);
  return info;
}

/** Where every step of one sequence landed in an image. */
export interface PlacedSequence {
  readonly sequence: RandomSequence;
  readonly image: number;
  /** Guest address of each step's instruction, and its final bytes (Jcc displacements filled in). */
  readonly stepAddresses: readonly number[];
  readonly stepBytes: readonly (readonly number[])[];
}

export interface TraceImage {
  readonly bytes: Uint8Array;
  readonly sequences: readonly PlacedSequence[];
}

/** Bytes after each instruction: pushfd; push imm32; call rel32; popfd. */
const STEP_TAIL = 12;

function encodeSequence(
  seq: RandomSequence,
  at: number,
  info: PrologueInfo,
  nextAddress: (length: number) => number,
) {
  // Two passes: instruction sizes first (Jcc needs the next step's size), then bytes.
  const sizes = seq.steps.map((s) => (s.skip ? (s.skip.near ? 6 : 2) : s.bytes.length));
  const out: number[] = [];
  const emit = (...b: number[]) => {
    out.push(...b);
  };
  const initLength = 10 + 10 + 4 * 10 + 5 + 7 * 5 + 6;
  const total = initLength + sizes.reduce((sum, n) => sum + n + STEP_TAIL, 0);
  emit(0xc7, 0x05, ...le32(info.seqIndexVar), ...le32(seq.index));
  emit(0xc7, 0x05, ...le32(info.resumeVar), ...le32(nextAddress(total)));
  seq.scratch.forEach((v, i) => {
    emit(0xc7, 0x05, ...le32(SCRATCH + 4 * i), ...le32(v));
  });
  emit(0xbc, ...le32(info.stackTop)); // every sequence starts on an empty stack
  seq.registers.forEach((v, r) => {
    if (r !== 4) emit(0xb8 + r, ...le32(v));
  });
  emit(0x68, ...le32(seq.flags), 0x9d);
  const stepAddresses: number[] = [];
  const stepBytes: number[][] = [];
  seq.steps.forEach((s, i) => {
    let bytes = [...s.bytes];
    if (s.skip) {
      let over = 0;
      for (let k = i + 1; k <= i + (s.skip.steps ?? 0); k++) over += sizes[k] + STEP_TAIL;
      if (!s.skip.near && over + STEP_TAIL > 127)
        throw new Error(`internal: a short Jcc in sequence ${seq.index} cannot reach`);
      bytes = s.skip.near
        ? [0x0f, 0x80 + s.skip.cc, ...le32(over + STEP_TAIL)]
        : [0x70 + s.skip.cc, over + STEP_TAIL];
    }
    // Taken, the Jcc jumps over its own dump and the whole next group (an instruction and its
    // guards), so a taken jump writes no record; the next record's step number shows it.
    stepAddresses.push(at + out.length);
    stepBytes.push(bytes);
    emit(...bytes);
    emit(0x9c, 0x68, ...le32((i << 16) | s.keep));
    const callEnd = at + out.length + 5;
    emit(0xe8, ...le32(info.dump - callEnd));
    emit(0x9d);
  });
  if (out.length !== total)
    throw new Error(`internal: sequence ${seq.index} is ${out.length} bytes, planned ${total}`);
  return { bytes: out, stepAddresses, stepBytes };
}

/** Pack sequences into as many images as needed, in order. */
export function buildTraceImages(prologue: Uint8Array, sequences: readonly RandomSequence[]): TraceImage[] {
  const info = readPrologueHeader(prologue);
  const images: TraceImage[] = [];
  let i = 0;
  while (i < sequences.length) {
    const bytes = prologue.slice();
    const placed: PlacedSequence[] = [];
    let offset = 0;
    const limit = TRACE_SEQ_AREA - 5; // room for the final jmp to `finish`
    while (i < sequences.length) {
      const at = TRACE_ROM_BASE + offset;
      const encoded = encodeSequence(sequences[i], at, info, (length) => {
        // The next sequence follows this one, unless this one fills the image: then `finish`.
        const end = offset + length;
        return i + 1 < sequences.length && end + 5 <= limit ? TRACE_ROM_BASE + end : info.finish;
      });
      if (offset + encoded.bytes.length > limit) {
        if (placed.length === 0) throw new Error(`sequence ${sequences[i].index} does not fit in an image`);
        break;
      }
      bytes.set(encoded.bytes, offset);
      placed.push({
        sequence: sequences[i],
        image: images.length,
        stepAddresses: encoded.stepAddresses,
        stepBytes: encoded.stepBytes,
      });
      offset += encoded.bytes.length;
      i++;
    }
    const jmpEnd = TRACE_ROM_BASE + offset + 5;
    bytes.set([0xe9, ...le32(info.finish - jmpEnd)], offset);
    images.push({ bytes, sequences: placed });
  }
  return images;
}
