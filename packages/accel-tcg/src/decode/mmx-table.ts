import * as fx from '../ops/fxsave.js';
import * as lanes from '../ops/mmx/mmx-lanes.js';
import * as move from '../ops/mmx/mmx-move.js';
import * as pack from '../ops/mmx/mmx-pack.js';
import * as shift from '../ops/mmx/mmx-shift.js';
import type { Handler } from './insn.js';

/** What the 0F table needs to build an entry (opcode-table.ts owns the OpSpec factory). */
export interface MmxEntry {
  readonly opcode: number;
  readonly name: string;
  readonly h: Handler;
  /** Immediate-shift groups 0F 71-73: handler per ModRM reg field (null = #UD). */
  readonly group?: ReadonlyArray<readonly [string, Handler] | null>;
  /** 0F AE: FXSAVE/FXRSTOR take a memory operand only. */
  readonly memOnly?: boolean;
  /** 0F 71-73: an imm8 shift count and a register operand only. */
  readonly immediate?: boolean;
  /** EMMS is the one MMX opcode without a ModRM byte. */
  readonly noModrm?: boolean;
}

const e = (opcode: number, name: string, h: Handler): MmxEntry => ({ opcode, name, h });
const shiftGroup = (w: string, rl: Handler, ra: Handler | null, ll: Handler) => [
  null,
  null,
  [`psrl${w}`, rl] as const,
  null,
  ra ? ([`psra${w}`, ra] as const) : null,
  null,
  [`psll${w}`, ll] as const,
  null,
];

/** MMX (0F 60-7F, D1-FE) and FXSAVE/FXRSTOR (0F AE /0 /1). */
export const MMX_ENTRIES: readonly MmxEntry[] = [
  e(0x60, 'punpcklbw', pack.opPunpcklbw),
  e(0x61, 'punpcklwd', pack.opPunpcklwd),
  e(0x62, 'punpckldq', pack.opPunpckldq),
  e(0x63, 'packsswb', pack.opPacksswb),
  e(0x64, 'pcmpgtb', lanes.opPcmpgtb),
  e(0x65, 'pcmpgtw', lanes.opPcmpgtw),
  e(0x66, 'pcmpgtd', lanes.opPcmpgtd),
  e(0x67, 'packuswb', pack.opPackuswb),
  e(0x68, 'punpckhbw', pack.opPunpckhbw),
  e(0x69, 'punpckhwd', pack.opPunpckhwd),
  e(0x6a, 'punpckhdq', pack.opPunpckhdq),
  e(0x6b, 'packssdw', pack.opPackssdw),
  e(0x6e, 'movd', move.opMovdToMm),
  e(0x6f, 'movq', move.opMovqToMm),
  {
    ...e(0x71, 'psxxw', shift.opPsrlwImm),
    immediate: true,
    group: shiftGroup('w', shift.opPsrlwImm, shift.opPsrawImm, shift.opPsllwImm),
  },
  {
    ...e(0x72, 'psxxd', shift.opPsrldImm),
    immediate: true,
    group: shiftGroup('d', shift.opPsrldImm, shift.opPsradImm, shift.opPslldImm),
  },
  {
    ...e(0x73, 'psxxq', shift.opPsrlqImm),
    immediate: true,
    group: shiftGroup('q', shift.opPsrlqImm, null, shift.opPsllqImm),
  },
  e(0x74, 'pcmpeqb', lanes.opPcmpeqb),
  e(0x75, 'pcmpeqw', lanes.opPcmpeqw),
  e(0x76, 'pcmpeqd', lanes.opPcmpeqd),
  { ...e(0x77, 'emms', move.opEmms), noModrm: true },
  e(0x7e, 'movd', move.opMovdFromMm),
  e(0x7f, 'movq', move.opMovqFromMm),
  e(0xd1, 'psrlw', shift.opPsrlw),
  e(0xd2, 'psrld', shift.opPsrld),
  e(0xd3, 'psrlq', shift.opPsrlq),
  e(0xd5, 'pmullw', lanes.opPmullw),
  e(0xd8, 'psubusb', lanes.opPsubusb),
  e(0xd9, 'psubusw', lanes.opPsubusw),
  e(0xdb, 'pand', lanes.opPand),
  e(0xdc, 'paddusb', lanes.opPaddusb),
  e(0xdd, 'paddusw', lanes.opPaddusw),
  e(0xdf, 'pandn', lanes.opPandn),
  e(0xe1, 'psraw', shift.opPsraw),
  e(0xe2, 'psrad', shift.opPsrad),
  e(0xe5, 'pmulhw', lanes.opPmulhw),
  e(0xe8, 'psubsb', lanes.opPsubsb),
  e(0xe9, 'psubsw', lanes.opPsubsw),
  e(0xeb, 'por', lanes.opPor),
  e(0xec, 'paddsb', lanes.opPaddsb),
  e(0xed, 'paddsw', lanes.opPaddsw),
  e(0xef, 'pxor', lanes.opPxor),
  e(0xf1, 'psllw', shift.opPsllw),
  e(0xf2, 'pslld', shift.opPslld),
  e(0xf3, 'psllq', shift.opPsllq),
  e(0xf5, 'pmaddwd', lanes.opPmaddwd),
  e(0xf8, 'psubb', lanes.opPsubb),
  e(0xf9, 'psubw', lanes.opPsubw),
  e(0xfa, 'psubd', lanes.opPsubd),
  e(0xfc, 'paddb', lanes.opPaddb),
  e(0xfd, 'paddw', lanes.opPaddw),
  e(0xfe, 'paddd', lanes.opPaddd),
  {
    ...e(0xae, 'grp15', fx.opFxsave),
    memOnly: true,
    group: [['fxsave', fx.opFxsave], ['fxrstor', fx.opFxrstor], null, null, null, null, null, null],
  },
];
