import type { Insn } from '../decode/insn.js';
import { type BlockEmitter, Exit } from './block-emitter.js';
import { conditionExpr, eagerSource, type LopName, lazySource } from './flag-source.js';

/**
 * Translate instruction `k` of the block into `e`. Returns false when the translator does not
 * handle this form: the caller then runs it through its table handler (so x87, MMX, system
 * instructions and everything added later work in compiled blocks without registration).
 *
 * Only 32-bit code is translated (the compiler is not used for 16-bit code segments); forms with
 * 16-bit operands or addresses, LOCK or REP prefixes go to the handlers.
 */
export function translate(e: BlockEmitter, k: number, i: Insn): boolean {
  if (!i.a32 || i.lock || i.rep) return false;
  const o = i.opc;
  const last = e.isLast(k);
  // Block-ending instructions other than the near transfers below always use their handlers.
  if (i.ends && !isNearTransfer(i)) return false;
  // 16-bit operands only for the forms whose code below masks them (moves, ALU, TEST).
  if (i.size === 2 && !WORD_FORMS(o)) return false;
  if (!i.o32 && i.size === 4) return false;

  if (o < 0x40 && (o & 7) <= 5) return alu(e, k, i, (o >> 3) & 7, o & 7);
  if (o >= 0x80 && o <= 0x83) return group1(e, k, i);
  switch (o) {
    case 0x84:
    case 0x85:
    case 0xa8:
    case 0xa9:
      return test(e, k, i);
    case 0x88:
    case 0x89:
      e.begin(k);
      if (i.mem) {
        e.write(i.seg, e.ea(i), i.size, e.get(i.reg, i.size));
        e.checkBreak(k);
      } else e.set(i.rm, i.size, e.get(i.reg, i.size));
      return true;
    case 0x8a:
    case 0x8b:
      e.begin(k);
      e.set(i.reg, i.size, i.mem ? e.read(i.seg, e.ea(i), i.size) : e.get(i.rm, i.size));
      return true;
    case 0x8d:
      if (!i.mem) return false;
      e.begin(k);
      e.set(i.reg, 4, e.ea(i));
      return true;
    case 0x90:
      e.begin(k);
      return true;
    case 0x99:
      e.begin(k);
      e.set(2, 4, '(r0 >> 31)');
      return true;
    case 0xc6:
    case 0xc7:
      if (i.reg !== 0) return false;
      e.begin(k);
      if (i.mem) {
        e.write(i.seg, e.ea(i), i.size, immOf(i, i.size));
        e.checkBreak(k);
      } else e.set(i.rm, i.size, immOf(i, i.size));
      return true;
    case 0xc1:
    case 0xd1:
      return shift(e, k, i, o === 0xd1 ? 1 : i.imm & 31);
    case 0xf6:
    case 0xf7:
      return group3(e, k, i);
    case 0xfe:
    case 0xff:
      return group45(e, k, i, last);
    case 0x68:
    case 0x6a:
      return push(e, k, String(i.imm | 0));
    case 0xc9:
      // LEAVE: ESP = EBP, then POP EBP (the pop reads before anything changes).
      e.begin(k);
      {
        const v = e.read(2, '(r5 >>> 0)', 4);
        e.line(`r4 = (r5 + 4) | 0; r5 = ${v};`);
        e.set(4, 4, 'r4');
        e.set(5, 4, 'r5');
      }
      return true;
    case 0xe8:
    case 0xe9:
    case 0xeb: {
      e.begin(k);
      const t = e.tmp();
      e.line(`${t} = (${e.nextEip(k)} + ${i.imm | 0}) >>> 0;`);
      e.line(e.limitCheck(t));
      if (o === 0xe8) pushValue(e, e.nextEip(k));
      if (e.trace.follow[k] === undefined) {
        if (o !== 0xe8 && e.targetsEntry(k, i.imm | 0)) e.loopBack(k + 1);
        else e.staticExit(k + 1, t);
        return true;
      }
      // Followed: the trace goes on at the target (a pushed return address may have hit code).
      if (o === 0xe8) e.checkBreak(k);
      e.blockBoundary(k);
      return true;
    }
    case 0xc3: {
      e.begin(k);
      const v = e.read(2, '(r4 >>> 0)', 4);
      const t = e.tmp();
      e.line(`${t} = ${v} >>> 0; ${e.limitCheck(t)}`);
      e.set(4, 4, '(r4 + 4)');
      if (e.trace.follow[k] === 'computed') {
        e.followComputed(k, t);
        e.blockBoundary(k);
      } else e.exit(k + 1, t, Exit.Lookup);
      return true;
    }
  }
  if (o >= 0x40 && o <= 0x4f) {
    e.begin(k);
    const n = o & 7;
    incDec(e, o >= 0x48, 4, e.get(n, 4), (v) => e.set(n, 4, v));
    return true;
  }
  if (o >= 0x50 && o <= 0x57) return push(e, k, `r${o & 7}`);
  if (o >= 0x58 && o <= 0x5f) {
    e.begin(k);
    const v = e.read(2, '(r4 >>> 0)', 4);
    // POP ESP loads the popped value (the increment comes first).
    e.set(4, 4, '(r4 + 4)');
    e.set(o & 7, 4, v);
    return true;
  }
  if ((o >= 0xb0 && o <= 0xbf) || (o >= 0x91 && o <= 0x97)) {
    e.begin(k);
    if (o >= 0xb8) e.set(o & 7, 4, String(i.imm | 0));
    else if (o >= 0xb0) e.set(o & 7, 1, String(i.imm));
    else {
      const t = e.tmp();
      e.line(`${t} = r0;`);
      e.set(0, 4, `r${o & 7}`);
      e.set(o & 7, 4, t);
    }
    return true;
  }
  if ((o >= 0x70 && o <= 0x7f) || (o >= 0x180 && o <= 0x18f)) {
    e.begin(k);
    const t = e.tmp();
    const cond = conditionExpr(e.flags, o & 0xf);
    const target = `${t} = (${e.nextEip(k)} + ${i.imm | 0}) >>> 0; ${e.limitCheck(t)}`;
    const follow = e.trace.follow[k];
    const side = e.trace.side[k] !== undefined;
    if (follow === 'taken') {
      // The trace goes on at the target; falling through leaves it (or runs its side block).
      e.line(`if (!${cond}) {`);
      if (side) e.inlineSide(k);
      else e.staticExit(k + 1, e.nextEip(k));
      e.line('}');
      e.line(target);
      e.blockBoundary(k);
      return true;
    }
    e.line(`if (${cond}) {`);
    e.line(target);
    if (side) e.inlineSide(k);
    else if (e.targetsEntry(k, i.imm | 0)) e.loopBack(k + 1);
    else e.staticExit(k + 1, t);
    e.line('}');
    if (follow !== undefined) e.blockBoundary(k);
    else if (e.targetsEntry(k, 0)) e.loopBack(k + 1);
    else e.staticExit(k + 1, e.nextEip(k));
    return true;
  }
  if (o >= 0x190 && o <= 0x19f) {
    e.begin(k);
    const v = `(${conditionExpr(e.flags, o & 0xf)} ? 1 : 0)`;
    if (i.mem) {
      e.write(i.seg, e.ea(i), 1, v);
      e.checkBreak(k);
    } else e.set(i.rm, 1, v);
    return true;
  }
  if (o >= 0x140 && o <= 0x14f) {
    e.begin(k);
    // The source is read (and may fault) whatever the condition says.
    const v = i.mem ? e.read(i.seg, e.ea(i), 4) : `r${i.rm}`;
    e.line(`if (${conditionExpr(e.flags, o & 0xf)}) {`);
    e.set(i.reg, 4, v);
    e.line('}');
    return true;
  }
  if (o === 0x1b6 || o === 0x1b7 || o === 0x1be || o === 0x1bf) {
    e.begin(k);
    const src = o & 1 ? 2 : 1;
    let v = i.mem ? e.read(i.seg, e.ea(i), src) : e.get(i.rm, src);
    if (o >= 0x1be) v = src === 1 ? `((${v} << 24) >> 24)` : `((${v} << 16) >> 16)`;
    e.set(i.reg, 4, v);
    return true;
  }
  if (o === 0x1af || o === 0x69 || o === 0x6b) {
    e.begin(k);
    const src = i.mem ? e.read(i.seg, e.ea(i), 4) : `r${i.rm}`;
    const a = o === 0x1af ? `r${i.reg}` : src;
    const b = o === 0x1af ? src : String(i.imm | 0);
    const lo = e.tmp();
    const ov = e.tmp();
    e.line(`${lo} = Math.imul(${a}, ${b}) >>> 0; ${ov} = (${a} | 0) * (${b} | 0) !== (${lo} | 0) ? 1 : 0;`);
    e.flags = eagerSource(4, lo, ov, ov);
    e.set(i.reg, 4, lo);
    return true;
  }
  return false;
}

