import type { ResultLine } from '../../src/guests/result-lines.js';
import { AF, CF, OF, PF, SF, STATUS_FLAGS, ZF } from '../../src/sdm/undefined-flags.js';

/**
 * A second, independent reference for the flag-heavy group guests: the SDM's pseudocode for
 * ALU, shift/rotate, MUL/IMUL/DIV/IDIV and BCD instructions, written directly from the manual
 * (not from QEMU). It predicts each fixture line from its inputs; test/sdm-model.test.ts checks
 * that QEMU's fixtures agree with it on every bit the SDM defines.
 */

type Size = 8 | 16 | 32;
export interface ModelResult {
  readonly registers: [number, number, number, number];
  readonly flags: number;
  readonly exception?: number;
}

const mask = (size: Size) => (size === 32 ? 0xffffffff : (1 << size) - 1);
const signBit = (size: Size) => 2 ** (size - 1);
const u = (v: number) => v >>> 0;

function parity(v: number): boolean {
  let b = v & 0xff;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  return (b & 1) === 0;
}

/** SF, ZF, PF of a result. */
function szp(res: number, size: Size): number {
  return (res & signBit(size) ? SF : 0) | (res === 0 ? ZF : 0) | (parity(res) ? PF : 0);
}

function withFlags(fin: number, affected: number, values: number): number {
  return (fin & ~affected) | (values & affected);
}

/** A register as the case wrote it: `size` bits at `shift` replaced. */
function put(reg: number, size: Size, value: number, high = false): number {
  if (size === 32) return u(value);
  const shift = high ? 8 : 0;
  const m = mask(size) * 2 ** shift;
  return u((reg & ~m) | ((value & mask(size)) << shift));
}
function get(reg: number, size: Size, high = false): number {
  return ((high ? reg >>> 8 : reg) & mask(size)) >>> 0;
}

function add(d: number, s: number, c: number, size: Size) {
  const full = d + s + c;
  const res = full % 2 ** size;
  const f =
    (full > mask(size) ? CF : 0) |
    ((d ^ res) & (s ^ res) & signBit(size) ? OF : 0) |
    ((d ^ s ^ res) & 0x10 ? AF : 0) |
    szp(res, size);
  return { res: u(res), f };
}
function sub(d: number, s: number, c: number, size: Size) {
  const res = u((d - s - c + 2 ** size * 2) % 2 ** size);
  const f =
    (d < s + c ? CF : 0) |
    ((d ^ s) & (d ^ res) & signBit(size) ? OF : 0) |
    ((d ^ s ^ res) & 0x10 ? AF : 0) |
    szp(res, size);
  return { res, f };
}

const ALU = /^(add|adc|sub|sbb|cmp|and|or|xor|test)(32|16|8h|8|32m)$/;
const UNARY = /^(inc|dec|neg|not)(32|16|8|32m)$/;

function binop(
  op: string,
  d: number,
  s: number,
  fin: number,
  size: Size,
): { res: number; flags: number; write: boolean } {
  const c = fin & CF;
  switch (op) {
    case 'add':
    case 'adc': {
      const r = add(d, s, op === 'adc' ? c : 0, size);
      return { res: r.res, flags: withFlags(fin, STATUS_FLAGS, r.f), write: true };
    }
    case 'sub':
    case 'sbb':
    case 'cmp': {
      const r = sub(d, s, op === 'sbb' ? c : 0, size);
      return { res: r.res, flags: withFlags(fin, STATUS_FLAGS, r.f), write: op !== 'cmp' };
    }
    default: {
      const res = u(op === 'and' || op === 'test' ? d & s : op === 'or' ? d | s : d ^ s) & mask(size);
      return { res: u(res), flags: withFlags(fin, STATUS_FLAGS, szp(u(res), size)), write: op !== 'test' };
    }
  }
}

