import { hex, type MemOperand, modrm, operandTextBare, type RmOperand, reg, regName } from '../encoder.js';
import { type Form, pickMem, pickReg, step } from '../operands.js';
import type { Prng } from '../prng.js';
import type { Step } from '../step.js';

/**
 * MMX: load two MMX registers (MOVD from a general register or MOVQ from scratch memory), apply
 * one operation (register, m64 or, for shifts, imm8 source), store the result to scratch memory
 * with MOVQ so the record shows all 64 bits, then EMMS so later x87 code starts from empty tags.
 * No 0x66/F2/F3 prefixes ever: with them these opcodes are SSE2 forms.
 */

/** Two-operand MMX opcodes (0F xx) with their mnemonics. */
const BINARY: ReadonlyArray<readonly [number, string]> = [
  [0x60, 'punpcklbw'],
  [0x61, 'punpcklwd'],
  [0x62, 'punpckldq'],
  [0x63, 'packsswb'],
  [0x64, 'pcmpgtb'],
  [0x65, 'pcmpgtw'],
  [0x66, 'pcmpgtd'],
  [0x67, 'packuswb'],
  [0x68, 'punpckhbw'],
  [0x69, 'punpckhwd'],
  [0x6a, 'punpckhdq'],
  [0x6b, 'packssdw'],
  [0x74, 'pcmpeqb'],
  [0x75, 'pcmpeqw'],
  [0x76, 'pcmpeqd'],
  [0xd1, 'psrlw'],
  [0xd2, 'psrld'],
  [0xd3, 'psrlq'],
  [0xd5, 'pmullw'],
  [0xd8, 'psubusb'],
  [0xd9, 'psubusw'],
  [0xdb, 'pand'],
  [0xdc, 'paddusb'],
  [0xdd, 'paddusw'],
  [0xdf, 'pandn'],
  [0xe1, 'psraw'],
  [0xe2, 'psrad'],
  [0xe5, 'pmulhw'],
  [0xe8, 'psubsb'],
  [0xe9, 'psubsw'],
  [0xeb, 'por'],
  [0xec, 'paddsb'],
  [0xed, 'paddsw'],
  [0xef, 'pxor'],
  [0xf1, 'psllw'],
  [0xf2, 'pslld'],
  [0xf3, 'psllq'],
  [0xf5, 'pmaddwd'],
  [0xf8, 'psubb'],
  [0xf9, 'psubw'],
  [0xfa, 'psubd'],
  [0xfc, 'paddb'],
  [0xfd, 'paddw'],
  [0xfe, 'paddd'],
];

/** 0F 71/72/73 groups: [opcode, ModRM reg field, mnemonic]. */
const SHIFT_IMM: ReadonlyArray<readonly [number, number, string]> = [
  [0x71, 2, 'psrlw'],
  [0x71, 4, 'psraw'],
  [0x71, 6, 'psllw'],
  [0x72, 2, 'psrld'],
  [0x72, 4, 'psrad'],
  [0x72, 6, 'pslld'],
  [0x73, 2, 'psrlq'],
  [0x73, 6, 'psllq'],
];

const mm = (n: number) => `mm${n}`;
/** An MMX register operand: ModRM names it like a general register with the same number. */
const mmOperand = (n: number): RmOperand => reg(n, 32);
const qword = (rng: Prng): MemOperand => pickMem(rng, 32, 8);
/** The low unpacks read only 32 bits from memory (SDM: PUNPCKLBW mm, mm/m32). */
const sourceBytes = (opcode: number) => (opcode >= 0x60 && opcode <= 0x62 ? 4 : 8);

function load(rng: Prng, n: number): Step {
  if (rng.chance(0.5)) {
    const r = pickReg(rng, 32);
    return step([0x0f, 0x6e, ...modrm(n, r)], `movd ${mm(n)},${regName(r)}`);
  }
  const m = qword(rng);
  return step([0x0f, 0x6f, ...modrm(n, m)], `movq ${mm(n)},${operandTextBare(m)}`);
}

/** Shift counts worth drawing: lane boundaries, beyond them, and anything. */
function shiftCount(rng: Prng): number {
  return rng.chance(0.7) ? rng.pick([0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 255]) : rng.below(256);
}

export const mmx: Form = (rng) => {
  const dst = rng.below(8);
  const src = rng.below(8);
  const steps: Step[] = [load(rng, dst)];
  if (rng.chance(0.2)) {
    const [opcode, field, name] = rng.pick(SHIFT_IMM);
    const count = shiftCount(rng);
    steps.push(
      step([0x0f, opcode, ...modrm(field, mmOperand(dst)), count], `${name} ${mm(dst)},${hex(count)}`),
    );
  } else {
    const [opcode, name] = rng.pick(BINARY);
    if (rng.chance(0.3)) {
      const m = pickMem(rng, 32, sourceBytes(opcode));
      steps.push(step([0x0f, opcode, ...modrm(dst, m)], `${name} ${mm(dst)},${operandTextBare(m)}`));
    } else {
      steps.push(load(rng, src));
      steps.push(step([0x0f, opcode, ...modrm(dst, mmOperand(src))], `${name} ${mm(dst)},${mm(src)}`));
    }
  }
  const out = qword(rng);
  steps.push(step([0x0f, 0x7f, ...modrm(dst, out)], `movq ${operandTextBare(out)},${mm(dst)}`));
  steps.push(step([0x0f, 0x77], 'emms'));
  return steps;
};
