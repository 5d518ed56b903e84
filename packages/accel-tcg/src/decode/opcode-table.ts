import * as alu from '../ops/alu.js';
import * as bcd from '../ops/bcd.js';
import * as bits from '../ops/bits.js';
import * as ctl from '../ops/control.js';
import * as data from '../ops/data.js';
import * as dt from '../ops/descriptor-tables.js';
import * as ident from '../ops/identification.js';
import * as io from '../ops/io.js';
import * as misc from '../ops/misc.js';
import * as md from '../ops/muldiv.js';
import * as seg from '../ops/segment-regs.js';
import * as sh from '../ops/shift.js';
import * as str from '../ops/string.js';
import * as sys from '../ops/system.js';
import { opFwait } from '../ops/x87/guard.js';
import type { Handler } from './insn.js';
import { MMX_ENTRIES } from './mmx-table.js';
import { installX87 } from './x87-table.js';

/**
 * Immediate operand kinds: b imm8, sb sign-extended imm8, w imm16, v imm16/32 by operand size,
 * z like v but imm8 for byte operations, wb imm16+imm8 (ENTER), p far pointer, rel8/relv
 * branch displacements, moffs an address-size offset (MOV A0-A3).
 */
export type Imm = 'none' | 'b' | 'sb' | 'w' | 'v' | 'z' | 'wb' | 'p' | 'rel8' | 'relv' | 'moffs';

/** One opcode's decoding and execution: the single table the decoder and the test generator share. */
export interface OpSpec {
  readonly h: Handler;
  readonly name: string;
  readonly modrm: boolean;
  readonly imm: Imm;
  /** 8-bit operation (operand size 1 regardless of prefixes). */
  readonly byteOp: boolean;
  /** Ends a translation block (control transfer, mode or interrupt-state change, I/O). */
  readonly ends?: boolean;
  /** LOCK prefix allowed (with a memory destination). */
  readonly lockable?: boolean;
  /** Only the register form (mod = 3) / only the memory form is valid; the other is #UD. */
  readonly regOnly?: boolean;
  readonly memOnly?: boolean;
  /** The ModRM always names registers, whatever mod says (MOV CR/DR). */
  readonly modIgnored?: boolean;
  /** Group opcodes: the entry for each ModRM reg field. */
  readonly group?: readonly OpSpec[];
  /** x87 escapes: the register forms (mod = 3), one entry per ModRM bits 5..0; `group` has the memory forms. */
  readonly regForms?: readonly OpSpec[];
}

interface Opts {
  modrm?: boolean;
  imm?: Imm;
  byte?: boolean;
  ends?: boolean;
  lock?: boolean;
  regOnly?: boolean;
  memOnly?: boolean;
  modIgnored?: boolean;
  group?: OpSpec[];
  regForms?: OpSpec[];
}

export function op(name: string, h: Handler, o: Opts = {}): OpSpec {
  return {
    h,
    name,
    modrm: o.modrm ?? false,
    imm: o.imm ?? 'none',
    byteOp: o.byte ?? false,
    ends: o.ends,
    lockable: o.lock,
    regOnly: o.regOnly,
    memOnly: o.memOnly,
    modIgnored: o.modIgnored,
    group: o.group,
    regForms: o.regForms,
  };
}

const UD = op('(bad)', misc.opUd, { ends: true });
const M = { modrm: true };

export const ONE_BYTE: OpSpec[] = new Array(256).fill(UD);
export const TWO_BYTE: OpSpec[] = new Array(256).fill(UD);

