import { le16, le32 } from './encoder.js';
import { SCRATCH } from './instruction-table.js';
import type { RandomSequence } from './sequence.js';

/**
 * Lays generated sequences out in ROM images built on a trace prologue: the prologue owns the
 * top of the ROM (reset vector, mode switch, exception vectors, `dump`), the sequences fill the
 * area below it. See guests/trace-prologue.asm (32-bit protected mode, paging on) and
 * guests/trace-prologue16.asm (real mode) for the record format.
 */

/** Where sequences go and how they are encoded, per kind of image. */
export interface TraceLayout {
  readonly mode: 16 | 32;
  readonly romSize: number;
  /** Bytes at the start of the ROM available to sequences (the prologue's header starts here). */
  readonly seqArea: number;
  /** Address of ROM offset 0 as the sequences' code sees it (a linear address, or an IP). */
  readonly codeBase: number;
  readonly magic: string;
}

export const TRACE_LAYOUT_32: TraceLayout = {
  mode: 32,
  romSize: 0x20000,
  seqArea: 0x1c000,
  codeBase: 0xfffe0000,
  magic: 'TSVMTRC1',
};

/** Real mode: the first 0xF000 ROM bytes are copied to 1000:0000 and run there. */
export const TRACE_LAYOUT_16: TraceLayout = {
  mode: 16,
  romSize: 0x10000,
  seqArea: 0xc000,
  codeBase: 0,
  magic: 'TSVMTR16',
};

export const TRACE_ROM_BASE = TRACE_LAYOUT_32.codeBase;
export const TRACE_ROM_SIZE = TRACE_LAYOUT_32.romSize;
export const TRACE_SEQ_AREA = TRACE_LAYOUT_32.seqArea;

/** What the prologue's header says (checked against the constants the generator assumes). */
export interface PrologueInfo {
  readonly dump: number;
  readonly finish: number;
  readonly seqIndexVar: number;
  readonly resumeVar: number;
  readonly scratch: number;
  readonly stackTop: number;
}

export function readPrologueHeader(
  prologue: Uint8Array,
  layout: TraceLayout = TRACE_LAYOUT_32,
): PrologueInfo {
  if (prologue.length !== layout.romSize)
    throw new Error(`trace prologue is ${prologue.length} bytes, expected ${layout.romSize}`);
  const magic = String.fromCharCode(...prologue.subarray(layout.seqArea, layout.seqArea + 8));
  if (magic !== layout.magic)
    throw new Error(`trace prologue has no ${layout.magic} header (found ${JSON.stringify(magic)})`);
  const view = new DataView(prologue.buffer, prologue.byteOffset + layout.seqArea + 8, 24);
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
  /** Address of each step's instruction (as the code sees it), and its final bytes. */
  readonly stepAddresses: readonly number[];
  readonly stepBytes: readonly (readonly number[])[];
}

export interface TraceImage {
  readonly bytes: Uint8Array;
  readonly sequences: readonly PlacedSequence[];
}

/** The mode-specific encodings of the glue around the steps. */
function glue(mode: 16 | 32) {
  const o32 = mode === 16 ? [0x66] : [];
  // mov dword [abs], imm32 / mov <resume>, address
  const movMem32 = (address: number, value: number) =>
    mode === 32
      ? [0xc7, 0x05, ...le32(address), ...le32(value)]
      : [0x66, 0xc7, 0x06, ...le16(address), ...le32(value)];
  const movResume = (address: number, value: number) =>
    mode === 32 ? movMem32(address, value) : [0xc7, 0x06, ...le16(address), ...le16(value)];
  return {
    movMem32,
    movResume,
    movReg32: (r: number, value: number) => [...o32, 0xb8 + r, ...le32(value)],
    pushImm32: (value: number) => [...o32, 0x68, ...le32(value)],
    pushfd: [...o32, 0x9c],
    popfd: [...o32, 0x9d],
    /** CALL / JMP rel to `target` from an instruction starting at `at`. */
    call: (at: number, target: number) =>
      mode === 32 ? [0xe8, ...le32(target - (at + 5))] : [0xe8, ...le16(target - (at + 3))],
    jmp: (at: number, target: number) =>
      mode === 32 ? [0xe9, ...le32(target - (at + 5))] : [0xe9, ...le16(target - (at + 3))],
    jccNear: (cc: number, rel: number) =>
      mode === 32 ? [0x0f, 0x80 + cc, ...le32(rel)] : [0x0f, 0x80 + cc, ...le16(rel)],
    jccNearSize: mode === 32 ? 6 : 4,
    callSize: mode === 32 ? 5 : 3,
  };
}