/** Opcodes translated with 16-bit operands too (0x66 prefix). */
function WORD_FORMS(o: number): boolean {
  return (
    (o < 0x40 && (o & 7) <= 5) ||
    (o >= 0x80 && o <= 0x85) ||
    (o >= 0x88 && o <= 0x8b) ||
    o === 0xa9 ||
    o === 0xc7
  );
}

/** An immediate as the unsigned value of an operand of `size` bytes. */
function immOf(i: Insn, size: number): string {
  return String(size === 4 ? i.imm >>> 0 : size === 2 ? i.imm & 0xffff : i.imm & 0xff);
}

function isNearTransfer(i: Insn): boolean {
  const o = i.opc;
  return (
    o === 0xe8 ||
    o === 0xe9 ||
    o === 0xeb ||
    o === 0xc3 ||
    (o >= 0x70 && o <= 0x7f) ||
    (o >= 0x180 && o <= 0x18f) ||
    (o === 0xff && (i.reg === 2 || i.reg === 4))
  );
}

const ALU_LOP: (LopName | 'Cmp')[] = ['Add', 'Logic', 'Adc', 'Sbb', 'Logic', 'Sub', 'Logic', 'Cmp'];
const ALU_JS = ['+', '|', '+', '-', '&', '-', '^', '-'];