const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
for (let k = 0; k < 8; k++) {
  const b = k * 8;
  const lock = k !== 7;
  ONE_BYTE[b] = op(ALU_NAMES[k], alu.opAluRmReg, { ...M, byte: true, lock });
  ONE_BYTE[b + 1] = op(ALU_NAMES[k], alu.opAluRmReg, { ...M, lock });
  ONE_BYTE[b + 2] = op(ALU_NAMES[k], alu.opAluRegRm, { ...M, byte: true });
  ONE_BYTE[b + 3] = op(ALU_NAMES[k], alu.opAluRegRm, M);
  ONE_BYTE[b + 4] = op(ALU_NAMES[k], alu.opAluAccImm, { imm: 'z', byte: true });
  ONE_BYTE[b + 5] = op(ALU_NAMES[k], alu.opAluAccImm, { imm: 'z' });
}
ONE_BYTE[0x06] = op('push es', seg.opPushSeg);
ONE_BYTE[0x07] = op('pop es', seg.opPopSeg, { ends: true });
ONE_BYTE[0x0e] = op('push cs', seg.opPushSeg);
ONE_BYTE[0x16] = op('push ss', seg.opPushSeg);
ONE_BYTE[0x17] = op('pop ss', seg.opPopSeg, { ends: true });
ONE_BYTE[0x1e] = op('push ds', seg.opPushSeg);
ONE_BYTE[0x1f] = op('pop ds', seg.opPopSeg, { ends: true });
ONE_BYTE[0x27] = op('daa', bcd.opDaa);
ONE_BYTE[0x2f] = op('das', bcd.opDas);
ONE_BYTE[0x37] = op('aaa', bcd.opAaa);
ONE_BYTE[0x3f] = op('aas', bcd.opAas);
for (let k = 0; k < 8; k++) {
  ONE_BYTE[0x40 + k] = op('inc', alu.opIncDecReg);
  ONE_BYTE[0x48 + k] = op('dec', alu.opIncDecReg);
  ONE_BYTE[0x50 + k] = op('push', data.opPushReg);
  ONE_BYTE[0x58 + k] = op('pop', data.opPopReg);
  ONE_BYTE[0x70 + k * 2] = op('jcc', ctl.opJcc, { imm: 'rel8', ends: true });
  ONE_BYTE[0x71 + k * 2] = op('jcc', ctl.opJcc, { imm: 'rel8', ends: true });
  ONE_BYTE[0x90 + k] = k === 0 ? op('nop', data.opNop) : op('xchg', data.opXchgAcc);
  ONE_BYTE[0xb0 + k] = op('mov', data.opMovRegImm, { imm: 'z', byte: true });
  ONE_BYTE[0xb8 + k] = op('mov', data.opMovRegImm, { imm: 'z' });
}
ONE_BYTE[0x60] = op('pusha', data.opPusha);
ONE_BYTE[0x61] = op('popa', data.opPopa);
ONE_BYTE[0x62] = op('bound', ctl.opBound, { ...M, ends: true });
ONE_BYTE[0x63] = op('arpl', dt.opArpl, M);
ONE_BYTE[0x68] = op('push', data.opPushImm, { imm: 'v' });
ONE_BYTE[0x69] = op('imul', md.opImul3, { ...M, imm: 'v' });
ONE_BYTE[0x6a] = op('push', data.opPushImm, { imm: 'sb' });
ONE_BYTE[0x6b] = op('imul', md.opImul3, { ...M, imm: 'sb' });
ONE_BYTE[0x6c] = op('ins', str.opIns, { byte: true, ends: true });
ONE_BYTE[0x6d] = op('ins', str.opIns, { ends: true });
ONE_BYTE[0x6e] = op('outs', str.opOuts, { byte: true, ends: true });
ONE_BYTE[0x6f] = op('outs', str.opOuts, { ends: true });

