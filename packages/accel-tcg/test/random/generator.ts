import { ONE_BYTE, type OpSpec, TWO_BYTE } from '../../src/index.js';

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same program everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
}

/**
 * Instructions the generator may emit, by the names the opcode table gives them. Excluded on
 * purpose: control transfers, stack and segment operations, string and I/O instructions and
 * anything privileged. Faults are fine (DIV/IDIV raise #DE): the runner's handler prints the
 * exception and resumes at the dump after the faulting instruction.
 */
const NAMES = new Set([
  'add',
  'or',
  'adc',
  'sbb',
  'and',
  'sub',
  'xor',
  'cmp',
  'inc',
  'dec',
  'test',
  'xchg',
  'mov',
  'lea',
  'cbw',
  'cwd',
  'sahf',
  'lahf',
  'rol',
  'ror',
  'rcl',
  'rcr',
  'shl',
  'shr',
  'sal',
  'sar',
  'not',
  'neg',
  'mul',
  'imul',
  'div',
  'idiv',
  'bt',
  'bts',
  'btr',
  'btc',
  'bsf',
  'bsr',
  'shld',
  'shrd',
  'cmpxchg',
  'xadd',
  'movzx',
  'movsx',
  'setcc',
  'cmov',
  'bswap',
  'daa',
  'das',
  'aaa',
  'aas',
  'aam',
  'aad',
  'salc',
  'cmc',
  'clc',
  'stc',
  'cld',
  'std',
  'nop',
]);

/** One encodable choice: opcode bytes, the table entry, and the ModRM reg field for groups. */
interface Choice {
  bytes: number[];
  spec: OpSpec;
  groupReg: number;
}