/**
 * `dst op= src` with both operands unsigned expressions of `size`; records the flags and returns
 * the local holding the unsigned result (or undefined for CMP, which only sets flags).
 */
function aluOp(e: BlockEmitter, op: number, size: number, a: string, b: string): string {
  const ta = e.tmp();
  const tb = e.tmp();
  const tr = e.tmp();
  const mask = size === 4 ? '>>> 0' : size === 2 ? '& 65535' : '& 255';
  e.line(`${ta} = ${a}; ${tb} = ${b};`);
  if (op === 2 || op === 3) {
    // ADC/SBB: the carry in comes from the flags so far.
    const cin = e.tmp();
    e.line(`${cin} = ${e.flags ? e.flags.cf() : 'X.carry(c)'} ? 1 : 0;`);
    e.line(`${tr} = (${ta} ${ALU_JS[op]} ${tb} ${ALU_JS[op]} ${cin}) ${mask};`);
    e.flags = lazySource(op === 2 ? 'Adc' : 'Sbb', size, ta, tb, tr, cin);
    return tr;
  }
  e.line(`${tr} = (${ta} ${ALU_JS[op]} ${tb}) ${mask};`);
  const lop = ALU_LOP[op];
  e.flags = lazySource(lop === 'Cmp' ? 'Sub' : lop, size, ta, tb, tr);
  return tr;
}

/** 00-3D: the six forms of ADD OR ADC SBB AND SUB XOR CMP. */
function alu(e: BlockEmitter, k: number, i: Insn, op: number, form: number): boolean {
  const size = i.size;
  e.begin(k);
  if (form === 4 || form === 5) {
    const r = aluOp(e, op, size, e.get(0, size), immOf(i, size));
    if (op !== 7) e.set(0, size, r);
    return true;
  }
  if (form === 2 || form === 3) {
    const b = i.mem ? `(${e.read(i.seg, e.ea(i), size)} ${size === 4 ? '>>> 0' : ''})` : e.get(i.rm, size);
    const r = aluOp(e, op, size, e.get(i.reg, size), b);
    if (op !== 7) e.set(i.reg, size, r);
    return true;
  }
  toRm(e, k, i, op, e.get(i.reg, size));
  return true;
}

