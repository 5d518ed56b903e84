import { ud } from '../exec/fault.js';
import * as k from '../ops/x87/constants.js';
import * as ctl from '../ops/x87/control.js';
import * as env from '../ops/x87/environment.js';
import { checkDeviceAvailable, opX87Undefined } from '../ops/x87/guard.js';
import * as ls from '../ops/x87/load-store.js';
import type { Handler } from './insn.js';
import { type OpSpec, op } from './opcode-table.js';

/**
 * The x87 escapes D8-DF (SDM Vol. 2 Tables ): for each escape byte, the eight
 * memory forms by ModRM.reg and the 64 register forms by ModRM bits 5..0. Encodings the SDM
 * leaves undefined raise #UD after the #NM check every escape gets. FISTTP (SSE3) is not an
 * i686 instruction and is #UD here. The undocumented aliases every Intel part decodes (FSTP1,
 * FXCH4, FXCH7, FSTP8, FSTP9, FCOM2, FCOMP3, FCOMP5, FFREEP) are kept, as QEMU keeps them.
 */

/** Handlers filled in by the arithmetic modules (registered through `setX87Handler`). */
const late = new Map<string, Handler>();

/** Until the arithmetic modules register it, an instruction raises #UD (as every escape did before). */
function deferred(name: string): Handler {
  return (c, i) => {
    const h = late.get(name);
    if (h) return h(c, i);
    checkDeviceAvailable(c);
    ud();
  };
}

const UD = op('(bad)', opX87Undefined);

function regRow(h: (rm: number) => OpSpec): OpSpec[] {
  return Array.from({ length: 8 }, (_, rm) => h(rm));
}

/** One ModRM.reg row of eight register forms all handled alike. */
const same = (name: string, h: Handler): OpSpec[] => regRow(() => op(name, h));

/** A row where only some rm values are defined. */
const sparse = (entries: Record<number, OpSpec>): OpSpec[] => regRow((rm) => entries[rm] ?? UD);

const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
/** DC/DE register forms swap the SUB/SUBR and DIV/DIVR rows. */
const ARITH_REVERSED = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsubr', 'fsub', 'fdivr', 'fdiv'];

function escapeOpcode(mem: OpSpec[], reg: OpSpec[][]): OpSpec {
  return op('x87', opX87Undefined, { modrm: true, group: mem, regForms: reg.flat() });
}

