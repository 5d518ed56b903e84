import type { SegmentRegister, X86CpuState } from '@tsvm/arch-x86';
import type { GuestMemory, IoPortBus } from '@tsvm/core';
import { FpuState } from '../fpu/fpu-state.js';
import type { CodePages } from '../mmu/code-pages.js';
import { Mmu } from '../mmu/mmu.js';
import { fault, Vec } from './fault.js';
import { type FlagState, LazyOp, materialize, VM } from './flags.js';

/** `Cpu.flatMask` bit: CS's limit is 4 GiB, so no near transfer can leave it. */
export const CS_SPANS_4G = 1 << 8;

/** Segment register numbers as encoded in instructions. */
export const enum Seg {
  ES = 0,
  CS = 1,
  SS = 2,
  DS = 3,
  FS = 4,
  GS = 5,
}

export const SEG_KEYS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

const CR0_PE = 1;

/**
 * The executor's live view of one vCPU. General registers are the canonical `state.gprLow`
 * array itself; EIP, EFLAGS (lazy) and derived segment data are cached here while `run` is
 * active and written back by `storeToState()` before `run` returns.
 */
export class Cpu implements FlagState {
  readonly r: Int32Array;
  readonly mmu: Mmu;
  /** x87/MMX/SSE registers: an accessor over the canonical FXSAVE image in `state`. */
  readonly fpu: FpuState;
  /** Address of the instruction being executed (faults report it). */
  ip = 0;
  /** Address of the next instruction. */
  eip = 0;

  flags = 2;
  lop = LazyOp.None;
  lres = 0;
  ls1 = 0;
  ls2 = 0;
  lsize = 4;
  lcin = 0;

  segs: SegmentRegister[] = [];
  /** Segment base per register (unsigned). */
  readonly sbase = new Float64Array(6);
  /** Segment registers (bit per number) with base 0 and every offset readable and writable. */
  flatMask = 0;
  /**
   * Compiled code that loops back to its entry goes round again only while `retired` is below
   * this (set by the run loop for a chain of compiled code; 0 elsewhere: one round per call).
   */
  loopStop = 0;
  /** Inclusive offset range valid for reads / writes (empty when not readable / writable). */
  readonly rlo = new Float64Array(6);
  readonly rhi = new Float64Array(6);
  readonly wlo = new Float64Array(6);
  readonly whi = new Float64Array(6);

  cpl = 0;
  /** Protected mode (CR0.PE). */
  pe = false;
  /** Virtual-8086 mode (EFLAGS.VM with PE). */
  v86 = false;
  code32 = false;
  ss32 = false;
  /** CS limit (unsigned), cached for branch-target and fetch checks. */
  csLimit = 0xffff;

  halted = false;
  /** Interrupts are inhibited for one instruction (after STI, MOV SS, POP SS). */
  shadow = false;
  /** The last instruction was MOV SS or POP SS: debug traps (single-step) wait one more instruction. */
  ssShadow = false;
  /** Stop the current block after this instruction (SMC, I/O with a pending exit, mode change). */
  breakBlock = false;
  /** NMI handler running: further NMIs blocked until IRET. */
  nmiMasked = false;
  /** Events delivered through the IVT/IDT so far (the single-step logic compares counts). */
  deliveries = 0;
  /** Instructions retired since the vCPU was created. */
  retired = 0;
  /** Port I/O accesses so far (lockstep checking cannot replay a block that did any). */
  ioCount = 0;
  /** The machine wants the vCPU back (set by the run loop; polled after I/O). */
  exitRequested: () => boolean = () => false;
  /** FERR# as this CPU drives it (an unmasked x87 exception reported with CR0.NE = 0). */
  ferr = false;
  /** Where output pins go: the board routes them (PC: FERR# → IRQ 13). Set by the vCPU. */
  cpuOutput: (line: string, level: boolean) => void = () => {};
  private a20 = true;
  /** Virtual clock (ns); the TSC counts at 1 GHz of virtual time from `tscBase`. */
  nowNs: () => number = () => 0;
  private tscBase = 0n;
  private tscBaseNs = 0;
  /** The TSC value `storeToState` last wrote: the canonical TSC still says that unless someone edited it. */
  private tscStored: bigint | undefined;

  constructor(
    readonly state: X86CpuState,
    readonly memory: GuestMemory,
    readonly ports: IoPortBus,
    code: CodePages,
  ) {
    this.r = state.gprLow;
    this.mmu = new Mmu(state, memory, code);
    this.fpu = new FpuState(state.fxsave);
  }

  /** After port I/O or MMIO: pick up A20 gate changes and return soon if the machine asks. */
  afterIo(): void {
    this.ioCount++;
    if (this.state.a20Enabled !== this.a20) {
      this.a20 = this.state.a20Enabled;
      this.mmu.flush();
    }
    this.breakBlock = true;
  }