const grp1 = (byte: boolean) => ALU_NAMES.map((n, k) => op(n, alu.opGrp1, { byte, lock: k !== 7 }));
ONE_BYTE[0x80] = op('grp1', alu.opGrp1, { ...M, imm: 'b', byte: true, group: grp1(true) });
ONE_BYTE[0x81] = op('grp1', alu.opGrp1, { ...M, imm: 'v', group: grp1(false) });
ONE_BYTE[0x82] = ONE_BYTE[0x80];
ONE_BYTE[0x83] = op('grp1', alu.opGrp1, { ...M, imm: 'sb', group: grp1(false) });
ONE_BYTE[0x84] = op('test', alu.opTestRmReg, { ...M, byte: true });
ONE_BYTE[0x85] = op('test', alu.opTestRmReg, M);
ONE_BYTE[0x86] = op('xchg', data.opXchgRmReg, { ...M, byte: true, lock: true });
ONE_BYTE[0x87] = op('xchg', data.opXchgRmReg, { ...M, lock: true });
ONE_BYTE[0x88] = op('mov', data.opMovRmReg, { ...M, byte: true });
ONE_BYTE[0x89] = op('mov', data.opMovRmReg, M);
ONE_BYTE[0x8a] = op('mov', data.opMovRegRm, { ...M, byte: true });
ONE_BYTE[0x8b] = op('mov', data.opMovRegRm, M);
ONE_BYTE[0x8c] = op('mov sreg', seg.opMovFromSeg, M);
ONE_BYTE[0x8d] = op('lea', data.opLea, M);
ONE_BYTE[0x8e] = op('mov sreg', seg.opMovToSeg, { ...M, ends: true });
ONE_BYTE[0x8f] = op('pop', data.opPopRm, M);
ONE_BYTE[0x98] = op('cbw', data.opCbw);
ONE_BYTE[0x99] = op('cwd', data.opCwd);
ONE_BYTE[0x9a] = op('call far', ctl.opCallFar, { imm: 'p', ends: true });
ONE_BYTE[0x9b] = op('wait', opFwait);
ONE_BYTE[0x9c] = op('pushf', sys.opPushf);
ONE_BYTE[0x9d] = op('popf', sys.opPopf, { ends: true });
ONE_BYTE[0x9e] = op('sahf', data.opSahf);
ONE_BYTE[0x9f] = op('lahf', data.opLahf);
ONE_BYTE[0xa0] = op('mov', data.opMovAccMoffs, { imm: 'moffs', byte: true });
ONE_BYTE[0xa1] = op('mov', data.opMovAccMoffs, { imm: 'moffs' });
ONE_BYTE[0xa2] = op('mov', data.opMovMoffsAcc, { imm: 'moffs', byte: true });
ONE_BYTE[0xa3] = op('mov', data.opMovMoffsAcc, { imm: 'moffs' });
ONE_BYTE[0xa4] = op('movs', str.opMovs, { byte: true });
ONE_BYTE[0xa5] = op('movs', str.opMovs);
ONE_BYTE[0xa6] = op('cmps', str.opCmps, { byte: true });
ONE_BYTE[0xa7] = op('cmps', str.opCmps);
ONE_BYTE[0xa8] = op('test', alu.opTestAccImm, { imm: 'z', byte: true });
ONE_BYTE[0xa9] = op('test', alu.opTestAccImm, { imm: 'z' });
ONE_BYTE[0xaa] = op('stos', str.opStos, { byte: true });
ONE_BYTE[0xab] = op('stos', str.opStos);
ONE_BYTE[0xac] = op('lods', str.opLods, { byte: true });
ONE_BYTE[0xad] = op('lods', str.opLods);
ONE_BYTE[0xae] = op('scas', str.opScas, { byte: true });
ONE_BYTE[0xaf] = op('scas', str.opScas);

const SHIFT_NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const grp2 = (h: Handler, byte: boolean) => SHIFT_NAMES.map((n) => op(n, h, { byte }));
ONE_BYTE[0xc0] = op('grp2', sh.opShiftImm, { ...M, imm: 'b', byte: true, group: grp2(sh.opShiftImm, true) });
ONE_BYTE[0xc1] = op('grp2', sh.opShiftImm, { ...M, imm: 'b', group: grp2(sh.opShiftImm, false) });
ONE_BYTE[0xd0] = op('grp2', sh.opShift1, { ...M, byte: true, group: grp2(sh.opShift1, true) });
ONE_BYTE[0xd1] = op('grp2', sh.opShift1, { ...M, group: grp2(sh.opShift1, false) });
ONE_BYTE[0xd2] = op('grp2', sh.opShiftCl, { ...M, byte: true, group: grp2(sh.opShiftCl, true) });
ONE_BYTE[0xd3] = op('grp2', sh.opShiftCl, { ...M, group: grp2(sh.opShiftCl, false) });
ONE_BYTE[0xc2] = op('ret', ctl.opRet, { imm: 'w', ends: true });
ONE_BYTE[0xc3] = op('ret', ctl.opRet, { ends: true });
ONE_BYTE[0xc4] = op('les', seg.opLoadFarPointer, M);
ONE_BYTE[0xc5] = op('lds', seg.opLoadFarPointer, M);
const movImm = (byte: boolean) =>
  [op('mov', data.opMovRmImm, { byte, imm: 'z' }), ...new Array(7).fill(UD)] as OpSpec[];