/** r/m op= b (b unsigned, masked to the operand size). */
function toRm(e: BlockEmitter, k: number, i: Insn, op: number, b: string): void {
  const size = i.size;
  if (!i.mem) {
    const r = aluOp(e, op, size, e.get(i.rm, size), b);
    if (op !== 7) e.set(i.rm, size, r);
    return;
  }
  // b may name a register that the memory operand's address also uses: fix it first.
  const tb = e.tmp();
  e.line(`${tb} = ${b};`);
  if (op === 7) {
    const v = e.read(i.seg, e.ea(i), size);
    aluOp(e, op, size, size === 4 ? `(${v} >>> 0)` : v, tb);
    return;
  }
  const m = e.rmw(i.seg, e.ea(i), size);
  m.commit(aluOp(e, op, size, m.old, tb));
  e.checkBreak(k);
}

function group1(e: BlockEmitter, k: number, i: Insn): boolean {
  const size = i.size;
  e.begin(k);
  toRm(e, k, i, i.reg, immOf(i, size));
  return true;
}

function test(e: BlockEmitter, k: number, i: Insn): boolean {
  const size = i.size;
  e.begin(k);
  if (i.opc >= 0xa8) {
    aluOp(e, 4, size, e.get(0, size), immOf(i, size));
    return true;
  }
  const b = e.get(i.reg, size);
  const a = i.mem ? e.read(i.seg, e.ea(i), size) : e.get(i.rm, size);
  aluOp(e, 4, size, size === 4 && i.mem ? `(${a} >>> 0)` : a, b);
  return true;
}

/** INC/DEC: CF is kept (carried in the record as `cin`). */
function incDec(e: BlockEmitter, dec: boolean, size: number, a: string, store: (v: string) => void): void {
  const ta = e.tmp();
  const tr = e.tmp();
  const cin = e.tmp();
  const mask = size === 4 ? '>>> 0' : '& 255';
  e.line(`${cin} = ${e.flags ? e.flags.cf() : 'X.carry(c)'} ? 1 : 0; ${ta} = ${a};`);
  e.line(`${tr} = (${ta} ${dec ? '-' : '+'} 1) ${mask};`);
  e.flags = lazySource(dec ? 'Dec' : 'Inc', size, ta, '1', tr, cin);
  store(tr);
}

function group3(e: BlockEmitter, k: number, i: Insn): boolean {
  const size = i.size;
  if (i.reg === 0) {
    e.begin(k);
    const a = i.mem ? e.read(i.seg, e.ea(i), size) : e.get(i.rm, size);
    aluOp(
      e,
      4,
      size,
      size === 4 && i.mem ? `(${a} >>> 0)` : a,
      String(size === 4 ? i.imm >>> 0 : i.imm & 0xff),
    );
    return true;
  }
  if ((i.reg === 4 || i.reg === 5) && size === 4) return mul32(e, k, i, i.reg === 5);
  if (i.reg !== 2 && i.reg !== 3) return false;
  e.begin(k);
  const mask = size === 4 ? '>>> 0' : '& 255';
  if (!i.mem) {
    const v = e.get(i.rm, size);
    if (i.reg === 2) e.set(i.rm, size, `~${v}`);
    else e.set(i.rm, size, aluOp(e, 5, size, '0', v));
    return true;
  }
  const m = e.rmw(i.seg, e.ea(i), size);
  if (i.reg === 2) m.commit(`(~${m.old}) ${mask}`);
  else m.commit(aluOp(e, 5, size, '0', m.old));
  e.checkBreak(k);
  return true;
}

/** F7 /4 /5: EDX:EAX = EAX × r/m32 (MUL, IMUL), with the interpreter's product helpers and flags. */
function mul32(e: BlockEmitter, k: number, i: Insn, signed: boolean): boolean {
  e.begin(k);
  const src = i.mem ? e.read(i.seg, e.ea(i), 4) : `r${i.rm}`;
  const lo = e.tmp();
  const hi = e.tmp();
  const ov = e.tmp();
  e.line(
    signed
      ? `X.mulS32(r0, ${src}); ${lo} = X.product.lo; ${hi} = X.product.hi; ${ov} = ${hi} !== ((${lo} | 0) < 0 ? 4294967295 : 0) ? 1 : 0;`
      : `X.mulU32(r0 >>> 0, ${src} >>> 0); ${lo} = X.product.lo; ${hi} = X.product.hi; ${ov} = ${hi} !== 0 ? 1 : 0;`,
  );
  e.flags = eagerSource(4, lo, ov, ov);
  e.set(0, 4, lo);
  e.set(2, 4, hi);
  return true;
}