function collectChoices(): Choice[] {
  const out: Choice[] = [];
  const encodable = (s: OpSpec) => ['none', 'b', 'sb', 'z', 'v'].includes(s.imm);
  const add = (bytes: number[], spec: OpSpec) => {
    if (!encodable(spec)) return;
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
  ONE_BYTE.forEach((s, b) => {
    // Opcodes that name a register in their low bits must not name EBX/ESP (BL/BH for bytes).
    if ((b >= 0x40 && b <= 0x4f) || (b >= 0x91 && b <= 0x97) || (b >= 0xb0 && b <= 0xbf)) {
      if ([3, 4, 7].includes(b & 7)) return;
    }
    if (b === 0x82) return; // alias of 0x80, #UD in 64-bit mode only; keep the set canonical
    add([b], s);
  });
  TWO_BYTE.forEach((s, b) => {
    if (b >= 0xc8 && b <= 0xcf && [3, 4].includes(b & 7)) return;
    if (b >= 0x19 && b <= 0x1f) return; // hint NOPs
    add([0x0f, b], s);
  });
  return out;
}

export const CHOICES: readonly Choice[] = collectChoices();

/** Registers a generated instruction may name: EBX holds the scratch pointer, ESP the stack. */
const SAFE_REGS = [0, 1, 2, 5, 6];

export const SCRATCH = 0x20000;
const SCRATCH_BYTES = 128;
export const SEQ_BASE = 0xfff00000;
/** The runner's pointer to its dump routine. */
const DUMP_PTR = 0xffff0000;
/** Where the runner's exception handler finds the address to resume at (guests/lib). */
const RESUME_EIP = SCRATCH + 0xfff0;

export interface GeneratedInsn {
  bytes: number[];
  name: string;
}

export interface Sequence {
  index: number;
  regs: number[];
  flags: number;
  insns: GeneratedInsn[];
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function immBytes(rng: Rng, kind: string, size: number, o32: boolean, name: string): number[] {
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

/** Encode one random instruction from the table. */
export function randomInsn(rng: Rng): GeneratedInsn {
  const c = rng.pick(CHOICES);
  const spec = c.spec;
  const bytes: number[] = [];
  // 16-bit SHLD/SHRD by more than 16 is undefined (result and flags differ between QEMU and
  // hardware): the 16-bit forms only get immediate counts up to 16.
  const doubleShift = spec.name === 'shld' || spec.name === 'shrd';
  const o16 = !spec.byteOp && !(doubleShift && spec.imm === 'none') && rng.chance(0.3);
  if (o16) bytes.push(0x66);
  let mem = false;
  const body: number[] = [...c.bytes];
  if (spec.modrm) {
    const regOnlyBt = ['bt', 'bts', 'btr', 'btc'].includes(spec.name) && c.groupReg < 0;
    mem = spec.name === 'lea' || (!regOnlyBt && rng.chance(0.35));
    const reg = c.groupReg >= 0 ? c.groupReg : rng.pick(SAFE_REGS);
    if (mem) {
      body.push(0x40 | (reg << 3) | 3, rng.int(SCRATCH_BYTES - 8)); // [ebx + disp8]
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

/** A program of `count` sequences for `seed`: the ROM's generated part and the sequences. */
export function generateProgram(seed: number, count: number): { code: Uint8Array; sequences: Sequence[] } {
  const rng = new Rng(seed);
  const sequences: Sequence[] = [];
  const code: number[] = [];
  const patterns: number[][] = [];
  const fixups: { at: number; seq: number }[] = [];
  for (let k = 0; k < count; k++) {
    const regs = [rng.u32(), rng.u32(), rng.u32(), rng.u32(), rng.u32(), rng.u32()];
    const flags = (rng.u32() & (0x8d5 | 0x400)) | 2;
    const n = 1 + rng.int(8);
    const insns = Array.from({ length: n }, () => randomInsn(rng));
    patterns.push(Array.from({ length: SCRATCH_BYTES }, () => rng.int(256)));
    sequences.push({ index: k, regs, flags, insns });
    // Scratch memory from this sequence's pattern, then registers and flags.
    code.push(0xbe);
    fixups.push({ at: code.length, seq: k });
    code.push(0, 0, 0, 0);
    code.push(0xbf, ...le32(SCRATCH), 0xb9, ...le32(SCRATCH_BYTES / 4), 0xfc, 0xf3, 0xa5);
    code.push(0xbb, ...le32(SCRATCH));
    for (const [i, r] of [0, 1, 2, 5, 6, 7].entries()) code.push(0xb8 + r, ...le32(regs[i]));
    code.push(0x68, ...le32(flags), 0x9d);
    insns.forEach((insn, j) => {
      // mov dword [RESUME_EIP], <the dump below>: a fault resumes there.
      const resume = SEQ_BASE + code.length + 10 + insn.bytes.length;
      code.push(0xc7, 0x05, ...le32(RESUME_EIP), ...le32(resume));
      code.push(...insn.bytes);
      code.push(0x68, ...le32(0xffffffff), 0x68, ...le32((k << 8) | j), 0xff, 0x15, ...le32(DUMP_PTR));
    });
  }
  code.push(0xc3);
  const patternBase = SEQ_BASE + code.length;
  for (const f of fixups) code.splice(f.at, 4, ...le32(patternBase + f.seq * SCRATCH_BYTES));
  for (const p of patterns) code.push(...p);
  return { code: Uint8Array.from(code), sequences };
}

/** The full 1 MiB ROM: generated code from the bottom, the runner as its last 64 KiB. */
export function buildRandomRom(
  seed: number,
  count: number,
  runner: Uint8Array,
): { rom: Uint8Array; sequences: Sequence[] } {
  const { code, sequences } = generateProgram(seed, count);
  const rom = new Uint8Array(0x100000).fill(0xf4);
  if (code.length > rom.length - runner.length) throw new Error(`${count} sequences do not fit in the ROM`);
  rom.set(code, 0);
  rom.set(runner, rom.length - runner.length);
  return { rom, sequences };
}

export function describeSequence(seq: Sequence): string {
  const regNames = ['eax', 'ecx', 'edx', 'ebp', 'esi', 'edi'];
  const hex = (v: number) => v.toString(16).padStart(8, '0');
  return [
    `  ${regNames.map((r, i) => `${r}=${hex(seq.regs[i])}`).join(' ')} ebx=${hex(SCRATCH)} eflags=${hex(seq.flags)}`,
    ...seq.insns.map(
      (i, j) => `  #${j}: ${i.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}  (${i.name})`,
    ),
  ].join('\n');
}