ONE_BYTE[0xc6] = op('mov', data.opMovRmImm, { ...M, byte: true, group: movImm(true) });
ONE_BYTE[0xc7] = op('mov', data.opMovRmImm, { ...M, group: movImm(false) });
ONE_BYTE[0xc8] = op('enter', data.opEnter, { imm: 'wb' });
ONE_BYTE[0xc9] = op('leave', data.opLeave);
ONE_BYTE[0xca] = op('retf', ctl.opRetf, { imm: 'w', ends: true });
ONE_BYTE[0xcb] = op('retf', ctl.opRetf, { ends: true });
ONE_BYTE[0xcc] = op('int3', ctl.opInt3, { ends: true });
ONE_BYTE[0xcd] = op('int', ctl.opInt, { imm: 'b', ends: true });
ONE_BYTE[0xce] = op('into', ctl.opInto, { ends: true });
ONE_BYTE[0xcf] = op('iret', ctl.opIret, { ends: true });
ONE_BYTE[0xd4] = op('aam', bcd.opAam, { imm: 'b' });
ONE_BYTE[0xd5] = op('aad', bcd.opAad, { imm: 'b' });
ONE_BYTE[0xd6] = op('salc', bcd.opSalc);
ONE_BYTE[0xd7] = op('xlat', data.opXlat);
ONE_BYTE[0xe0] = op('loopne', ctl.opLoop, { imm: 'rel8', ends: true });
ONE_BYTE[0xe1] = op('loope', ctl.opLoop, { imm: 'rel8', ends: true });
ONE_BYTE[0xe2] = op('loop', ctl.opLoop, { imm: 'rel8', ends: true });
ONE_BYTE[0xe3] = op('jcxz', ctl.opJcxz, { imm: 'rel8', ends: true });
ONE_BYTE[0xe4] = op('in', io.opInImm, { imm: 'b', byte: true, ends: true });
ONE_BYTE[0xe5] = op('in', io.opInImm, { imm: 'b', ends: true });
ONE_BYTE[0xe6] = op('out', io.opOutImm, { imm: 'b', byte: true, ends: true });
ONE_BYTE[0xe7] = op('out', io.opOutImm, { imm: 'b', ends: true });
ONE_BYTE[0xe8] = op('call', ctl.opCallRel, { imm: 'relv', ends: true });
ONE_BYTE[0xe9] = op('jmp', ctl.opJmpRel, { imm: 'relv', ends: true });
ONE_BYTE[0xea] = op('jmp far', ctl.opJmpFar, { imm: 'p', ends: true });
ONE_BYTE[0xeb] = op('jmp', ctl.opJmpRel, { imm: 'rel8', ends: true });
ONE_BYTE[0xec] = op('in', io.opInDx, { byte: true, ends: true });
ONE_BYTE[0xed] = op('in', io.opInDx, { ends: true });
ONE_BYTE[0xee] = op('out', io.opOutDx, { byte: true, ends: true });
ONE_BYTE[0xef] = op('out', io.opOutDx, { ends: true });
ONE_BYTE[0xf1] = op('int1', ctl.opInt1, { ends: true });
ONE_BYTE[0xf4] = op('hlt', sys.opHlt, { ends: true });
ONE_BYTE[0xf5] = op('cmc', misc.opCmc);
// /1 is an undocumented TEST alias on some parts; the SDM leaves it reserved and QEMU raises #UD.
const grp3 = (byte: boolean) => [
  op('test', alu.opTestRmImm, { byte, imm: 'z' }),
  UD,
  op('not', alu.opNot, { byte, lock: true }),
  op('neg', alu.opNeg, { byte, lock: true }),
  op('mul', md.opMul, { byte }),
  op('imul', md.opImul1, { byte }),
  op('div', md.opDiv, { byte }),
  op('idiv', md.opIdiv, { byte }),
];
ONE_BYTE[0xf6] = op('grp3', alu.opNot, { ...M, byte: true, group: grp3(true) });
ONE_BYTE[0xf7] = op('grp3', alu.opNot, { ...M, group: grp3(false) });
ONE_BYTE[0xf8] = op('clc', misc.opClc);
ONE_BYTE[0xf9] = op('stc', misc.opStc);
ONE_BYTE[0xfa] = op('cli', misc.opCli);
ONE_BYTE[0xfb] = op('sti', misc.opSti, { ends: true });
ONE_BYTE[0xfc] = op('cld', misc.opCld);
ONE_BYTE[0xfd] = op('std', misc.opStd);
ONE_BYTE[0xfe] = op('grp4', alu.opIncDecRm, {
  ...M,
  byte: true,
  group: [
    op('inc', alu.opIncDecRm, { byte: true, lock: true }),
    op('dec', alu.opIncDecRm, { byte: true, lock: true }),
    ...new Array(6).fill(UD),
  ],
});
ONE_BYTE[0xff] = op('grp5', alu.opIncDecRm, {
  ...M,
  group: [
    op('inc', alu.opIncDecRm, { lock: true }),
    op('dec', alu.opIncDecRm, { lock: true }),
    op('call', ctl.opCallRm, { ends: true }),
    op('call far', ctl.opCallFarRm, { ends: true, memOnly: true }),
    op('jmp', ctl.opJmpRm, { ends: true }),
    op('jmp far', ctl.opJmpFarRm, { ends: true, memOnly: true }),
    op('push', data.opPushRm),
    UD,
  ],
});

