import type { Insn } from '../../decode/insn.js';
import type { Cpu } from '../../exec/cpu.js';
import type { RawExtended } from '../../fpu/fpu-state.js';
import { ea } from '../operands.js';
import { initFpu } from './control.js';
import { Entry, enter } from './guard.js';

// FNSTENV/FLDENV and FNSAVE/FRSTOR in their four layouts (SDM Vol. 1 Figures 8-9 to 8-12):
// 14 bytes with a 16-bit operand size, 28 with 32-bit; protected mode stores selector:offset
// pointers, real and virtual-8086 mode 20-bit linear ones (plus FOP). FSAVE/FRSTOR add the
// eight registers, ST(0) first, 10 bytes each.

/** The environment image as numbers, independent of the layout. */
interface Environment {
  fcw: number;
  fsw: number;
  ftw: number;
  fip: number;
  fcs: number;
  fop: number;
  fdp: number;
  fds: number;
}

/** A memory area addressed from the instruction's effective address (offset wraps at 64 KiB with a16). */
class Area {
  readonly base: number;
  constructor(
    private readonly c: Cpu,
    private readonly i: Insn,
  ) {
    this.base = ea(c, i);
  }
  private at(k: number): number {
    return this.i.a32 ? (this.base + k) >>> 0 : (this.base + k) & 0xffff;
  }
  read(k: number, size: number): number {
    return this.c.read(this.i.seg, this.at(k), size);
  }
  write(k: number, size: number, v: number): void {
    this.c.write(this.i.seg, this.at(k), size, v);
  }
  /** Fault before the first byte is written if any part of the area is not writable. */
  probeWrite(size: number): void {
    this.c.mmu.probeWrite(this.c.linW(this.i.seg, this.base, size), size);
  }
}

const realLayout = (c: Cpu): boolean => !c.pe || c.v86;
const envSize = (i: Insn): number => (i.o32 ? 28 : 14);

function currentEnvironment(c: Cpu): Environment {
  const f = c.fpu;
  return {
    fcw: f.fcw,
    fsw: f.fsw,
    ftw: f.fullTagWord,
    fip: f.fip,
    fcs: f.fcs,
    fop: f.fop,
    fdp: f.fdp,
    fds: f.fds,
  };
}

function storeEnvironment(c: Cpu, i: Insn, m: Area, e: Environment): void {
  const w = i.o32 ? 4 : 2;
  m.write(0, w, e.fcw);
  m.write(w, w, e.fsw);
  m.write(2 * w, w, e.ftw);
  if (realLayout(c)) {
    const ip = (e.fcs * 16 + e.fip) >>> 0;
    const dp = (e.fds * 16 + e.fdp) >>> 0;
    if (i.o32) {
      m.write(12, 4, ip & 0xffff);
      m.write(16, 4, (((ip >>> 16) << 12) | e.fop) >>> 0);
      m.write(20, 4, dp & 0xffff);
      m.write(24, 4, ((dp >>> 16) << 12) >>> 0);
    } else {
      m.write(6, 2, ip & 0xffff);
      m.write(8, 2, (((ip >>> 16) & 0xf) << 12) | e.fop);
      m.write(10, 2, dp & 0xffff);
      m.write(12, 2, ((dp >>> 16) & 0xf) << 12);
    }
  } else if (i.o32) {
    m.write(12, 4, e.fip);
    m.write(16, 4, (e.fcs | (e.fop << 16)) >>> 0);
    m.write(20, 4, e.fdp);
    m.write(24, 4, e.fds);
  } else {
    m.write(6, 2, e.fip & 0xffff);
    m.write(8, 2, e.fcs);
    m.write(10, 2, e.fdp & 0xffff);
    m.write(12, 2, e.fds);
  }
}

