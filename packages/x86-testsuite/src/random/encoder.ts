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

/**
 * How a memory operand's effective address is formed. Absent: an absolute [disp32] (ModRM
 * mod=00 rm=101). Otherwise base/index/scale/displacement forms of 32-bit addressing (with a SIB
 * byte when there is an index), or one of the eight 16-bit forms behind a 0x67 prefix.
 */
export type Addressing =
  | {
      readonly kind: 'base';
      readonly base: number;
      readonly index?: number;
      readonly scale: number;
      readonly disp: number;
      readonly dispSize: 0 | 8 | 32;
    }
  | { readonly kind: 'index'; readonly index: number; readonly scale: number; readonly disp: number }
  | { readonly kind: 'a16'; readonly rm: number; readonly disp: number; readonly dispSize: 0 | 8 | 16 }
  | { readonly kind: 'abs16'; readonly disp: number };

/** A memory operand; `address` is its effective address (the scratch byte it lands on). */
export interface MemOperand {
  readonly kind: 'mem';
  readonly address: number;
  readonly size: Size;
  /** A segment-override prefix (all segments are flat here, so only decoding is exercised). */
  readonly segment?: SegmentOverride;
  readonly addressing?: Addressing;
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

const REG16_FORMS = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];

function signedDisp(value: number, bits: 8 | 16 | 32): string {
  const v = bits === 32 ? value | 0 : (value << (32 - bits)) >> (32 - bits);
  return v < 0 ? `-0x${(-v).toString(16)}` : `+0x${v.toString(16)}`;
}

function addressText(op: MemOperand): string {
  const a = op.addressing;
  if (!a) return hex(op.address);
  const scaled = (index: number, scale: number) => `${REG32[index]}${scale ? `*${1 << scale}` : ''}`;
  switch (a.kind) {
    case 'base':
      return `${REG32[a.base]}${a.index !== undefined ? `+${scaled(a.index, a.scale)}` : ''}${a.dispSize ? signedDisp(a.disp, a.dispSize) : ''}`;
    case 'index':
      return `${scaled(a.index, a.scale)}${signedDisp(a.disp, 32)}`;
    case 'a16':
      return `${REG16_FORMS[a.rm]}${a.dispSize ? signedDisp(a.disp, a.dispSize) : ''}`;
    case 'abs16':
      return hex(a.disp & 0xffff);
  }
}

function memText(op: MemOperand): string {
  return `[${op.segment ? `${op.segment}:` : ''}${addressText(op)}]`;
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
 * The prefixes (segment override, 0x67 address size) of the memory operand most recently encoded
 * by `modrm`, for the step being built. Every form builds a step's bytes (calling `modrm`) before handing them to `takeSegmentPrefix`,
 * so the override lands on the instruction that uses the operand without threading it through
 * every form.
 */
let pendingPrefixes: number[] = [];

export function takeSegmentPrefix(): number[] {
  const p = pendingPrefixes;
  pendingPrefixes = [];
  return p;
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
    pendingPrefixes = [];
    return [0xc0 | (regField << 3) | rm.index];
  }
  pendingPrefixes = rm.segment ? [SEGMENT_PREFIX[rm.segment]] : [];
  const a = rm.addressing;
  const r = regField << 3;
  // An absolute operand uses the code's own address size: disp32, or disp16 in 16-bit code.
  if (!a) return mode === 32 ? [r | 5, ...le32(rm.address)] : [r | 6, ...le16(rm.address)];
  if (mode === 16 && (a.kind === 'base' || a.kind === 'index')) pendingPrefixes.push(0x67);
  switch (a.kind) {
    case 'base': {
      const mod = a.dispSize === 0 ? 0 : a.dispSize === 8 ? 0x40 : 0x80;
      const disp = a.dispSize === 0 ? [] : a.dispSize === 8 ? [a.disp & 0xff] : le32(a.disp);
      if (a.index === undefined) return [mod | r | a.base, ...disp];
      return [mod | r | 4, (a.scale << 6) | (a.index << 3) | a.base, ...disp];
    }
    case 'index':
      return [r | 4, (a.scale << 6) | (a.index << 3) | 5, ...le32(a.disp)];
    case 'a16': {
      if (mode === 32) pendingPrefixes.push(0x67);
      const mod = a.dispSize === 0 ? 0 : a.dispSize === 8 ? 0x40 : 0x80;
      const disp = a.dispSize === 0 ? [] : a.dispSize === 8 ? [a.disp & 0xff] : le16(a.disp);
      return [mod | r | a.rm, ...disp];
    }
    case 'abs16':
      if (mode === 32) pendingPrefixes.push(0x67);
      return [r | 6, ...le16(a.disp)];
  }
}

/**
 * The code the steps are encoded for: a 32-bit segment (protected mode) or 16-bit code (real
 * mode), where 0x66 / 0x67 select the other operand / address size. Set per generated sequence.
 */
let mode: 16 | 32 = 32;

export function setEncodingMode(m: 16 | 32): void {
  mode = m;
}

export function encodingMode(): 16 | 32 {
  return mode;
}

/** The 0x66 operand-size prefix when `size` is not the code's default (8-bit operands need none). */
export function sizePrefix(size: Size): number[] {
  return size !== 8 && size !== mode ? [0x66] : [];
}

/** The 0x67 address-size prefix for 32-bit addressing in 16-bit code. */
export function addr32Prefix(): number[] {
  return mode === 16 ? [0x67] : [];
}