function alu(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  let m = ALU.exec(line.name);
  if (m) {
    const high = m[2] === '8h';
    const size = (m[2] === '32m' ? 32 : Number.parseInt(m[2], 10)) as Size;
    const r = binop(m[1], get(a, size, high), get(b, size, high), fin, size);
    if (r.write) regs[0] = put(a, size, r.res, high);
    return { registers: regs, flags: r.flags };
  }
  const imm: Record<string, [string, Size, number, number]> = {
    add32i: ['add', 32, 0, 0x80000001],
    adc16i8: ['adc', 16, 0, 0xfffe],
    sub8i: ['sub', 8, 0, 0x81],
    and32i8: ['and', 32, 1, 0xfffffff0],
    cmp32ai: ['cmp', 32, 0, 0x7fffffff],
  };
  const i = imm[line.name];
  if (i) {
    const [op, size, reg, s] = i;
    const r = binop(op, get(regs[reg], size), s, fin, size);
    if (r.write) regs[reg] = put(regs[reg], size, r.res);
    return { registers: regs, flags: r.flags };
  }
  m = UNARY.exec(line.name);
  if (m) {
    const size = (m[2] === '32m' ? 32 : Number.parseInt(m[2], 10)) as Size;
    const d = get(a, size);
    let res: number;
    let flags = fin;
    if (m[1] === 'inc' || m[1] === 'dec') {
      const r = m[1] === 'inc' ? add(d, 1, 0, size) : sub(d, 1, 0, size);
      res = r.res;
      flags = withFlags(fin, STATUS_FLAGS & ~CF, r.f);
    } else if (m[1] === 'neg') {
      const r = sub(0, d, 0, size);
      res = r.res;
      flags = withFlags(fin, STATUS_FLAGS, r.f);
    } else {
      res = u(~d) & mask(size);
    }
    regs[0] = put(a, size, res);
    return { registers: regs, flags };
  }
  return undefined;
}

// ---- shifts and rotates ---------------------------------------------------------------------

function shiftOp(
  op: string,
  size: Size,
  dest: number,
  count: number,
  fin: number,
  src = 0,
): { res: number; flags: number } {
  const masked = count & 31;
  if (masked === 0) return { res: dest, flags: fin };
  const sb = signBit(size);
  const m = mask(size);
  let d = dest;
  let cf = fin & CF ? 1 : 0;
  let of = 0;
  let arith = false; // SF/ZF/PF from the result
  switch (op) {
    case 'shl':
      for (let i = 0; i < masked; i++) {
        cf = d & sb ? 1 : 0;
        d = u(d * 2) & m;
      }
      of = (d & sb ? 1 : 0) ^ cf;
      arith = true;
      break;
    case 'shr':
      of = dest & sb ? 1 : 0;
      for (let i = 0; i < masked; i++) {
        cf = d & 1;
        d = d >>> 1;
      }
      arith = true;
      break;
    case 'sar':
      for (let i = 0; i < masked; i++) {
        cf = d & 1;
        d = u((d >>> 1) | (d & sb));
      }
      of = 0;
      arith = true;
      break;
    case 'rol': {
      const t = masked % size;
      for (let i = 0; i < t; i++) d = u(((d * 2) & m) | (d & sb ? 1 : 0));
      cf = d & 1;
      of = (d & sb ? 1 : 0) ^ cf;
      break;
    }
    case 'ror': {
      const t = masked % size;
      for (let i = 0; i < t; i++) d = u((d >>> 1) | (d & 1 ? sb : 0));
      cf = d & sb ? 1 : 0;
      of = (d & sb ? 1 : 0) ^ (d & (sb / 2) ? 1 : 0);
      break;
    }
    case 'rcl': {
      const t = size === 32 ? masked : masked % (size + 1);
      for (let i = 0; i < t; i++) {
        const top = d & sb ? 1 : 0;
        d = u(((d * 2) & m) | cf);
        cf = top;
      }
      of = (d & sb ? 1 : 0) ^ cf;
      break;
    }
    case 'rcr': {
      of = (d & sb ? 1 : 0) ^ cf; // computed before the rotation
      const t = size === 32 ? masked : masked % (size + 1);
      for (let i = 0; i < t; i++) {
        const low = d & 1;
        d = u((d >>> 1) | (cf ? sb : 0));
        cf = low;
      }
      break;
    }
    case 'shld':
    case 'shrd': {
      const S = BigInt(size);
      const c = BigInt(masked);
      if (op === 'shld') {
        const t = ((BigInt(dest) << S) | BigInt(src)) << c;
        d = Number((t >> S) & BigInt(m));
        cf = Number((t >> (2n * S)) & 1n);
      } else {
        const t = ((BigInt(src) << S) | BigInt(dest)) >> (c - 1n);
        cf = Number(t & 1n);
        d = Number((t >> 1n) & BigInt(m));
      }
      of = (d & sb ? 1 : 0) ^ (dest & sb ? 1 : 0);
      arith = true;
      break;
    }
  }
  let affected = CF | OF;
  let values = (cf ? CF : 0) | (of ? OF : 0);
  if (arith) {
    affected |= SF | ZF | PF;
    values |= szp(d, size);
  }
  return { res: d, flags: withFlags(fin, affected, values) };
}

