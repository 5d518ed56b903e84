/**
 * Which EFLAGS bits the Intel SDM leaves undefined after each integer instruction. Both the
 * group-guest comparison rules and the random-sequence generator use these tables, so a flag
 * is masked for exactly the reasons written here and nowhere else.
 *
 * Masks are "keep" masks over EFLAGS bits 0-11: a set bit is compared, a clear bit is ignored.
 */

export const CF = 0x001;
export const PF = 0x004;
export const AF = 0x010;
export const ZF = 0x040;
export const SF = 0x080;
export const OF = 0x800;
/** The six arithmetic status flags. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Every bit the guests report (EFLAGS 0-11: status flags, bit 1, TF, IF, DF). */
export const KEEP_ALL = 0xfff;

const keepWithout = (undefinedBits: number) => KEEP_ALL & ~undefinedBits;

/** AND, OR, XOR, TEST: AF undefined. */
export const KEEP_LOGIC = keepWithout(AF);
/** MUL, IMUL: only CF and OF are defined. */
export const KEEP_MUL = keepWithout(SF | ZF | AF | PF);
/** DIV, IDIV: every status flag is undefined. */
export const KEEP_DIV = keepWithout(STATUS_FLAGS);
/** BT, BTS, BTR, BTC: CF defined, ZF unchanged, the rest undefined. */
export const KEEP_BT = keepWithout(OF | SF | AF | PF);
/** BSF, BSR: only ZF is defined. */
export const KEEP_BSF = keepWithout(CF | OF | SF | AF | PF);
/** DAA, DAS: OF undefined. */
export const KEEP_DAA = keepWithout(OF);
/** AAA, AAS: only AF and CF are defined. */
export const KEEP_AAA = keepWithout(OF | SF | ZF | PF);
/** AAM, AAD: SF, ZF, PF defined; OF, AF, CF undefined. */
export const KEEP_AAM = keepWithout(OF | AF | CF);

export type ShiftOp = 'shl' | 'shr' | 'sar' | 'rol' | 'ror' | 'rcl' | 'rcr' | 'shld' | 'shrd';

/**
 * Flags kept after a shift or rotate of an operand of `size` bits by `count` (the raw count; the
 * CPU masks it to 5 bits). A masked count of 0 changes nothing, so everything is defined.
 */
export function shiftKeepMask(op: ShiftOp, size: 8 | 16 | 32, count: number): number {
  const masked = count & 31;
  if (masked === 0) return KEEP_ALL;
  let undefinedBits = masked === 1 ? 0 : OF; // OF is defined for 1-bit shifts only
  switch (op) {
    case 'shl':
    case 'shr':
      undefinedBits |= AF;
      if (masked >= size) undefinedBits |= CF; // SDM: CF undefined when count >= operand size
      break;
    case 'sar':
      undefinedBits |= AF;
      break;
    case 'shld':
    case 'shrd':
      undefinedBits |= AF;
      if (size === 16 && masked > 16) undefinedBits |= STATUS_FLAGS; // result undefined too
      break;
    default:
      // ROL/ROR/RCL/RCR touch only CF and OF.
      break;
  }
  return keepWithout(undefinedBits);
}

/** True when SHLD/SHRD leaves the destination undefined (16-bit operand, count above 16). */
export function doubleShiftResultUndefined(size: 8 | 16 | 32, count: number): boolean {
  return size === 16 && (count & 31) > 16;
}

/** Names of the set bits of a flags value, for reports: `CF|ZF`. */
export function flagNames(bits: number): string {
  const names: [number, string][] = [
    [CF, 'CF'],
    [0x2, 'bit1'],
    [PF, 'PF'],
    [AF, 'AF'],
    [ZF, 'ZF'],
    [SF, 'SF'],
    [0x100, 'TF'],
    [0x200, 'IF'],
    [0x400, 'DF'],
    [OF, 'OF'],
  ];
  const set = names.filter(([bit]) => bits & bit).map(([, n]) => n);
  return set.length > 0 ? set.join('|') : 'none';
}
