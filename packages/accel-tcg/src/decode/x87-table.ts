import * as ar from '../ops/x87/arithmetic.js';
import { type ArithKind, MemFormat } from '../ops/x87/arithmetic.js';
import * as cmp from '../ops/x87/compare.js';
import * as k from '../ops/x87/constants.js';
import * as ctl from '../ops/x87/control.js';
import * as cv from '../ops/x87/convert-load-store.js';
import * as env from '../ops/x87/environment.js';
import { fcmov } from '../ops/x87/fcmov.js';
import { opX87Undefined } from '../ops/x87/guard.js';
import * as ls from '../ops/x87/load-store.js';
import * as tr from '../ops/x87/transcendental.js';
import type { Handler } from './insn.js';
import { type OpSpec, op } from './opcode-table.js';

/**
 * The x87 escapes D8-DF (SDM Vol. 2 Tables ): for each escape byte, the eight
 * memory forms by ModRM.reg and the 64 register forms by ModRM bits 5..0. Encodings the SDM
 * leaves undefined raise #UD after the #NM check every escape gets. FISTTP (SSE3) is not an
 * i686 instruction and is #UD here. The undocumented aliases every Intel part decodes (FSTP1,
 * FXCH4, FXCH7, FSTP8, FSTP9, FCOM2, FCOMP3, FCOMP5, FFREEP) are kept, as QEMU keeps them.
 */

const UD = op('(bad)', opX87Undefined);

const regRow = (h: (rm: number) => OpSpec): OpSpec[] => Array.from({ length: 8 }, (_, rm) => h(rm));
/** One ModRM.reg row of eight register forms all handled alike. */
const same = (name: string, h: Handler): OpSpec[] => regRow(() => op(name, h));
/** A row where only some rm values are defined. */
const sparse = (entries: Record<number, OpSpec>): OpSpec[] => regRow((rm) => entries[rm] ?? UD);
const undefinedRow = (): OpSpec[] => regRow(() => UD);

const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];

function escapeOpcode(mem: OpSpec[], reg: OpSpec[][]): OpSpec {
  return op('x87', opX87Undefined, { modrm: true, group: mem, regForms: reg.flat() });
}

/** The eight memory forms of D8/DA/DC/DE: arithmetic, with FCOM/FCOMP (FICOM/FICOMP) at /2 /3. */
function arithmeticMemoryRow(format: MemFormat, prefix: string, suffix: string): OpSpec[] {
  const cmpFormat = (['f32', 'i32', 'f64', 'i16'] as const)[format];
  return ARITH.map((n, r) => {
    const name = `${prefix}${n.slice(1)} ${suffix}`;
    if (r === 2) return op(name, cmp.compareMemory(cmpFormat, false));
    if (r === 3) return op(name, cmp.compareMemory(cmpFormat, true));
    return op(name, ar.arithMemory(r as ArithKind, format));
  });
}