function shifts(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  let m = /^(shl|shr|sar|rol|ror|rcl|rcr)(32|16|8)(m|o1|i(\d+))?$/.exec(line.name);
  if (m) {
    const size = Number(m[2]) as Size;
    const count = m[3] === 'o1' ? 1 : m[4] !== undefined ? Number(m[4]) : b & 0xff;
    const r = shiftOp(m[1], size, get(a, size), count, fin);
    regs[0] = put(a, size, r.res);
    return { registers: regs, flags: r.flags };
  }
  m = /^(shld|shrd)(32|16)(m|i(\d+))?$/.exec(line.name);
  if (m) {
    const size = Number(m[2]) as Size;
    const imm = m[4] !== undefined;
    const count = imm ? Number(m[4]) : b & 0xff;
    const src = imm ? get(b, size) : get(u(~a), size); // immediate forms shift in EBX, CL forms EDX
    const r = shiftOp(m[1], size, get(a, size), count, fin, src);
    regs[0] = put(a, size, r.res);
    return { registers: regs, flags: r.flags };
  }
  return undefined;
}

// ---- multiply and divide --------------------------------------------------------------------

const sx = (v: number, size: Size) => (v & signBit(size) ? v - 2 ** size : v);

function muldiv(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  const name = line.name;
  // imul32m is the two-operand IMUL r32, m32 (see muldiv.asm); mul32m the one-operand MUL m32.
  let m = name === 'imul32m' ? null : /^(i?)mul(8|16|32)(m?)$/.exec(name);
  if (m) {
    const size = Number(m[2]) as Size;
    const signed = m[1] === 'i';
    const x = BigInt(signed ? sx(get(a, size), size) : get(a, size));
    const y = BigInt(signed ? sx(get(b, size), size) : get(b, size));
    const p = x * y;
    const S = BigInt(size);
    const low = Number(BigInt.asUintN(size, p));
    const high = Number(BigInt.asUintN(size, p >> S));
    const overflow = signed ? p !== BigInt.asIntN(size, p) : high !== 0;
    if (size === 8) regs[0] = put(a, 16, (high << 8) | low);
    else {
      regs[0] = put(a, size, low);
      regs[3] = put(regs[3], size, high);
    }
    return { registers: regs, flags: withFlags(fin, CF | OF, overflow ? CF | OF : 0) };
  }
  const two: Record<string, [Size, number, () => number, () => number]> = {
    imul16r: [16, 0, () => get(a, 16), () => get(b, 16)],
    imul32r: [32, 0, () => a, () => b],
    imul32i: [32, 2, () => a, () => 0x12345],
    imul16i8: [16, 2, () => get(a, 16), () => 0xfffd],
    imul32m: [32, 0, () => a, () => b],
  };
  const t = two[name];
  if (t) {
    const [size, dst, x, y] = t;
    const p = BigInt(sx(x(), size)) * BigInt(sx(y(), size));
    const res = Number(BigInt.asUintN(size, p));
    regs[dst] = put(regs[dst], size, res);
    return { registers: regs, flags: withFlags(fin, CF | OF, p !== BigInt.asIntN(size, p) ? CF | OF : 0) };
  }
  m = /^(i?)div(8|16|32)(m|x)?$/.exec(name);
  if (m) {
    const size = Number(m[2]) as Size;
    const signed = m[1] === 'i';
    if (m[3] === 'x') regs[3] = a & 0x80000000 ? 0xffffffff : 0; // CDQ first
    const S = BigInt(size);
    const dividendBits =
      size === 8 ? BigInt(get(a, 16)) : (BigInt(get(regs[3], size)) << S) | BigInt(get(a, size));
    const divisorBits = BigInt(get(b, size));
    const fault = { registers: regs, flags: fin, exception: 0 };
    if (divisorBits === 0n) return fault;
    const n = signed ? BigInt.asIntN(2 * size, dividendBits) : dividendBits;
    const d = signed ? BigInt.asIntN(size, divisorBits) : divisorBits;
    const q = n / d; // BigInt division truncates toward zero, as IDIV does
    const r = n % d;
    const fits = signed ? q === BigInt.asIntN(size, q) : q < 1n << S;
    if (!fits) return fault;
    const qv = Number(BigInt.asUintN(size, q));
    const rv = Number(BigInt.asUintN(size, r));
    if (size === 8) regs[0] = put(a, 16, (rv << 8) | qv);
    else {
      regs[0] = put(a, size, qv);
      regs[3] = put(regs[3], size, rv);
    }
    return { registers: regs, flags: fin };
  }
  return undefined;
}

// ---- BCD ------------------------------------------------------------------------------------

