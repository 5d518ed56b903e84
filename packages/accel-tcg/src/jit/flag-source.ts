/**
 * The compiler's view of the arithmetic flags while it generates a block: either the `Cpu`'s own
 * lazy record is current (no source), or the last flag-setting instruction of the block so far,
 * whose operands and result sit in JavaScript locals. Nothing is stored until something outside
 * the generated code could look (an exit, an instruction run by its handler, a fault): a flag
 * result that a later instruction of the block replaces is never computed at all.
 */
export interface FlagSource {
  /** Statements that store these flags into the `Cpu` (`c`) exactly as the interpreter would. */
  store(): string;
  /** Boolean expressions for the individual flags. */
  cf(): string;
  zf(): string;
  sf(): string;
  of(): string;
  pf(): string;
  /** For CMP/SUB: the unsigned operands and operand size, for direct relations. */
  readonly sub?: { a: string; b: string; size: number };
}

/** LazyOp values of `exec/flags.ts` (the generated code stores them as numbers). */
export const LOP = { None: 0, Add: 1, Adc: 2, Sub: 3, Sbb: 4, Logic: 5, Inc: 6, Dec: 7 } as const;
export type LopName = Exclude<keyof typeof LOP, 'None'>;

const ARITH = 0x8d5;
export const signMask = (size: number): number => (size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000);

/** A lazy record: op, size, unsigned operands `a`, `b`, result `r` and carry-in `cin` (locals). */
export function lazySource(
  op: LopName,
  size: number,
  a: string,
  b: string,
  r: string,
  cin = '0',
): FlagSource {
  const m = signMask(size);
  const of = (): string => {
    switch (op) {
      case 'Add':
      case 'Adc':
        return `((((${a} ^ ${r}) & (${b} ^ ${r})) & ${m}) !== 0)`;
      case 'Sub':
      case 'Sbb':
        return `((((${a} ^ ${b}) & (${a} ^ ${r})) & ${m}) !== 0)`;
      case 'Inc':
        return `(${r} === ${m})`;
      case 'Dec':
        return `(${r} === ${m - 1})`;
      default:
        return 'false';
    }
  };
  const cf = (): string => {
    switch (op) {
      case 'Add':
        return `(${r} < ${a})`;
      case 'Adc':
        return `(${cin} !== 0 ? ${r} <= ${a} : ${r} < ${a})`;
      case 'Sub':
        return `(${a} < ${b})`;
      case 'Sbb':
        return `(${cin} !== 0 ? ${a} <= ${b} : ${a} < ${b})`;
      case 'Logic':
        return 'false';
      default:
        return `(${cin} !== 0)`;
    }
  };
  return {
    store: () =>
      `c.lop = ${LOP[op]}; c.lsize = ${size}; c.ls1 = ${a}; c.ls2 = ${b}; c.lres = ${r}; c.lcin = ${cin};`,
    cf,
    zf: () => `(${r} === 0)`,
    sf: () => `((${r} & ${m}) !== 0)`,
    of,
    pf: () => `(P[${r} & 255] !== 0)`,
    sub: op === 'Sub' ? { a, b, size } : undefined,
  };
}

/**
 * Flags computed eagerly by the interpreter (shifts, IMUL): CF and OF from locals holding 0/1,
 * SF/ZF/PF from the unsigned result `r`, AF clear.
 */
export function eagerSource(size: number, r: string, cf: string, of: string): FlagSource {
  const m = signMask(size);
  return {
    store: () =>
      `c.flags = (c.flags & ${~ARITH}) | ${cf} | (${of} !== 0 ? 2048 : 0) | ((${r} & ${m}) !== 0 ? 128 : 0) | (${r} === 0 ? 64 : 0) | P[${r} & 255]; c.lop = 0;`,
    cf: () => `(${cf} !== 0)`,
    zf: () => `(${r} === 0)`,
    sf: () => `((${r} & ${m}) !== 0)`,
    of: () => `(${of} !== 0)`,
    pf: () => `(P[${r} & 255] !== 0)`,
  };
}

/** A boolean JS expression for condition code `cc` (Jcc/SETcc/CMOVcc low nibble). */
export function conditionExpr(f: FlagSource | undefined, cc: number): string {
  if (!f) return `X.condition(c, ${cc})`;
  if (f.sub) {
    const { a, b, size } = f.sub;
    const sh = 32 - size * 8;
    const sa = sh === 0 ? `(${a} | 0)` : `((${a} << ${sh}) >> ${sh})`;
    const sb = sh === 0 ? `(${b} | 0)` : `((${b} << ${sh}) >> ${sh})`;
    switch (cc) {
      case 2:
        return `(${a} < ${b})`;
      case 3:
        return `(${a} >= ${b})`;
      case 4:
        return `(${a} === ${b})`;
      case 5:
        return `(${a} !== ${b})`;
      case 6:
        return `(${a} <= ${b})`;
      case 7:
        return `(${a} > ${b})`;
      case 0xc:
        return `(${sa} < ${sb})`;
      case 0xd:
        return `(${sa} >= ${sb})`;
      case 0xe:
        return `(${sa} <= ${sb})`;
      case 0xf:
        return `(${sa} > ${sb})`;
    }
  }
  let e: string;
  switch (cc >> 1) {
    case 0:
      e = f.of();
      break;
    case 1:
      e = f.cf();
      break;
    case 2:
      e = f.zf();
      break;
    case 3:
      e = `(${f.cf()} || ${f.zf()})`;
      break;
    case 4:
      e = f.sf();
      break;
    case 5:
      e = f.pf();
      break;
    case 6:
      e = `(${f.sf()} !== ${f.of()})`;
      break;
    default:
      e = `(${f.zf()} || ${f.sf()} !== ${f.of()})`;
      break;
  }
  return cc & 1 ? `!${e}` : e;
}