export function installX87(table: OpSpec[]): void {
  // D8: arithmetic with m32fp / ST(0) ← ST(0) op ST(i).
  table[0xd8] = escapeOpcode(
    arithmeticMemoryRow(MemFormat.F32, 'f', 'm32fp'),
    ARITH.map((n, r) =>
      r === 2
        ? same('fcom', cmp.compareRegister(false, 0))
        : r === 3
          ? same('fcomp', cmp.compareRegister(false, 1))
          : same(`${n} st0,sti`, ar.arithRegister(r as ArithKind, false, false)),
    ),
  );

  // D9: loads/stores of m32fp, environment and control word, and the register-only group.
  table[0xd9] = escapeOpcode(
    [
      op('fld m32fp', cv.opFldM32),
      UD,
      op('fst m32fp', cv.opFstM32),
      op('fstp m32fp', cv.opFstpM32),
      op('fldenv', env.opFldenv),
      op('fldcw', ctl.opFldcw),
      op('fnstenv', env.opFnstenv),
      op('fnstcw', ctl.opFnstcw),
    ],
    [
      same('fld sti', ls.opFldReg),
      same('fxch', ls.opFxch),
      sparse({ 0: op('fnop', ctl.opFnop) }),
      same('fstp1', ls.opFstpReg),
      sparse({
        0: op('fchs', ar.opFchs),
        1: op('fabs', ar.opFabs),
        4: op('ftst', cmp.opFtst),
        5: op('fxam', cmp.opFxam),
      }),
      sparse(Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((r) => [r, op('fldconst', k.opFldConstant)]))),
      [
        op('f2xm1', tr.opF2xm1),
        op('fyl2x', tr.opFyl2x),
        op('fptan', tr.opFptan),
        op('fpatan', tr.opFpatan),
        op('fxtract', ar.opFxtract),
        op('fprem1', ar.opFprem1),
        op('fdecstp', ctl.opFdecstp),
        op('fincstp', ctl.opFincstp),
      ],
      [
        op('fprem', ar.opFprem),
        op('fyl2xp1', tr.opFyl2xp1),
        op('fsqrt', ar.opFsqrt),
        op('fsincos', tr.opFsincos),
        op('frndint', ar.opFrndint),
        op('fscale', ar.opFscale),
        op('fsin', tr.opFsin),
        op('fcos', tr.opFcos),
      ],
    ],
  );

  // DA: m32int arithmetic; FCMOVB/E/BE/U and FUCOMPP.
  table[0xda] = escapeOpcode(arithmeticMemoryRow(MemFormat.I32, 'fi', 'm32int'), [
    same('fcmovb', fcmov(2)),
    same('fcmove', fcmov(4)),
    same('fcmovbe', fcmov(6)),
    same('fcmovu', fcmov(10)),
    undefinedRow(),
    sparse({ 1: op('fucompp', cmp.compareRegister(true, 2, 1)) }),
    undefinedRow(),
    undefinedRow(),
  ]);

  // DB: m32int loads/stores, m80fp load/store; FCMOVNB.., FNCLEX, FNINIT, FUCOMI, FCOMI.
  table[0xdb] = escapeOpcode(
    [
      op('fild m32int', cv.opFildM32),
      UD,
      op('fist m32int', cv.opFistM32),
      op('fistp m32int', cv.opFistpM32),
      UD,
      op('fld m80fp', ls.opFldM80),
      UD,
      op('fstp m80fp', ls.opFstpM80),
    ],
    [
      same('fcmovnb', fcmov(3)),
      same('fcmovne', fcmov(5)),
      same('fcmovnbe', fcmov(7)),
      same('fcmovnu', fcmov(11)),
      sparse({
        0: op('feni', ctl.opLegacyNop),
        1: op('fdisi', ctl.opLegacyNop),
        2: op('fnclex', ctl.opFnclex),
        3: op('fninit', ctl.opFninit),
        4: op('fsetpm', ctl.opLegacyNop),
      }),
      same('fucomi', cmp.compareToEflags(true, false)),
      same('fcomi', cmp.compareToEflags(false, false)),
      undefinedRow(),
    ],
  );

  // DC: m64fp arithmetic; register forms ST(i) ← ST(i) op ST(0) (the SUB/SUBR and DIV/DIVR
  // encodings are swapped relative to D8, which `ArithKind` already expresses as dest op src).
  table[0xdc] = escapeOpcode(arithmeticMemoryRow(MemFormat.F64, 'f', 'm64fp'), [
    same('fadd sti,st0', ar.arithRegister(0, true, false)),
    same('fmul sti,st0', ar.arithRegister(1, true, false)),
    same('fcom2', cmp.compareRegister(false, 0)),
    same('fcomp3', cmp.compareRegister(false, 1)),
    same('fsubr sti,st0', ar.arithRegister(5, true, false)),
    same('fsub sti,st0', ar.arithRegister(4, true, false)),
    same('fdivr sti,st0', ar.arithRegister(7, true, false)),
    same('fdiv sti,st0', ar.arithRegister(6, true, false)),
  ]);

  // DD: m64fp loads/stores, FRSTOR/FNSAVE/FNSTSW m16; FFREE, FST/FSTP ST(i), FUCOM/FUCOMP.
  table[0xdd] = escapeOpcode(
    [
      op('fld m64fp', cv.opFldM64),
      UD,
      op('fst m64fp', cv.opFstM64),
      op('fstp m64fp', cv.opFstpM64),
      op('frstor', env.opFrstor),
      UD,
      op('fnsave', env.opFnsave),
      op('fnstsw m16', ctl.opFnstswMem),
    ],
    [
      same('ffree', ctl.opFfree),
      same('fxch4', ls.opFxch),
      same('fst sti', ls.opFstReg),
      same('fstp sti', ls.opFstpReg),
      same('fucom', cmp.compareRegister(true, 0)),
      same('fucomp', cmp.compareRegister(true, 1)),
      undefinedRow(),
      undefinedRow(),
    ],
  );

  // DE: m16int arithmetic; the popping register forms and FCOMPP.
  table[0xde] = escapeOpcode(arithmeticMemoryRow(MemFormat.I16, 'fi', 'm16int'), [
    same('faddp', ar.arithRegister(0, true, true)),
    same('fmulp', ar.arithRegister(1, true, true)),
    same('fcomp5', cmp.compareRegister(false, 1)),
    sparse({ 1: op('fcompp', cmp.compareRegister(false, 2, 1)) }),
    same('fsubrp', ar.arithRegister(5, true, true)),
    same('fsubp', ar.arithRegister(4, true, true)),
    same('fdivrp', ar.arithRegister(7, true, true)),
    same('fdivp', ar.arithRegister(6, true, true)),
  ]);

  // DF: m16int/m64int loads and stores, packed BCD; FFREEP, FNSTSW AX, FUCOMIP, FCOMIP.
  table[0xdf] = escapeOpcode(
    [
      op('fild m16int', cv.opFildM16),
      UD,
      op('fist m16int', cv.opFistM16),
      op('fistp m16int', cv.opFistpM16),
      op('fbld', cv.opFbld),
      op('fild m64int', cv.opFildM64),
      op('fbstp', cv.opFbstp),
      op('fistp m64int', cv.opFistpM64),
    ],
    [
      same('ffreep', ctl.opFfreep),
      same('fxch7', ls.opFxch),
      same('fstp8', ls.opFstpReg),
      same('fstp9', ls.opFstpReg),
      sparse({ 0: op('fnstsw ax', ctl.opFnstswAx) }),
      same('fucomip', cmp.compareToEflags(true, true)),
      same('fcomip', cmp.compareToEflags(false, true)),
      undefinedRow(),
    ],
  );
}