function readEnvironment(c: Cpu, i: Insn, m: Area): Environment {
  const w = i.o32 ? 4 : 2;
  const e: Environment = {
    fcw: m.read(0, 2),
    fsw: m.read(w, 2),
    ftw: m.read(2 * w, 2),
    fip: 0,
    fcs: 0,
    fop: 0,
    fdp: 0,
    fds: 0,
  };
  if (realLayout(c)) {
    // Linear pointers come back as offsets with a null selector.
    if (i.o32) {
      const hi = m.read(16, 4);
      e.fip = (m.read(12, 2) | (((hi >>> 12) & 0xffff) << 16)) >>> 0;
      e.fop = hi & 0x7ff;
      e.fdp = (m.read(20, 2) | (((m.read(24, 4) >>> 12) & 0xffff) << 16)) >>> 0;
    } else {
      const hi = m.read(8, 2);
      e.fip = m.read(6, 2) | ((hi >> 12) << 16);
      e.fop = hi & 0x7ff;
      e.fdp = m.read(10, 2) | ((m.read(12, 2) >> 12) << 16);
    }
  } else if (i.o32) {
    e.fip = m.read(12, 4);
    const sel = m.read(16, 4);
    e.fcs = sel & 0xffff;
    e.fop = (sel >>> 16) & 0x7ff;
    e.fdp = m.read(20, 4);
    e.fds = m.read(24, 2);
  } else {
    e.fip = m.read(6, 2);
    e.fcs = m.read(8, 2);
    e.fdp = m.read(10, 2);
    e.fds = m.read(12, 2);
  }
  return e;
}

function loadEnvironment(c: Cpu, e: Environment): void {
  const f = c.fpu;
  f.fcw = e.fcw;
  // TOP through its setter first: the slots rotate so the physical registers keep their values.
  f.top = (e.fsw >> 11) & 7;
  f.fsw = e.fsw;
  f.fullTagWord = e.ftw;
  f.fip = e.fip;
  f.fcs = e.fcs;
  f.fop = e.fop;
  f.fdp = e.fdp;
  f.fds = e.fds;
  c.setFerr(false);
}

/** D9 /6: FNSTENV — store the environment, then mask every exception. */
export function opFnstenv(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  const m = new Area(c, i);
  m.probeWrite(envSize(i));
  storeEnvironment(c, i, m, currentEnvironment(c));
  c.fpu.fcw |= 0x3f;
}

/** D9 /4: FLDENV. */
export function opFldenv(c: Cpu, i: Insn): void {
  enter(c, i, Entry.WaitingControl);
  const e = readEnvironment(c, i, new Area(c, i));
  loadEnvironment(c, e);
}

/** DD /6: FNSAVE — environment and registers, then the FNINIT state. */
export function opFnsave(c: Cpu, i: Insn): void {
  enter(c, i, Entry.NoWait);
  const m = new Area(c, i);
  const size = envSize(i);
  m.probeWrite(size + 80);
  storeEnvironment(c, i, m, currentEnvironment(c));
  for (let r = 0; r < 8; r++) {
    const v = c.fpu.readSt(r);
    const o = size + 10 * r;
    m.write(o, 4, v.lo);
    m.write(o + 4, 4, v.hi);
    m.write(o + 8, 2, v.signExp);
  }
  initFpu(c);
}

/** DD /4: FRSTOR — everything is read before anything changes (a fault leaves the FPU as it was). */
export function opFrstor(c: Cpu, i: Insn): void {
  enter(c, i, Entry.WaitingControl);
  const m = new Area(c, i);
  const size = envSize(i);
  const e = readEnvironment(c, i, m);
  const regs: RawExtended[] = [];
  for (let r = 0; r < 8; r++) {
    const o = size + 10 * r;
    regs.push({ lo: m.read(o, 4), hi: m.read(o + 4, 4), signExp: m.read(o + 8, 2) });
  }
  loadEnvironment(c, e);
  for (let r = 0; r < 8; r++) c.fpu.writeSt(r, regs[r]);
}