export function installX87(table: OpSpec[]): void {
  const d = (name: string) => op(name, deferred(name));

  // D8: arithmetic with m32fp / ST(0), ST(i).
  table[0xd8] = escapeOpcode(
    ARITH.map((n) => d(`${n} m32fp`)),
    ARITH.map((n) => same(`${n} st0,sti`, deferred(`${n} st0,sti`))),
  );

  // D9: loads/stores of m32fp, environment and control word, and the register-only group.
  table[0xd9] = escapeOpcode(
    [
      d('fld m32fp'),
      UD,
      d('fst m32fp'),
      d('fstp m32fp'),
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
      sparse({ 0: d('fchs'), 1: d('fabs'), 4: d('ftst'), 5: d('fxam') }),
      sparse(Object.fromEntries([0, 1, 2, 3, 4, 5, 6].map((r) => [r, op('fldconst', k.opFldConstant)]))),
      [
        d('f2xm1'),
        d('fyl2x'),
        d('fptan'),
        d('fpatan'),
        d('fxtract'),
        d('fprem1'),
        op('fdecstp', ctl.opFdecstp),
        op('fincstp', ctl.opFincstp),
      ],
      [d('fprem'), d('fyl2xp1'), d('fsqrt'), d('fsincos'), d('frndint'), d('fscale'), d('fsin'), d('fcos')],
    ],
  );

  // DA: m32int arithmetic; FCMOVB/E/BE/U and FUCOMPP.
  table[0xda] = escapeOpcode(
    ARITH.map((n) => d(`fi${n.slice(1)} m32int`)),
    [
      same('fcmovb', deferred('fcmovb')),
      same('fcmove', deferred('fcmove')),
      same('fcmovbe', deferred('fcmovbe')),
      same('fcmovu', deferred('fcmovu')),
      regRow(() => UD),
      sparse({ 1: d('fucompp') }),
      regRow(() => UD),
      regRow(() => UD),
    ],
  );

  // DB: m32int loads/stores, m80fp load/store; FCMOVNB.., FNCLEX, FNINIT, FUCOMI, FCOMI.
  table[0xdb] = escapeOpcode(
    [
      d('fild m32int'),
      UD,
      d('fist m32int'),
      d('fistp m32int'),
      UD,
      op('fld m80fp', ls.opFldM80),
      UD,
      op('fstp m80fp', ls.opFstpM80),
    ],
    [
      same('fcmovnb', deferred('fcmovnb')),
      same('fcmovne', deferred('fcmovne')),
      same('fcmovnbe', deferred('fcmovnbe')),
      same('fcmovnu', deferred('fcmovnu')),
      sparse({
        0: op('feni', ctl.opLegacyNop),
        1: op('fdisi', ctl.opLegacyNop),
        2: op('fnclex', ctl.opFnclex),
        3: op('fninit', ctl.opFninit),
        4: op('fsetpm', ctl.opLegacyNop),
      }),
      same('fucomi', deferred('fucomi')),
      same('fcomi', deferred('fcomi')),
      regRow(() => UD),
    ],
  );

  // DC: m64fp arithmetic; register forms with ST(i) as the destination.
  table[0xdc] = escapeOpcode(
    ARITH.map((n) => d(`${n} m64fp`)),
    ARITH_REVERSED.map((n, r) =>
      r === 2 || r === 3
        ? same(`${n} sti`, deferred(`${n} st0,sti`))
        : same(`${n} sti,st0`, deferred(`${n} sti,st0`)),
    ),
  );

  // DD: m64fp loads/stores, FRSTOR/FNSAVE/FNSTSW m16; FFREE, FST/FSTP ST(i), FUCOM/FUCOMP.
  table[0xdd] = escapeOpcode(
    [
      d('fld m64fp'),
      UD,
      d('fst m64fp'),
      d('fstp m64fp'),
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
      same('fucom', deferred('fucom')),
      same('fucomp', deferred('fucomp')),
      regRow(() => UD),
      regRow(() => UD),
    ],
  );

  // DE: m16int arithmetic; the popping register forms and FCOMPP.
  table[0xde] = escapeOpcode(
    ARITH.map((n) => d(`fi${n.slice(1)} m16int`)),
    ARITH_REVERSED.map((n, r) =>
      r === 2
        ? same('fcomp5', deferred('fcomp st0,sti'))
        : r === 3
          ? sparse({ 1: d('fcompp') })
          : same(`${n}p sti,st0`, deferred(`${n}p sti,st0`)),
    ),
  );

  // DF: m16int/m64int loads and stores, packed BCD; FFREEP, FNSTSW AX, FUCOMIP, FCOMIP.
  table[0xdf] = escapeOpcode(
    [
      d('fild m16int'),
      UD,
      d('fist m16int'),
      d('fistp m16int'),
      d('fbld'),
      d('fild m64int'),
      d('fbstp'),
      d('fistp m64int'),
    ],
    [
      same('ffreep', ctl.opFfreep),
      same('fxch7', ls.opFxch),
      same('fstp8', ls.opFstpReg),
      same('fstp9', ls.opFstpReg),
      sparse({ 0: op('fnstsw ax', ctl.opFnstswAx) }),
      same('fucomip', deferred('fucomip')),
      same('fcomip', deferred('fcomip')),
      regRow(() => UD),
    ],
  );
}

/** Register the handler of a deferred instruction (by its table name). */
export function setX87Handler(name: string, h: Handler): void {
  late.set(name, h);
}
