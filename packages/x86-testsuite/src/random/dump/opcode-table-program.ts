import { Mulberry32 } from '../mulberry32.js';
import type { OpcodeChoice } from './opcode-choices.js';

/**
 * Seeded straight-line programs for the integer dump runner (a runner ROM's last 64 KiB, the
 * generated code at 0xFFF00000): every sequence loads scratch memory, registers and flags, then
 * runs one to eight instructions drawn from an opcode table (or fixed composite shapes), each
 * followed by a call to the runner's register dump. In `code16` the sequences run in a 16-bit
 * protected-mode code segment (default operand and address size 16).
 */

/** Registers a generated instruction may name: EBX holds the scratch pointer, ESP the stack. */
const SAFE_REGS = [0, 1, 2, 5, 6];

export const DUMP_SCRATCH = 0x20000;
const SCRATCH_BYTES = 128;
export const DUMP_SEQ_BASE = 0xfff00000;
/** The runner's pointer to its dump routine. */
const DUMP_PTR = 0xffff0000;
/** Where the runner's exception handler finds the address to resume at. */
const RESUME_EIP = DUMP_SCRATCH + 0xfff0;
/** The runner's far pointer (m16:32) to its dump entry for 16-bit code. */
const DUMP_FAR_PTR = 0xffff0004;
/** Selector of the runner's 16-bit code segment based at DUMP_SEQ_BASE. */
const SEL_CODE16_SEQ = 0x28;
/** Where 16-bit sequences start in their segment (after the 32-bit entry stub). */
const CODE16_START = 0x10;

export interface GeneratedInsn {
  readonly bytes: number[];
  readonly name: string;
}

export interface TableSequence {
  readonly index: number;
  /** EAX ECX EDX EBP ESI EDI at the start. */
  readonly regs: number[];
  readonly flags: number;
  readonly insns: GeneratedInsn[];
}

export const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function immBytes(rng: Mulberry32, kind: string, size: number, o32: boolean, name: string): number[] {
  switch (kind) {
    case 'b':
      return [name === 'aam' ? 1 + rng.int(255) : rng.int(256)];
    case 'sb':
      return [rng.int(256)];
    case 'z':
      if (size === 1) return [rng.int(256)];
      return o32 ? le32(rng.u32()) : [rng.int(256), rng.int(256)];
    case 'v':
      return o32 ? le32(rng.u32()) : [rng.int(256), rng.int(256)];
    case 'none':
      return [];
    default:
      throw new Error(`generator cannot encode immediate kind '${kind}'`);
  }
}

/** One random instruction of the table; memory operands are [ebx/bx + d8] into scratch. */
function tableInsn(rng: Mulberry32, choices: readonly OpcodeChoice[], code16: boolean): GeneratedInsn {
  const c = rng.pick(choices);
  const spec = c.spec;
  const bytes: number[] = [];
  // 16-bit SHLD/SHRD by more than 16 is undefined (QEMU and hardware differ): the 16-bit forms
  // only get immediate counts up to 16, and CL counts always the 32-bit form.
  const doubleShift = spec.name === 'shld' || spec.name === 'shrd';
  const flip = !spec.byteOp && !(doubleShift && spec.imm === 'none') && rng.chance(0.3);
  const prefixed = code16 ? flip || (doubleShift && spec.imm === 'none') : flip;
  const o16 = code16 ? !prefixed && !spec.byteOp : flip;
  if (prefixed) bytes.push(0x66);
  const body: number[] = [...c.bytes];
  if (spec.modrm) {
    const regOnlyBt = ['bt', 'bts', 'btr', 'btc'].includes(spec.name) && c.groupReg < 0;
    const mem = spec.name === 'lea' || (!regOnlyBt && rng.chance(0.35));
    const reg = c.groupReg >= 0 ? c.groupReg : rng.pick(SAFE_REGS);
    if (mem) {
      body.push(0x40 | (reg << 3) | (code16 ? 7 : 3), rng.int(SCRATCH_BYTES - 8)); // [ebx/bx + disp8]
      if (rng.chance(0.15)) bytes.push(rng.pick([0x26, 0x36, 0x3e, 0x64, 0x65]));
      if (spec.lockable && rng.chance(0.15)) bytes.push(0xf0);
    } else {
      body.push(0xc0 | (reg << 3) | rng.pick(SAFE_REGS));
    }
  }
  const size = spec.byteOp ? 1 : o16 ? 2 : 4;
  const imm = immBytes(rng, spec.imm, size, !o16, spec.name);
  if (doubleShift && o16 && imm.length === 1) imm[0] %= 17;
  body.push(...imm);
  return { bytes: [...bytes, ...body], name: spec.name };
}

