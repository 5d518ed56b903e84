/**
 * A direct x86 encoder for the randomized test: operands and instructions become bytes here,
 * without an assembler, together with a text form in the syntax ndisasm prints (so the encoder
 * can be checked against ndisasm, see test/encoder.test.ts).
 */

export type Size = 8 | 16 | 32;

export interface RegOperand {
  readonly kind: 'reg';
  readonly index: number;
  readonly size: Size;
}

/** A memory operand at an absolute address (ModRM mod=00 rm=101, disp32). */
export interface MemOperand {
  readonly kind: 'mem';
  readonly address: number;
  readonly size: Size;
  /** A segment-override prefix (all segments are flat here, so only decoding is exercised). */
  readonly segment?: SegmentOverride;
}

export type SegmentOverride = 'es' | 'ss' | 'ds' | 'fs' | 'gs';
export const SEGMENT_PREFIX: Record<SegmentOverride, number> = {
  es: 0x26,
  ss: 0x36,
  ds: 0x3e,
  fs: 0x64,
  gs: 0x65,
};

export type RmOperand = RegOperand | MemOperand;

const REG_NAMES: Record<Size, readonly string[]> = {
  8: ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'],
  16: ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'],
  32: ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'],
};

/** Condition-code names in ndisasm's spelling, indexed by the cc nibble. */
export const CONDITION_NAMES = [
  'o',
  'no',
  'c',
  'nc',
  'z',
  'nz',
  'na',
  'a',
  's',
  'ns',
  'pe',
  'po',
  'l',
  'nl',
  'ng',
  'g',
] as const;

export const reg = (index: number, size: Size): RegOperand => ({ kind: 'reg', index, size });
export const mem = (address: number, size: Size, segment?: SegmentOverride): MemOperand =>
  segment ? { kind: 'mem', address, size, segment } : { kind: 'mem', address, size };

export function regName(r: RegOperand): string {
  return REG_NAMES[r.size][r.index];
}

export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16)}`;
}

/** A sign-extended 8-bit immediate as ndisasm shows it: -0x3, +0x5. */
export function signedHex8(value: number): string {
  const v = (value << 24) >> 24;
  return v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`;
}

const SIZE_WORDS: Record<Size, string> = { 8: 'byte', 16: 'word', 32: 'dword' };

function memText(op: MemOperand): string {
  return `[${op.segment ? `${op.segment}:` : ''}${hex(op.address)}]`;
}

/** Operand text; memory operands carry their size keyword. */
export function operandText(op: RmOperand): string {
  return op.kind === 'reg' ? regName(op) : `${SIZE_WORDS[op.size]} ${memText(op)}`;
}

/** Bare memory text without a size keyword (when the other operand fixes the size). */
export function operandTextBare(op: RmOperand): string {
  return op.kind === 'reg' ? regName(op) : memText(op);
}

/**
 * The segment prefix of the memory operand most recently encoded by `modrm`, for the step being
 * built. Every form builds a step's bytes (calling `modrm`) before handing them to `takeSegmentPrefix`,
 * so the override lands on the instruction that uses the operand without threading it through
 * every form.
 */
let pendingSegment: number | undefined;

export function takeSegmentPrefix(): number[] {
  const p = pendingSegment;
  pendingSegment = undefined;
  return p === undefined ? [] : [p];
}

export function le32(value: number): number[] {
  const v = value >>> 0;
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

export function le16(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

/** Immediate bytes of the operand size (imm8 / imm16 / imm32). */
export function immBytes(value: number, size: Size): number[] {
  if (size === 8) return [value & 0xff];
  if (size === 16) return le16(value);
  return le32(value);
}

/** ModRM (+ disp32) bytes for an r/m operand with the given reg field. */
export function modrm(regField: number, rm: RmOperand): number[] {
  if (rm.kind === 'reg') {
    pendingSegment = undefined;
    return [0xc0 | (regField << 3) | rm.index];
  }
  pendingSegment = rm.segment ? SEGMENT_PREFIX[rm.segment] : undefined;
  return [(regField << 3) | 5, ...le32(rm.address)];
}

/** The 0x66 operand-size prefix for 16-bit operands (the code segment is 32-bit). */
export function sizePrefix(size: Size): number[] {
  return size === 16 ? [0x66] : [];
}
