/**
 * The instructions a table-driven random run draws from, taken from an executor's own opcode
 * table (DESIGN §6: one table drives decoder, executor and test generation). Only the shape
 * below is read, so any table with these fields works (accel-tcg's `ONE_BYTE`/`TWO_BYTE`).
 */
export type ImmKind = 'none' | 'b' | 'sb' | 'z' | 'v' | (string & {});

export interface OpcodeTableEntry {
  readonly name: string;
  readonly modrm: boolean;
  readonly imm: ImmKind;
  readonly byteOp: boolean;
  readonly lockable?: boolean;
  readonly group?: readonly OpcodeTableEntry[];
}

/** One encodable choice: opcode bytes, the entry (group resolved), the ModRM reg field for groups. */
export interface OpcodeChoice {
  readonly bytes: readonly number[];
  readonly spec: OpcodeTableEntry;
  readonly groupReg: number;
}

/**
 * Instructions the generator may emit, by name. Excluded on purpose: control transfers, stack
 * and segment operations, string and I/O instructions and anything privileged (the composites
 * of `opcode-table-program.ts` cover branches, stack pairs and strings in fixed shapes). Faults
 * are fine (DIV/IDIV raise #DE): the runner prints the exception and resumes after it.
 */
const NAMES = new Set(
  (
    'add or adc sbb and sub xor cmp inc dec test xchg mov lea cbw cwd sahf lahf rol ror rcl rcr ' +
    'shl shr sal sar not neg mul imul div idiv bt bts btr btc bsf bsr shld shrd cmpxchg xadd ' +
    'movzx movsx setcc cmov bswap daa das aaa aas aam aad salc cmc clc stc cld std nop'
  ).split(' '),
);

const ENCODABLE_IMM = new Set(['none', 'b', 'sb', 'z', 'v']);

/** Every choice of the one- and two-byte (0F xx) tables, in table order (the order is seeded). */
export function opcodeChoices(
  oneByte: readonly OpcodeTableEntry[],
  twoByte: readonly OpcodeTableEntry[],
): OpcodeChoice[] {
  const out: OpcodeChoice[] = [];
  const add = (bytes: number[], spec: OpcodeTableEntry) => {
    if (!ENCODABLE_IMM.has(spec.imm)) return;
    if (spec.group) {
      spec.group.forEach((g, reg) => {
        if (NAMES.has(g.name))
          out.push({
            bytes,
            spec: {
              ...spec,
              ...g,
              group: undefined,
              modrm: true,
              imm: g.imm === 'none' ? spec.imm : g.imm,
              byteOp: spec.byteOp,
            },
            groupReg: reg,
          });
      });
    } else if (NAMES.has(spec.name)) {
      out.push({ bytes, spec, groupReg: -1 });
    }
  };
  oneByte.forEach((s, b) => {
    // Opcodes that name a register in their low bits must not name EBX/ESP (BL/BH for bytes):
    // EBX holds the scratch pointer, ESP the stack.
    if ((b >= 0x40 && b <= 0x4f) || (b >= 0x91 && b <= 0x97) || (b >= 0xb0 && b <= 0xbf)) {
      if ([3, 4, 7].includes(b & 7)) return;
    }
    if (b === 0x82) return; // alias of 0x80: keep the set canonical
    add([b], s);
  });
  twoByte.forEach((s, b) => {
    if (b >= 0xc8 && b <= 0xcf && [3, 4].includes(b & 7)) return;
    if (b >= 0x19 && b <= 0x1f) return; // hint NOPs
    add([0x0f, b], s);
  });
  return out;
}