/**
 * Fixed shapes around instructions that cannot stand alone in a straight-line sequence:
 * branches (taken or not shows in a register the skipped MOV would have set), stack pairs,
 * string instructions with pointers and count set up first, 16-bit addressing, XLAT, LEA/SIB.
 */
function compositeInsn(rng: Mulberry32, code16: boolean): GeneratedInsn {
  const reg = rng.pick(SAFE_REGS);
  const movImm = () => (code16 ? [0xb8 + reg, rng.int(256), rng.int(256)] : [0xb8 + reg, ...le32(rng.u32())]);
  const skip = code16 ? 3 : 5;
  const mov32 = (op: number, v: number) => (code16 ? [0x66, op, ...le32(v)] : [op, ...le32(v)]);
  switch (rng.int(7)) {
    case 0: {
      const cc = rng.int(16);
      const near = rng.chance(0.5);
      if (near && code16) return { bytes: [0x0f, 0x80 + cc, skip, 0, ...movImm()], name: 'jcc rel16' };
      return near
        ? { bytes: [0x0f, 0x80 + cc, 5, 0, 0, 0, ...movImm()], name: 'jcc rel32' }
        : { bytes: [0x70 + cc, skip, ...movImm()], name: 'jcc rel8' };
    }
    case 1: {
      // LOOP/LOOPE/LOOPNE/JECXZ over a MOV (the branch only goes forward)
      const op = rng.pick([0xe0, 0xe1, 0xe2, 0xe3]);
      const pre = rng.chance(0.3) ? [0x67] : [];
      return { bytes: [...pre, op, skip, ...movImm()], name: 'loop/jcxz' };
    }
    case 2: {
      const o16 = rng.chance(0.2);
      const narrow = code16 ? !o16 : o16;
      const src = rng.pick([
        [0x50 + rng.pick(SAFE_REGS)],
        narrow ? [0x68, rng.int(256), rng.int(256)] : [0x68, ...le32(rng.u32())],
        [0x6a, rng.int(256)],
        [0xff, code16 ? 0x77 : 0x73, rng.int(120)], // push [ebx/bx + d8]
        [0x9c],
      ]);
      const p = o16 ? [0x66] : [];
      return { bytes: [...p, ...src, ...p, 0x58 + reg], name: 'push/pop' };
    }
    case 3:
    case 4: {
      const op = rng.pick([0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);
      const rep = rng.pick([[], [0xf3], [0xf2]]);
      const o16 = op & 1 && rng.chance(0.3) ? [0x66] : [];
      // 16-bit code addresses with SI/DI (DS/ES base 0): low RAM instead of the scratch area.
      const area = code16 ? 0x100 : DUMP_SCRATCH + 0x40;
      return {
        bytes: [
          ...mov32(0xbe, area + rng.int(32)),
          ...mov32(0xbf, area + rng.int(32)),
          ...mov32(0xb9, rng.int(12)),
          ...rep,
          ...o16,
          op,
        ],
        name: 'string',
      };
    }
    case 5: {
      // [bx + d8] with BX = 0: low RAM
      const op = rng.pick([0x01, 0x03, 0x29, 0x2b, 0x31, 0x33, 0x39, 0x3b, 0x89, 0x8b, 0x85]);
      const a16 = code16 ? [] : [0x67];
      return { bytes: [...a16, op, 0x47 | (reg << 3), rng.int(120)], name: 'a16 alu/mov' };
    }
    default: {
      if (rng.chance(0.5)) {
        return code16
          ? { bytes: [0x25, 0x7f, 0, 0xd7], name: 'and ax, 7f; xlat' }
          : { bytes: [0x25, 0x7f, 0, 0, 0, 0xd7], name: 'and eax, 7f; xlat' };
      }
      const sib = (rng.int(4) << 6) | (rng.pick(SAFE_REGS) << 3) | rng.pick([0, 1, 2, 3, 5, 6]);
      const a32 = code16 ? [0x67] : [];
      return { bytes: [...a32, 0x8d, 0x44 | (reg << 3), sib, rng.int(256)], name: 'lea sib' };
    }
  }
}

/** The generated part of the ROM (code, then scratch patterns) and its sequences. */
export function opcodeTableProgram(
  choices: readonly OpcodeChoice[],
  seed: number,
  count: number,
  code16 = false,
): { code: Uint8Array; sequences: TableSequence[] } {
  if (choices.length === 0) throw new Error('the opcode table gave no instruction the generator can use');
  const rng = new Mulberry32(seed);
  const sequences: TableSequence[] = [];
  const code: number[] = [];
  const patterns: number[][] = [];
  const fixups: { at: number; seq: number }[] = [];
  const o32 = code16 ? [0x66] : [];
  const a32 = code16 ? [0x67] : [];
  if (code16) {
    // call far [SEQ_BASE + 8] / ret / (pad) / far pointer → 0028:0010
    code.push(0xff, 0x1d, ...le32(DUMP_SEQ_BASE + 8), 0xc3, 0x90);
    code.push(...le32(CODE16_START), SEL_CODE16_SEQ, 0, 0x90, 0x90);
  }
  for (let k = 0; k < count; k++) {
    const regs = [rng.u32(), rng.u32(), rng.u32(), rng.u32(), rng.u32(), rng.u32()];
    const flags = (rng.u32() & (0x8d5 | 0x400)) | 2;
    const n = 1 + rng.int(8);
    const insns = Array.from({ length: n }, () =>
      rng.chance(0.2) ? compositeInsn(rng, code16) : tableInsn(rng, choices, code16),
    );
    patterns.push(Array.from({ length: SCRATCH_BYTES }, () => rng.int(256)));
    sequences.push({ index: k, regs, flags, insns });
    // Scratch memory from this sequence's pattern (address patched below), registers, flags.
    code.push(...o32, 0xbe);
    fixups.push({ at: code.length, seq: k });
    code.push(0, 0, 0, 0);
    code.push(...o32, 0xbf, ...le32(DUMP_SCRATCH), ...o32, 0xb9, ...le32(SCRATCH_BYTES / 4), 0xfc);
    code.push(0xf3, ...o32, ...a32, 0xa5);
    code.push(...o32, 0xbb, ...le32(DUMP_SCRATCH));
    for (const [i, r] of [0, 1, 2, 5, 6, 7].entries()) code.push(...o32, 0xb8 + r, ...le32(regs[i]));
    code.push(...o32, 0x68, ...le32(flags), ...o32, 0x9d);
    insns.forEach((insn, j) => {
      // mov dword [RESUME_EIP], <the dump below>: a fault resumes there (EIP in the segment).
      const store = o32.length + a32.length + 10;
      const resume = code16
        ? code.length + store + insn.bytes.length
        : DUMP_SEQ_BASE + code.length + store + insn.bytes.length;
      code.push(...o32, ...a32, 0xc7, 0x05, ...le32(RESUME_EIP), ...le32(resume));
      code.push(...insn.bytes);
      code.push(...o32, 0x68, ...le32(0xffffffff), ...o32, 0x68, ...le32((k << 8) | j));
      if (code16)
        code.push(0x66, 0x67, 0xff, 0x1d, ...le32(DUMP_FAR_PTR)); // call far dword [ptr]
      else code.push(0xff, 0x15, ...le32(DUMP_PTR));
    });
  }
  code.push(...(code16 ? [0x66, 0xcb] : [0xc3])); // 16-bit code returns to the stub with RETFD
  if (code16 && code.length > 0xfff0)
    throw new Error(`${count} sequences do not fit in a 64 KiB code segment`);
  const patternBase = DUMP_SEQ_BASE + code.length;
  for (const f of fixups) code.splice(f.at, 4, ...le32(patternBase + f.seq * SCRATCH_BYTES));
  for (const p of patterns) code.push(...p);
  return { code: Uint8Array.from(code), sequences };
}

export function describeTableSequence(seq: TableSequence): string {
  const regNames = ['eax', 'ecx', 'edx', 'ebp', 'esi', 'edi'];
  const hex = (v: number) => v.toString(16).padStart(8, '0');
  return [
    `  ${regNames.map((r, i) => `${r}=${hex(seq.regs[i])}`).join(' ')} ebx=${hex(DUMP_SCRATCH)} eflags=${hex(seq.flags)}`,
    ...seq.insns.map(
      (i, j) => `  #${j}: ${i.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}  (${i.name})`,
    ),
  ].join('\n');
}