function encodeSequence(
  seq: RandomSequence,
  at: number,
  info: PrologueInfo,
  mode: 16 | 32,
  nextAddress: (length: number) => number,
) {
  const g = glue(mode);
  // After each instruction: pushfd; push imm32 (step << 16 | keep); call dump; popfd.
  const tail = g.pushfd.length + g.pushImm32(0).length + g.callSize + g.popfd.length;
  // Two passes: instruction sizes first (Jcc needs the next steps' sizes), then bytes.
  const sizes = seq.steps.map((s) => (s.skip ? (s.skip.near ? g.jccNearSize : 2) : s.bytes.length));
  const init = [
    g.movMem32(info.seqIndexVar, 0),
    g.movResume(info.resumeVar, 0),
    ...seq.scratch.map((_, i) => g.movMem32(SCRATCH + 4 * i, 0)),
    g.movReg32(4, 0),
    ...seq.registers.filter((_, r) => r !== 4).map(() => g.movReg32(0, 0)),
    g.pushImm32(0),
    g.popfd,
  ].reduce((n, b) => n + b.length, 0);
  const total = init + sizes.reduce((sum, n) => sum + n + tail, 0);
  const out: number[] = [];
  const emit = (...b: number[]) => {
    out.push(...b);
  };
  emit(...g.movMem32(info.seqIndexVar, seq.index));
  emit(...g.movResume(info.resumeVar, nextAddress(total)));
  seq.scratch.forEach((v, i) => {
    emit(...g.movMem32(SCRATCH + 4 * i, v));
  });
  emit(...g.movReg32(4, info.stackTop)); // every sequence starts on an empty stack
  seq.registers.forEach((v, r) => {
    if (r !== 4) emit(...g.movReg32(r, v));
  });
  emit(...g.pushImm32(seq.flags), ...g.popfd);
  const stepAddresses: number[] = [];
  const stepBytes: number[][] = [];
  seq.steps.forEach((s, i) => {
    let bytes = [...s.bytes];
    if (s.skip) {
      let over = 0;
      for (let k = i + 1; k <= i + (s.skip.steps ?? 0); k++) over += sizes[k] + tail;
      if (!s.skip.near && over + tail > 127)
        throw new Error(`internal: a short Jcc in sequence ${seq.index} cannot reach`);
      bytes = s.skip.near ? g.jccNear(s.skip.cc, over + tail) : [0x70 + s.skip.cc, over + tail];
    }
    // Taken, the Jcc jumps over its own dump and the whole next group (an instruction and its
    // guards), so a taken jump writes no record; the next record's step number shows it.
    stepAddresses.push(at + out.length);
    stepBytes.push(bytes);
    emit(...bytes);
    emit(...g.pushfd, ...g.pushImm32((i << 16) | s.keep));
    emit(...g.call(at + out.length, info.dump));
    emit(...g.popfd);
  });
  if (out.length !== total)
    throw new Error(`internal: sequence ${seq.index} is ${out.length} bytes, planned ${total}`);
  return { bytes: out, stepAddresses, stepBytes };
}

/** Pack sequences into as many images as needed, in order. */
export function buildTraceImages(
  prologue: Uint8Array,
  sequences: readonly RandomSequence[],
  layout: TraceLayout = TRACE_LAYOUT_32,
): TraceImage[] {
  const info = readPrologueHeader(prologue, layout);
  const g = glue(layout.mode);
  const images: TraceImage[] = [];
  let i = 0;
  while (i < sequences.length) {
    const bytes = prologue.slice();
    const placed: PlacedSequence[] = [];
    let offset = 0;
    const limit = layout.seqArea - 5; // room for the final jmp to `finish`
    while (i < sequences.length) {
      const at = layout.codeBase + offset;
      const encoded = encodeSequence(sequences[i], at, info, layout.mode, (length) => {
        // The next sequence follows this one, unless this one fills the image: then `finish`.
        const end = offset + length;
        return i + 1 < sequences.length && end + 5 <= limit ? layout.codeBase + end : info.finish;
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
    bytes.set(g.jmp(layout.codeBase + offset, info.finish), offset);
    images.push({ bytes, sequences: placed });
  }
  return images;
}