  /** Drive FERR#; a change ends the block so a resulting interrupt is taken promptly. */
  setFerr(level: boolean): void {
    if (this.ferr === level) return;
    this.ferr = level;
    this.cpuOutput('ferr', level);
    this.breakBlock = true;
  }

  readTsc(): bigint {
    return this.tscBase + BigInt(Math.max(0, Math.floor(this.nowNs() - this.tscBaseNs)));
  }

  writeTsc(v: bigint): void {
    this.tscBase = v & 0xffffffffffffffffn;
    this.tscBaseNs = this.nowNs();
  }

  // ---- state in and out -------------------------------------------------------------------

  loadFromState(): void {
    const s = this.state;
    this.eip = s.eip >>> 0;
    this.flags = (s.rflags | 2) >>> 0;
    this.lop = LazyOp.None;
    this.segs = [s.es, s.cs, s.ss, s.ds, s.fs, s.gs];
    this.pe = (s.cr0 & CR0_PE) !== 0;
    this.v86 = this.pe && (this.flags & VM) !== 0;
    this.cpl = !this.pe ? 0 : this.v86 ? 3 : s.cs.selector & 3;
    for (let i = 0; i < 6; i++) this.refreshSeg(i);
    this.mmu.setUser(this.cpl === 3);
    this.shadow = s.events.interrupt.shadow !== 0;
    // The TSC runs on with the virtual clock between entries (HLT idle time included); only a
    // value edited from outside (snapshot load, reset, debugger) re-bases it.
    if (s.tsc !== this.tscStored) this.writeTsc(s.tsc);
    // Anything may have changed between runs (debugger, loader, snapshot): start from a clean TLB.
    this.mmu.flush();
    if (this.a20 !== s.a20Enabled) {
      this.a20 = s.a20Enabled;
      this.mmu.flush();
    }
    this.nmiMasked = s.events.nmi.masked;
  }

  storeToState(): void {
    const s = this.state;
    s.eip = this.eip >>> 0;
    s.rflags = materialize(this) >>> 0;
    s.tsc = this.readTsc();
    this.tscStored = s.tsc;
    s.events.interrupt.shadow = this.shadow ? 1 : 0;
    s.events.nmi.masked = this.nmiMasked;
  }

  /** Recompute the cached base and limit ranges of segment register `i` from its descriptor cache. */
  refreshSeg(i: number): void {
    const sg = this.segs[i];
    this.sbase[i] = sg.base >>> 0;
    let lo = 0;
    let hi = sg.limit >>> 0;
    // Expand-down data segment: valid offsets are above the limit.
    if (sg.s && (sg.type & 0xc) === 0x4) {
      lo = hi + 1;
      hi = sg.db ? 0xffffffff : 0xffff;
    }
    const usable = !this.pe || this.v86 || (!sg.unusable && sg.present);
    const code = sg.s && (sg.type & 8) !== 0;
    const readable = usable && (!code || (sg.type & 2) !== 0 || !this.pe || this.v86);
    const writable =
      usable && (!code || !this.pe || this.v86) && ((sg.type & 2) !== 0 || !this.pe || this.v86);
    this.rlo[i] = readable ? lo : 1;
    this.rhi[i] = readable ? hi : 0;
    this.wlo[i] = writable ? lo : 1;
    this.whi[i] = writable ? hi : 0;
    // Flat: base 0, every offset readable and writable (compiled code drops the range checks).
    const flat = this.sbase[i] === 0 && lo === 0 && hi === 0xffffffff && readable && writable;
    this.flatMask = flat ? this.flatMask | (1 << i) : this.flatMask & ~(1 << i);
    if (i === Seg.CS) {
      this.code32 = sg.db && this.pe && !this.v86;
      this.csLimit = sg.limit >>> 0;
      // Every EIP is within the limit: compiled transfers drop their limit check.
      this.flatMask =
        this.csLimit === 0xffffffff ? this.flatMask | CS_SPANS_4G : this.flatMask & ~CS_SPANS_4G;
    }
    if (i === Seg.SS) this.ss32 = sg.db && this.pe && !this.v86;
    if (i === Seg.CS && !this.pe) this.code32 = sg.db;
    if (i === Seg.SS && !this.pe) this.ss32 = sg.db;
  }

  /** Real-mode / V86 segment load: selector and base only (real mode keeps the cached limit). */
  loadSegReal(i: number, sel: number): void {
    const sg = this.segs[i];
    sg.selector = sel & 0xffff;
    sg.base = (sel & 0xffff) << 4;
    if (this.v86) {
      sg.limit = 0xffff;
      sg.type = i === Seg.CS ? 0xb : 0x3;
      sg.s = true;
      sg.dpl = 3;
      sg.present = true;
      sg.db = false;
      sg.g = false;
      sg.unusable = false;
    }
    this.refreshSeg(i);
  }

  setCpl(cpl: number): void {
    this.cpl = cpl;
    this.mmu.setUser(cpl === 3);
  }