function group45(e: BlockEmitter, k: number, i: Insn, last: boolean): boolean {
  const size = i.size;
  if (i.reg === 0 || i.reg === 1) {
    e.begin(k);
    if (!i.mem) {
      incDec(e, i.reg === 1, size, e.get(i.rm, size), (v) => e.set(i.rm, size, v));
      return true;
    }
    const m = e.rmw(i.seg, e.ea(i), size);
    incDec(e, i.reg === 1, size, m.old, (v) => m.commit(v));
    e.checkBreak(k);
    return true;
  }
  if (size !== 4) return false;
  if (i.reg === 6) {
    e.begin(k);
    const v = i.mem ? e.read(i.seg, e.ea(i), 4) : `r${i.rm}`;
    pushValue(e, v);
    e.checkBreak(k);
    return true;
  }
  const followed = e.trace.follow[k] === 'computed';
  if ((i.reg === 2 || i.reg === 4) && (last || followed)) {
    e.begin(k);
    const v = i.mem ? e.read(i.seg, e.ea(i), 4) : `r${i.rm}`;
    const t = e.tmp();
    e.line(`${t} = ${v} >>> 0; ${e.limitCheck(t)}`);
    if (i.reg === 2) pushValue(e, e.nextEip(k));
    if (!followed) {
      e.exit(k + 1, t, Exit.Lookup);
      return true;
    }
    // (the guard first: a stop after the push must leave with the real target as EIP)
    e.followComputed(k, t);
    if (i.reg === 2) e.checkBreak(k);
    e.blockBoundary(k);
    return true;
  }
  return false;
}

/** Push a 32-bit value on the (32-bit) stack: the store may fault before ESP changes. */
function pushValue(e: BlockEmitter, v: string): void {
  const sp = e.tmp();
  e.line(`${sp} = (r4 - 4) >>> 0;`);
  e.write(2, sp, 4, v);
  e.set(4, 4, sp);
}

function push(e: BlockEmitter, k: number, v: string): boolean {
  e.begin(k);
  pushValue(e, v);
  e.checkBreak(k);
  return true;
}

/** C1/D1 /4 /5 /7 on a 32-bit register or memory: SHL, SHR, SAR by a constant count. */
function shift(e: BlockEmitter, k: number, i: Insn, count: number): boolean {
  const op = i.reg;
  if (i.size !== 4 || (op !== 4 && op !== 5 && op !== 6 && op !== 7)) return false;
  e.begin(k);
  let v: string;
  let commit: (x: string) => void;
  if (i.mem) {
    const m = e.rmw(i.seg, e.ea(i), 4);
    v = m.old;
    commit = m.commit;
  } else {
    v = e.get(i.rm, 4);
    commit = (x) => e.set(i.rm, 4, x);
  }
  if (count === 0) {
    // No change and no flags (the memory operand is still accessed).
    if (i.mem) commit(v);
    if (i.mem) e.checkBreak(k);
    return true;
  }
  const tv = e.tmp();
  const tr = e.tmp();
  const cf = e.tmp();
  const of = e.tmp();
  e.line(`${tv} = ${v};`);
  if (op === 4 || op === 6) {
    e.line(
      `${tr} = (${tv} << ${count}) >>> 0; ${cf} = (${tv} >>> ${32 - count}) & 1; ${of} = (${tr} >>> 31) ^ ${cf};`,
    );
  } else if (op === 5) {
    const b = e.tmp();
    e.line(
      `${b} = ${tv} >>> ${count - 1}; ${tr} = ${b} >>> 1; ${cf} = ${b} & 1; ${of} = ((${b} >>> 31) & 1) ^ (${tr} >>> 31);`,
    );
  } else {
    const b = e.tmp();
    e.line(`${b} = (${tv} | 0) >> ${count - 1}; ${tr} = (${b} >> 1) >>> 0; ${cf} = ${b} & 1; ${of} = 0;`);
  }
  e.flags = eagerSource(4, tr, cf, of);
  commit(tr);
  if (i.mem) e.checkBreak(k);
  return true;
}