function bcd(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  let al = a & 0xff;
  let ah = (a >>> 8) & 0xff;
  const af = (fin & AF) !== 0;
  const cf = (fin & CF) !== 0;
  let flags: number;
  switch (line.name) {
    case 'daa':
    case 'das': {
      const oldAl = al;
      let newCf = false;
      let newAf = false;
      const sign = line.name === 'daa' ? 1 : -1;
      if ((al & 0x0f) > 9 || af) {
        const t = al + sign * 6;
        newCf = cf || t > 0xff || t < 0;
        al = t & 0xff;
        newAf = true;
      }
      if (oldAl > 0x99 || cf) {
        al = (al + sign * 0x60) & 0xff;
        newCf = true;
      } else if (line.name === 'daa') newCf = false;
      flags = withFlags(fin, STATUS_FLAGS & ~OF, (newCf ? CF : 0) | (newAf ? AF : 0) | szp(al, 8));
      regs[0] = put(a, 8, al);
      return { registers: regs, flags };
    }
    case 'aaa':
    case 'aas': {
      let ax = a & 0xffff;
      const adjust = (al & 0x0f) > 9 || af;
      if (adjust) {
        if (line.name === 'aaa') ax = (ax + 0x106) & 0xffff;
        else ax = (((ax - 6) & 0xffff) - 0x100) & 0xffff;
      }
      ax = (ax & 0xff00) | (ax & 0x0f);
      regs[0] = put(a, 16, ax);
      return { registers: regs, flags: withFlags(fin, AF | CF, adjust ? AF | CF : 0) };
    }
  }
  const m = /^(aam|aad)(\d*)$/.exec(line.name);
  if (m) {
    const base = m[2] === '' ? 10 : Number(m[2]);
    if (m[1] === 'aam') {
      if (base === 0) return { registers: regs, flags: fin, exception: 0 };
      ah = Math.floor(al / base);
      al = al % base;
    } else {
      al = (al + ah * base) & 0xff;
      ah = 0;
    }
    regs[0] = put(a, 16, (ah << 8) | al);
    return { registers: regs, flags: withFlags(fin, SF | ZF | PF, szp(al, 8)) };
  }
  return undefined;
}

// ---- bit tests and scans (register forms) ----------------------------------------------------

function bits(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  let m = /^(bt[src]?)(32|16)(i?)$/.exec(line.name);
  if (m) {
    const size = Number(m[2]) as Size;
    const imm = m[3] === 'i';
    // Immediate offsets are taken modulo the operand size (bitops.asm uses 37 and 7).
    const offset = (imm ? (size === 32 ? 37 : 7) : get(b, size)) % size;
    const base = get(a, size);
    const bit = (base >>> offset) & 1;
    let res = base;
    if (m[1] === 'bts') res = u(base | (1 << offset));
    if (m[1] === 'btr') res = u(base & ~(1 << offset));
    if (m[1] === 'btc') res = u(base ^ (1 << offset));
    regs[0] = put(a, size, res & mask(size));
    return { registers: regs, flags: withFlags(fin, CF, bit ? CF : 0) };
  }
  m = /^(bs[fr])(32|16)(m?)$/.exec(line.name);
  if (m) {
    const size = Number(m[2]) as Size;
    const src = m[3] === 'm' ? b : get(b, size);
    if (src === 0) return { registers: regs, flags: withFlags(fin, ZF, ZF) };
    let index = 0;
    if (m[1] === 'bsf') while (((src >>> index) & 1) === 0) index++;
    else {
      index = size - 1;
      while (((src >>> index) & 1) === 0) index--;
    }
    regs[0] = put(a, size, index);
    return { registers: regs, flags: withFlags(fin, ZF, 0) };
  }
  return undefined;
}

// ---- conditions ------------------------------------------------------------------------------

const CONDITIONS: Record<string, (f: number) => boolean> = {
  o: (f) => (f & OF) !== 0,
  no: (f) => (f & OF) === 0,
  b: (f) => (f & CF) !== 0,
  ae: (f) => (f & CF) === 0,
  e: (f) => (f & ZF) !== 0,
  ne: (f) => (f & ZF) === 0,
  be: (f) => (f & (CF | ZF)) !== 0,
  a: (f) => (f & (CF | ZF)) === 0,
  s: (f) => (f & SF) !== 0,
  ns: (f) => (f & SF) === 0,
  p: (f) => (f & PF) !== 0,
  np: (f) => (f & PF) === 0,
  l: (f) => ((f & SF) !== 0) !== ((f & OF) !== 0),
  ge: (f) => ((f & SF) !== 0) === ((f & OF) !== 0),
  le: (f) => (f & ZF) !== 0 || ((f & SF) !== 0) !== ((f & OF) !== 0),
  g: (f) => (f & ZF) === 0 && ((f & SF) !== 0) === ((f & OF) !== 0),
};