  /** CR0.PE or EFLAGS.VM changed. */
  modeChanged(): void {
    this.pe = (this.state.cr0 & CR0_PE) !== 0;
    this.v86 = this.pe && (this.flags & VM) !== 0;
    if (!this.pe) this.setCpl(0);
    for (let i = 0; i < 6; i++) this.refreshSeg(i);
    this.breakBlock = true;
  }

  // ---- registers ---------------------------------------------------------------------------

  getReg8(n: number): number {
    return n < 4 ? this.r[n] & 0xff : (this.r[n - 4] >> 8) & 0xff;
  }

  setReg8(n: number, v: number): void {
    if (n < 4) this.r[n] = (this.r[n] & ~0xff) | (v & 0xff);
    else this.r[n - 4] = (this.r[n - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  /** Register `n` of `size` bytes, unsigned. */
  getReg(n: number, size: number): number {
    if (size === 4) return this.r[n] >>> 0;
    if (size === 2) return this.r[n] & 0xffff;
    return this.getReg8(n);
  }

  setReg(n: number, size: number, v: number): void {
    if (size === 4) this.r[n] = v;
    else if (size === 2) this.r[n] = (this.r[n] & ~0xffff) | (v & 0xffff);
    else this.setReg8(n, v);
  }

  // ---- segmented memory ------------------------------------------------------------------------

  private segFault(seg: number): never {
    return fault(seg === Seg.SS ? Vec.SS : Vec.GP, 0);
  }

  /** Linear address of a read of `size` bytes at `seg:off` (limit and type checked). */
  linR(seg: number, off: number, size: number): number {
    if (off < this.rlo[seg] || off + size - 1 > this.rhi[seg]) this.segFault(seg);
    return (this.sbase[seg] + off) | 0;
  }

  linW(seg: number, off: number, size: number): number {
    if (off < this.wlo[seg] || off + size - 1 > this.whi[seg]) this.segFault(seg);
    return (this.sbase[seg] + off) | 0;
  }

  read8(seg: number, off: number): number {
    return this.mmu.read8(this.linR(seg, off, 1));
  }
  read16(seg: number, off: number): number {
    return this.mmu.read16(this.linR(seg, off, 2));
  }
  read32(seg: number, off: number): number {
    return this.mmu.read32(this.linR(seg, off, 4));
  }
  read(seg: number, off: number, size: number): number {
    const lin = this.linR(seg, off, size);
    return size === 4 ? this.mmu.read32(lin) : size === 2 ? this.mmu.read16(lin) : this.mmu.read8(lin);
  }
  write8(seg: number, off: number, v: number): void {
    this.mmu.write8(this.linW(seg, off, 1), v);
  }
  write16(seg: number, off: number, v: number): void {
    this.mmu.write16(this.linW(seg, off, 2), v);
  }
  write32(seg: number, off: number, v: number): void {
    this.mmu.write32(this.linW(seg, off, 4), v);
  }
  write(seg: number, off: number, size: number, v: number): void {
    const lin = this.linW(seg, off, size);
    if (size === 4) this.mmu.write32(lin, v);
    else if (size === 2) this.mmu.write16(lin, v);
    else this.mmu.write8(lin, v);
  }
  /** Read for a read-modify-write: write permission is checked before the read. */
  readRmw(seg: number, off: number, size: number): number {
    const lin = this.linW(seg, off, size);
    this.mmu.probeWrite(lin, size);
    return size === 4 ? this.mmu.read32(lin) : size === 2 ? this.mmu.read16(lin) : this.mmu.read8(lin);
  }

  // ---- stack ----------------------------------------------------------------------------------

  get sp(): number {
    return this.ss32 ? this.r[4] >>> 0 : this.r[4] & 0xffff;
  }

  setSp(v: number): void {
    if (this.ss32) this.r[4] = v;
    else this.r[4] = (this.r[4] & ~0xffff) | (v & 0xffff);
  }

  private stackOff(delta: number): number {
    return this.ss32 ? (this.r[4] + delta) >>> 0 : (this.r[4] + delta) & 0xffff;
  }

  push(v: number, size: number): void {
    if (size === 4 && this.ss32) {
      const sp = (this.r[4] - 4) >>> 0;
      this.write32(Seg.SS, sp, v);
      this.r[4] = sp;
      return;
    }
    const off = this.stackOff(-size);
    this.write(Seg.SS, off, size, v);
    this.setSp(off);
  }

  pop(size: number): number {
    if (size === 4 && this.ss32) {
      const sp = this.r[4] >>> 0;
      const v = this.read32(Seg.SS, sp);
      this.r[4] = sp + 4;
      return v;
    }
    const v = this.read(Seg.SS, this.stackOff(0), size);
    this.setSp(this.stackOff(size));
    return v;
  }

  /** Read the stack at `sp + delta` without moving it. */
  peek(delta: number, size: number): number {
    return this.read(Seg.SS, this.stackOff(delta), size);
  }

  // ---- flags ----------------------------------------------------------------------------------

  getFlags(): number {
    return materialize(this);
  }
}