// ---- two-byte opcodes (0F xx) ---------------------------------------------------------------

TWO_BYTE[0x00] = op('grp6', dt.opSldt, {
  ...M,
  group: [
    op('sldt', dt.opSldt),
    op('str', dt.opStr),
    op('lldt', dt.opLldt, { ends: true }),
    op('ltr', dt.opLtr, { ends: true }),
    op('verr', dt.opVerr),
    op('verw', dt.opVerw),
    UD,
    UD,
  ],
});
TWO_BYTE[0x01] = op('grp7', dt.opSgdt, {
  ...M,
  group: [
    op('sgdt', dt.opSgdt, { memOnly: true }),
    op('sidt', dt.opSidt, { memOnly: true }),
    op('lgdt', dt.opLgdt, { memOnly: true, ends: true }),
    op('lidt', dt.opLidt, { memOnly: true, ends: true }),
    op('smsw', sys.opSmsw),
    UD,
    op('lmsw', sys.opLmsw, { ends: true }),
    op('invlpg', sys.opInvlpg, { memOnly: true, ends: true }),
  ],
});
TWO_BYTE[0x02] = op('lar', dt.opLar, M);
TWO_BYTE[0x03] = op('lsl', dt.opLsl, M);
TWO_BYTE[0x06] = op('clts', sys.opClts, { ends: true });
TWO_BYTE[0x08] = op('invd', sys.opInvd);
TWO_BYTE[0x09] = op('wbinvd', sys.opInvd);
TWO_BYTE[0x0b] = op('ud2', misc.opUd, { ends: true });
// 0F 1F /0 is the P6 multi-byte NOP; 0F 19-1E are reserved hint NOPs QEMU also accepts.
for (let k = 0x19; k <= 0x1f; k++) TWO_BYTE[k] = op('nop', data.opNop, M);
// MOV to/from CR/DR: the ModRM always names registers (mod is ignored).
const cr = (name: string, h: Handler, ends: boolean) => op(name, h, { ...M, ends, modIgnored: true });
TWO_BYTE[0x20] = cr('mov from cr', sys.opMovFromCr, false);
TWO_BYTE[0x21] = cr('mov from dr', sys.opMovFromDr, false);
TWO_BYTE[0x22] = cr('mov to cr', sys.opMovToCr, true);
TWO_BYTE[0x23] = cr('mov to dr', sys.opMovToDr, true);
TWO_BYTE[0x30] = op('wrmsr', ident.opWrmsr, { ends: true });
TWO_BYTE[0x31] = op('rdtsc', ident.opRdtsc);
TWO_BYTE[0x32] = op('rdmsr', ident.opRdmsr);
TWO_BYTE[0x34] = op('sysenter', ident.opSysenter, { ends: true });
TWO_BYTE[0x35] = op('sysexit', ident.opSysexit, { ends: true });
for (let k = 0; k < 16; k++) {
  TWO_BYTE[0x40 + k] = op('cmov', data.opCmov, M);
  TWO_BYTE[0x80 + k] = op('jcc', ctl.opJcc, { imm: 'relv', ends: true });
  TWO_BYTE[0x90 + k] = op('setcc', data.opSetcc, { ...M, byte: true });
}
TWO_BYTE[0xa0] = op('push fs', seg.opPushSeg);
TWO_BYTE[0xa1] = op('pop fs', seg.opPopSeg, { ends: true });
TWO_BYTE[0xa2] = op('cpuid', ident.opCpuid);
TWO_BYTE[0xa3] = op('bt', bits.opBtReg, M);
TWO_BYTE[0xa4] = op('shld', sh.opShldImm, { ...M, imm: 'b' });
TWO_BYTE[0xa5] = op('shld', sh.opShldCl, M);
TWO_BYTE[0xa8] = op('push gs', seg.opPushSeg);
TWO_BYTE[0xa9] = op('pop gs', seg.opPopSeg, { ends: true });
TWO_BYTE[0xab] = op('bts', bits.opBtReg, { ...M, lock: true });
TWO_BYTE[0xac] = op('shrd', sh.opShrdImm, { ...M, imm: 'b' });
TWO_BYTE[0xad] = op('shrd', sh.opShrdCl, M);
TWO_BYTE[0xaf] = op('imul', md.opImul2, M);
TWO_BYTE[0xb0] = op('cmpxchg', bits.opCmpxchg, { ...M, byte: true, lock: true });
TWO_BYTE[0xb1] = op('cmpxchg', bits.opCmpxchg, { ...M, lock: true });
TWO_BYTE[0xb2] = op('lss', seg.opLoadFarPointer, { ...M, ends: true });
TWO_BYTE[0xb3] = op('btr', bits.opBtReg, { ...M, lock: true });
TWO_BYTE[0xb4] = op('lfs', seg.opLoadFarPointer, M);
TWO_BYTE[0xb5] = op('lgs', seg.opLoadFarPointer, M);
TWO_BYTE[0xb6] = op('movzx', data.opMovzx8, M);
TWO_BYTE[0xb7] = op('movzx', data.opMovzx16, M);
TWO_BYTE[0xba] = op('grp8', bits.opBtImm, {
  ...M,
  imm: 'b',
  group: [
    UD,
    UD,
    UD,
    UD,
    op('bt', bits.opBtImm),
    op('bts', bits.opBtImm, { lock: true }),
    op('btr', bits.opBtImm, { lock: true }),
    op('btc', bits.opBtImm, { lock: true }),
  ],
});
TWO_BYTE[0xbb] = op('btc', bits.opBtReg, { ...M, lock: true });
TWO_BYTE[0xbc] = op('bsf', bits.opBsf, M);
TWO_BYTE[0xbd] = op('bsr', bits.opBsr, M);
TWO_BYTE[0xbe] = op('movsx', data.opMovsx8, M);
TWO_BYTE[0xbf] = op('movsx', data.opMovsx16, M);
TWO_BYTE[0xc0] = op('xadd', bits.opXadd, { ...M, byte: true, lock: true });
TWO_BYTE[0xc1] = op('xadd', bits.opXadd, { ...M, lock: true });
TWO_BYTE[0xc7] = op('grp9', misc.opUd, {
  ...M,
  group: [UD, op('cmpxchg8b', bits.opCmpxchg8b, { lock: true, memOnly: true }), UD, UD, UD, UD, UD, UD],
});
for (let k = 0; k < 8; k++) TWO_BYTE[0xc8 + k] = op('bswap', bits.opBswap);

// ---- MMX and FXSAVE/FXRSTOR (entries in mmx-table.ts) ------------------------------------------

for (const m of MMX_ENTRIES) {
  const member = { regOnly: m.immediate, memOnly: m.memOnly };
  TWO_BYTE[m.opcode] = op(m.name, m.h, {
    modrm: !m.noModrm,
    ...member,
    imm: m.immediate ? 'b' : 'none',
    group: m.group?.map((g) => (g ? op(g[0], g[1], member) : UD)),
  });
}

installX87(ONE_BYTE);