function conditions(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  const m = /^(set|cmov|j)(n?[a-z]+?)(32|16|32m|near)?$/.exec(line.name);
  if (!m || !CONDITIONS[m[2]]) return undefined;
  const taken = CONDITIONS[m[2]](fin);
  if (m[1] === 'set') regs[2] = put(b, 8, taken ? 1 : 0);
  else if (m[1] === 'j') regs[0] = taken ? 1 : 0;
  else if (taken) regs[0] = m[3] === '16' ? put(a, 16, get(b, 16)) : b;
  return { registers: regs, flags: fin };
}

// ---- exchanges ---------------------------------------------------------------------------------

function exchanges(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const regs: [number, number, number, number] = [a, b, b, u(~a)];
  let m = /^(?:lock_)?cmpxchg(32|16|8)m?$/.exec(line.name);
  if (m) {
    // Accumulator a, destination b (ECX), source ~a (EDX).
    const size = Number(m[1]) as Size;
    const acc = get(a, size);
    const dest = get(b, size);
    const r = sub(acc, dest, 0, size);
    if (acc === dest) regs[2] = put(b, size, get(u(~a), size));
    else regs[0] = put(a, size, dest);
    return { registers: regs, flags: withFlags(fin, STATUS_FLAGS, r.f) };
  }
  if (line.name === 'cmpxchg8b' || line.name === 'cmpxchg8b-hi') {
    // Memory b:a (high:low), EDX:EAX = a:a, ECX:EBX = 0x13579bdf:0x2468ace0.
    const equal = a === b;
    const out: [number, number, number, number] = equal ? [a, 0x2468ace0, 0x13579bdf, a] : [a, a, b, b];
    return { registers: out, flags: withFlags(fin, ZF, equal ? ZF : 0) };
  }
  m = /^(?:lock_)?xadd(32|16|8)m?$/.exec(line.name);
  if (m) {
    const size = Number(m[1]) as Size;
    const r = add(get(a, size), get(b, size), 0, size);
    regs[0] = put(a, size, r.res);
    regs[1] = put(b, size, get(a, size));
    return { registers: regs, flags: withFlags(fin, STATUS_FLAGS, r.f) };
  }
  if (line.name === 'xchg32') return { registers: [b, a, b, u(~a)], flags: fin };
  if (line.name === 'bswap') {
    const swap = (v: number) =>
      u(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24));
    return { registers: [swap(a), a, u(~a), swap(u(~a))], flags: fin };
  }
  return undefined;
}

// ---- loops ------------------------------------------------------------------------------------

function loops(line: ResultLine): ModelResult | undefined {
  const { a, b, flagsIn: fin } = line;
  const m = /^(loop|loope|loopne|jecxz|jcxz)(32|16)?$/.exec(line.name);
  if (!m) return undefined;
  if (m[1] === 'jecxz' || m[1] === 'jcxz') {
    const zero = m[1] === 'jecxz' ? b === 0 : (b & 0xffff) === 0;
    return { registers: [zero ? 1 : 2, b, b, u(~a)], flags: fin };
  }
  // The count register: ECX, or CX with the upper half left alone (16-bit addressing).
  const size = Number(m[2]) as Size;
  let count = get(b, size);
  let iterations = 0;
  let zf = false;
  for (;;) {
    iterations++;
    zf = iterations === a; // `cmp eax, edx` in the LOOPE/LOOPNE bodies
    count = (count - 1 + 2 ** size) % 2 ** size;
    if (count === 0) break;
    if (m[1] === 'loope' && !zf) break;
    if (m[1] === 'loopne' && zf) break;
  }
  const ecx = put(b, size, count);
  if (m[1] === 'loop') {
    // The body is `inc eax` after `xor eax, eax`: CF stays clear from the XOR.
    const r = add(iterations - 1, 1, 0, 32);
    return { registers: [iterations, b, ecx, u(~a)], flags: withFlags(fin, STATUS_FLAGS, r.f & ~CF) };
  }
  return {
    registers: [iterations, b, ecx, a],
    flags: withFlags(fin, STATUS_FLAGS, sub(iterations, a, 0, 32).f),
  };
}

/** The SDM's prediction for a line, or undefined for cases this model does not cover. */
export function sdmModel(line: ResultLine): ModelResult | undefined {
  return (
    alu(line) ??
    shifts(line) ??
    muldiv(line) ??
    bcd(line) ??
    bits(line) ??
    conditions(line) ??
    exchanges(line) ??
    loops(line)
  );
}
