/**
 * Lazy arithmetic flags. Most instructions only record their operands and result; CF, PF, AF,
 * ZF, SF and OF are computed when something reads them (Jcc, PUSHF, ADC...). `op === LazyOp.None`
 * means the six bits in `flags` are already exact.
 */
export const enum LazyOp {
  None = 0,
  Add = 1,
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  Logic = 5,
  Inc = 6,
  Dec = 7,
}

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;
export const ARITH = CF | PF | AF | ZF | SF | OF;

export interface FlagState {
  flags: number;
  lop: LazyOp;
  lres: number;
  ls1: number;
  ls2: number;
  /** Operand size in bytes: 1, 2 or 4. */
  lsize: number;
  /** Carry in (ADC/SBB) or the preserved CF (INC/DEC). */
  lcin: number;
}

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let b = i;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[i] = b & 1 ? 0 : PF;
}

export const parity = (v: number): number => PARITY[v & 0xff];

export const signBit = (size: number): number => (size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000);

export function lazyCarry(f: FlagState): number {
  switch (f.lop) {
    case LazyOp.None:
      return f.flags & CF;
    case LazyOp.Add:
      return f.lres < f.ls1 ? 1 : 0;
    case LazyOp.Adc:
      return (f.lcin ? f.lres <= f.ls1 : f.lres < f.ls1) ? 1 : 0;
    case LazyOp.Sub:
      return f.ls1 < f.ls2 ? 1 : 0;
    case LazyOp.Sbb:
      return (f.lcin ? f.ls1 <= f.ls2 : f.ls1 < f.ls2) ? 1 : 0;
    case LazyOp.Logic:
      return 0;
    default:
      return f.lcin;
  }
}

function lazyOverflow(f: FlagState): number {
  const m = signBit(f.lsize);
  switch (f.lop) {
    case LazyOp.Add:
    case LazyOp.Adc:
      return (f.ls1 ^ f.lres) & (f.ls2 ^ f.lres) & m ? OF : 0;
    case LazyOp.Sub:
    case LazyOp.Sbb:
      return (f.ls1 ^ f.ls2) & (f.ls1 ^ f.lres) & m ? OF : 0;
    case LazyOp.Inc:
      return f.lres === m ? OF : 0;
    case LazyOp.Dec:
      return f.lres === m - 1 ? OF : 0;
    default:
      return 0;
  }
}

/** Compute the six arithmetic flags into `flags` and drop the lazy record. */
export function materialize(f: FlagState): number {
  if (f.lop === LazyOp.None) return f.flags;
  const res = f.lres;
  let v =
    lazyCarry(f) | parity(res) | (res === 0 ? ZF : 0) | (res & signBit(f.lsize) ? SF : 0) | lazyOverflow(f);
  if (f.lop !== LazyOp.Logic) v |= (f.ls1 ^ f.ls2 ^ res) & AF;
  f.flags = (f.flags & ~ARITH) | v;
  f.lop = LazyOp.None;
  return f.flags;
}

export function getZF(f: FlagState): boolean {
  return f.lop === LazyOp.None ? (f.flags & ZF) !== 0 : f.lres === 0;
}

export function getSF(f: FlagState): boolean {
  return f.lop === LazyOp.None ? (f.flags & SF) !== 0 : (f.lres & signBit(f.lsize)) !== 0;
}

export function getOF(f: FlagState): boolean {
  return f.lop === LazyOp.None ? (f.flags & OF) !== 0 : lazyOverflow(f) !== 0;
}

export function getCF(f: FlagState): boolean {
  return lazyCarry(f) !== 0;
}

export function getPF(f: FlagState): boolean {
  return f.lop === LazyOp.None ? (f.flags & PF) !== 0 : parity(f.lres) !== 0;
}

/** Evaluate condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc). */
export function condition(f: FlagState, cc: number): boolean {
  // Fast path: after CMP/SUB the unsigned and signed relations come straight from the operands.
  if (f.lop === LazyOp.Sub) {
    const a = f.ls1;
    const b = f.ls2;
    switch (cc) {
      case 2:
        return a < b;
      case 3:
        return a >= b;
      case 4:
        return a === b;
      case 5:
        return a !== b;
      case 6:
        return a <= b;
      case 7:
        return a > b;
      case 0xc:
      case 0xd:
      case 0xe:
      case 0xf: {
        const sh = 32 - f.lsize * 8;
        const sa = (a << sh) >> sh;
        const sb = (b << sh) >> sh;
        if (cc === 0xc) return sa < sb;
        if (cc === 0xd) return sa >= sb;
        if (cc === 0xe) return sa <= sb;
        return sa > sb;
      }
    }
  }
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = getOF(f);
      break;
    case 1:
      r = getCF(f);
      break;
    case 2:
      r = getZF(f);
      break;
    case 3:
      r = getCF(f) || getZF(f);
      break;
    case 4:
      r = getSF(f);
      break;
    case 5:
      r = getPF(f);
      break;
    case 6:
      r = getSF(f) !== getOF(f);
      break;
    default:
      r = getZF(f) || getSF(f) !== getOF(f);
      break;
  }
  return cc & 1 ? !r : r;
}

/** Record an arithmetic result lazily. Operands and result are unsigned and masked to `size`. */
export function setLazy(f: FlagState, op: LazyOp, size: number, s1: number, s2: number, res: number): void {
  f.lop = op;
  f.lsize = size;
  f.ls1 = s1;
  f.ls2 = s2;
  f.lres = res;
}

/** Replace the arithmetic flags in `mask` with the bits of `value` (other flags untouched). */
export function setArith(f: FlagState, mask: number, value: number): void {
  // When all six arithmetic flags are replaced, the lazy record need not be evaluated first.
  if ((mask & ARITH) === ARITH) f.lop = LazyOp.None;
  else materialize(f);
  f.flags = (f.flags & ~mask) | (value & mask);
}

/** SF, ZF and PF of a result, as a flags word. */
export function szp(res: number, size: number): number {
  return (res & signBit(size) ? SF : 0) | (res === 0 ? ZF : 0) | parity(res);
}
