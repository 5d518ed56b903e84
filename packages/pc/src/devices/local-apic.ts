import { APIC_BASE_ADDRESS } from '@tsvm/arch-x86';
import { type Machine, recordSection, SnapshotError, type TimerHandle } from '@tsvm/core';

/** Register offsets in the 4 KiB APIC page. */
export const ApicReg = {
  Id: 0x20,
  Version: 0x30,
  Tpr: 0x80,
  Apr: 0x90,
  Ppr: 0xa0,
  Eoi: 0xb0,
  Rrd: 0xc0,
  Ldr: 0xd0,
  Dfr: 0xe0,
  Svr: 0xf0,
  Isr: 0x100,
  Tmr: 0x180,
  Irr: 0x200,
  Esr: 0x280,
  LvtCmci: 0x2f0,
  IcrLow: 0x300,
  IcrHigh: 0x310,
  LvtTimer: 0x320,
  LvtThermal: 0x330,
  LvtPerf: 0x340,
  LvtLint0: 0x350,
  LvtLint1: 0x360,
  LvtError: 0x370,
  TimerInitial: 0x380,
  TimerCurrent: 0x390,
  TimerDivide: 0x3e0,
} as const;

const LVT_MASKED = 1 << 16;
const LVT_COUNT = 7; // CMCI, timer, thermal, perf, LINT0, LINT1, error
const LVT_OFFSETS: readonly number[] = [
  ApicReg.LvtCmci,
  ApicReg.LvtTimer,
  ApicReg.LvtThermal,
  ApicReg.LvtPerf,
  ApicReg.LvtLint0,
  ApicReg.LvtLint1,
  ApicReg.LvtError,
];
const TIMER = 1;
const LINT0 = 4;
const LINT1 = 5;
/** Delivery modes (LVT and ICR bits 10:8). */
const DELIVERY_FIXED = 0;
const DELIVERY_NMI = 4;
const DELIVERY_INIT = 5;
const DELIVERY_STARTUP = 6;
const DELIVERY_EXTINT = 7;
const SVR_ENABLE = 1 << 8;
/** Version 0x14 (integrated APIC), 6 LVT entries beyond the first (max LVT index 6). */
const VERSION = 0x14 | ((LVT_COUNT - 1) << 16);
/** The timer counts at 1 GHz divided by the divide configuration. */
const TIMER_NS_PER_TICK = 1;
/**
 * Shortest period a periodic timer fires at (100 µs). A guest that asks for less would make the
 * host deliver interrupts back to back; the count it reads still follows the programmed rate.
 */
export const APIC_MIN_PERIODIC_NS = 100_000;

/**
 * A local APIC for one CPU at 0xFEE00000: ID, version, TPR/PPR, EOI, SVR, ISR/TMR/IRR, ESR,
 * ICR (fixed and NMI self-IPIs are delivered; INIT, SIPI and IPIs to absent CPUs are accepted
 * and recorded), the LVT with LINT0/LINT1 as fixed, NMI or ExtINT inputs, and the timer in
 * one-shot and periodic modes. An NMI (ICR mode 100b, or a LINT pin programmed so) is held as
 * a pending NMI for the CPU, which takes it as vector 2 and blocks further NMIs until IRET. The base address is fixed
 * (guests that relocate it through MSR 0x1B are not supported; the MSR itself lives in the
 * canonical CPU state). LINT0 starts as ExtINT on the bootstrap CPU, as firmware leaves it,
 * so the 8259 reaches the CPU through it; the interrupt router asks `acceptsExtInt()`.
 */
export class LocalApic {
  private id = 0;
  private tpr = 0;
  private ldr = 0;
  private dfr = 0xffffffff;
  private svr = 0xff;
  private isr = new Uint32Array(8);
  private tmr = new Uint32Array(8);
  private irr = new Uint32Array(8);
  private esr = 0;
  private icrLow = 0;
  private icrHigh = 0;
  private lvt = new Uint32Array(LVT_COUNT);
  private timerInitial = 0;
  private timerDivide = 0;
  /** Virtual time the current timer count started, -1 when stopped. */
  private timerStartNs = -1;
  private timer: TimerHandle | undefined;
  /** An NMI is waiting for the CPU (edge-triggered: one pending at most, as on real hardware). */
  private nmiPending = false;
  /** INIT/SIPI IPIs the guest sent (there is no other CPU to start). */
  readonly sentIpis: { kind: 'init' | 'sipi'; destination: number; vector: number }[] = [];
  /** Wakes a halted vCPU when an interrupt becomes deliverable. */
  onChange: () => void = () => {};

  constructor(private readonly machine: Machine) {
    this.resetRegisters();
    machine.memory.addMmio('local-apic', APIC_BASE_ADDRESS, 0x1000, {
      read: (offset, size) => this.mmioRead(offset, size),
      write: (offset, size, value) => this.mmioWrite(offset, size, value),
    });
    machine.resets.register('local-apic', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'local-apic',
        version: 2,
        // Version 1 had no pending NMI: it loads with none.
        minVersion: 1,
        save: () => ({
          id: this.id,
          tpr: this.tpr,
          ldr: this.ldr,
          dfr: this.dfr,
          svr: this.svr,
          isr: u32Bytes(this.isr),
          tmr: u32Bytes(this.tmr),
          irr: u32Bytes(this.irr),
          esr: this.esr,
          icrLow: this.icrLow,
          icrHigh: this.icrHigh,
          lvt: u32Bytes(this.lvt),
          timerInitial: this.timerInitial,
          timerDivide: this.timerDivide,
          timerStartNs: this.timerStartNs,
          nmiPending: this.nmiPending,
        }),
        load: (f, version) => {
          const regs = {
            id: f.uint('id'),
            tpr: f.uint('tpr', 8),
            ldr: f.uint('ldr'),
            dfr: f.uint('dfr'),
            svr: f.uint('svr', 10),
            esr: f.uint('esr'),
            icrLow: f.uint('icrLow'),
            icrHigh: f.uint('icrHigh'),
            timerInitial: f.uint('timerInitial'),
            timerDivide: f.uint('timerDivide', 4),
          };
          const timerStartNs = f.number('timerStartNs');
          if (!Number.isFinite(timerStartNs) || timerStartNs < -1) {
            throw new SnapshotError('corrupt', `section 'local-apic': timerStartNs is ${timerStartNs}`);
          }
          const isr = bytesU32(f.bytes('isr', 32));
          const tmr = bytesU32(f.bytes('tmr', 32));
          const irr = bytesU32(f.bytes('irr', 32));
          const lvt = bytesU32(f.bytes('lvt', LVT_COUNT * 4));
          const nmiPending = version >= 2 ? f.boolean('nmiPending') : false;
          return () => {
            Object.assign(this, regs, { isr, tmr, irr, lvt, timerStartNs, nmiPending });
            this.scheduleTimer();
            this.onChange();
          };
        },
      }),
    );
  }

  private resetRegisters(): void {
    this.id = 0;
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = 0xffffffff;
    this.svr = 0xff;
    this.isr.fill(0);
    this.tmr.fill(0);
    this.irr.fill(0);
    this.esr = 0;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.lvt.fill(LVT_MASKED);
    // What firmware leaves on the bootstrap CPU: LINT0 = ExtINT (the 8259), LINT1 = NMI.
    this.lvt[LINT0] = DELIVERY_EXTINT << 8;
    this.lvt[LINT1] = DELIVERY_NMI << 8;
    this.timerInitial = 0;
    this.timerDivide = 0;
    this.timerStartNs = -1;
    this.nmiPending = false;
  }

  reset(): void {
    this.resetRegisters();
    this.sentIpis.length = 0;
    this.scheduleTimer();
  }

  private get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0;
  }

  /** True when 8259 interrupts reach the CPU through LINT0 (ExtINT, unmasked). */
  acceptsExtInt(): boolean {
    const lint0 = this.lvt[LINT0];
    return !(lint0 & LVT_MASKED) && ((lint0 >> 8) & 7) === DELIVERY_EXTINT;
  }

  /** True while an NMI waits for the CPU. */
  hasNmi(): boolean {
    return this.nmiPending;
  }

  /** The CPU took the pending NMI. */
  takeNmi(): void {
    this.nmiPending = false;
  }

  private raiseNmi(): void {
    this.nmiPending = true;
    this.onChange();
  }

  /** True when LINT0 is unmasked and programmed as NMI (an 8259 request then arrives as an NMI). */
  lint0IsNmi(): boolean {
    const lint0 = this.lvt[LINT0];
    return !(lint0 & LVT_MASKED) && ((lint0 >> 8) & 7) === DELIVERY_NMI;
  }

  /**
   * A rising edge on LINT0 or LINT1 (0 or 1), delivered as that pin's LVT entry says: fixed
   * (its vector), NMI, or nothing while masked. ExtINT on LINT0 is the 8259 path, which the
   * interrupt router takes through `acceptsExtInt()`; LINT1 is the board's NMI line.
   */
  assertLint(pin: 0 | 1): void {
    const entry = this.lvt[pin === 0 ? LINT0 : LINT1];
    if (entry & LVT_MASKED) return;
    const mode = (entry >> 8) & 7;
    if (mode === DELIVERY_NMI) this.raiseNmi();
    else if (mode === DELIVERY_FIXED) this.deliver(entry & 0xff);
  }

  private static highest(bits: Uint32Array): number {
    for (let w = 7; w >= 0; w--) if (bits[w]) return w * 32 + 31 - Math.clz32(bits[w]);
    return -1;
  }

  private ppr(): number {
    const isrv = LocalApic.highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr : isrClass;
  }

  /** The vector the APIC would deliver now, or -1. */
  pendingVector(): number {
    const v = LocalApic.highest(this.irr);
    if (v < 0) return -1;
    return (v & 0xf0) > (this.ppr() & 0xf0) ? v : -1;
  }

  /** INTA for an APIC interrupt: IRR → ISR. */
  acknowledge(): number {
    const v = this.pendingVector();
    if (v < 0) return this.svr & 0xff; // spurious vector
    this.irr[v >> 5] &= ~(1 << (v & 31));
    this.isr[v >> 5] |= 1 << (v & 31);
    return v;
  }

  /** Accept a fixed interrupt with `vector` (from the timer, a self-IPI, or a test). */
  deliver(vector: number): void {
    if (vector < 16) {
      this.esr |= 0x40; // received illegal vector
      return;
    }
    this.irr[vector >> 5] |= 1 << (vector & 31);
    this.onChange();
  }

  private eoi(): void {
    const v = LocalApic.highest(this.isr);
    if (v >= 0) this.isr[v >> 5] &= ~(1 << (v & 31));
    this.onChange();
  }

  private timerPeriodNs(): number {
    const d = this.timerDivide;
    const code = ((d >> 1) & 4) | (d & 3);
    const divisor = code === 7 ? 1 : 2 << code;
    return this.timerInitial * divisor * TIMER_NS_PER_TICK;
  }

  private timerCurrent(): number {
    if (this.timerStartNs < 0 || this.timerInitial === 0) return 0;
    const period = this.timerPeriodNs();
    const elapsed = this.machine.clock.nowNs() - this.timerStartNs;
    const periodic = ((this.lvt[TIMER] >> 17) & 3) === 1;
    if (!periodic && elapsed >= period) return 0;
    const within = periodic ? elapsed % period : elapsed;
    return Math.max(0, Math.ceil(((period - within) / period) * this.timerInitial)) >>> 0;
  }

  private scheduleTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.timerStartNs < 0 || this.timerInitial === 0) return;
    const period = this.timerPeriodNs();
    const now = this.machine.clock.nowNs();
    const periodic = ((this.lvt[TIMER] >> 17) & 3) === 1;
    const elapsed = now - this.timerStartNs;
    if (!periodic && elapsed >= period) return; // one-shot already fired
    const step = periodic ? Math.max(period, APIC_MIN_PERIODIC_NS) : period;
    const next = this.timerStartNs + (periodic ? (Math.floor(elapsed / step) + 1) * step : period);
    this.timer = this.machine.clock.schedule(next, () => this.timerFired(next));
  }

  private timerFired(at: number): void {
    this.timer = undefined;
    const lvt = this.lvt[TIMER];
    if (!(lvt & LVT_MASKED)) this.deliver(lvt & 0xff);
    const periodic = ((lvt >> 17) & 3) === 1;
    if (periodic) {
      // Skip periods the host missed instead of bursting them.
      const period = Math.max(this.timerPeriodNs(), APIC_MIN_PERIODIC_NS);
      const now = this.machine.clock.nowNs();
      this.timerStartNs = at + Math.max(0, Math.floor((now - at) / period)) * period;
      this.scheduleTimer();
    } else {
      this.timerStartNs = -1;
    }
  }

  private writeIcr(low: number): void {
    this.icrLow = low & ~(1 << 12); // delivery status: always idle, the IPI went at once
    const vector = low & 0xff;
    const mode = (low >> 8) & 7;
    const shorthand = (low >> 18) & 3;
    const destination = this.icrHigh >>> 24;
    const toSelf = shorthand === 1 || shorthand === 2 || (shorthand === 0 && destination === this.id);
    if (mode === DELIVERY_INIT) this.sentIpis.push({ kind: 'init', destination, vector });
    else if (mode === DELIVERY_STARTUP) this.sentIpis.push({ kind: 'sipi', destination, vector });
    else if (mode === DELIVERY_FIXED && toSelf) this.deliver(vector);
    else if (mode === DELIVERY_NMI && toSelf) this.raiseNmi(); // the vector field is ignored
    // Other modes and destinations: there is no other CPU; accepted and dropped.
  }

  read(offset: number): number {
    switch (offset) {
      case ApicReg.Id:
        return this.id << 24;
      case ApicReg.Version:
        return VERSION;
      case ApicReg.Tpr:
        return this.tpr;
      case ApicReg.Apr:
        return 0;
      case ApicReg.Ppr:
        return this.ppr();
      case ApicReg.Ldr:
        return this.ldr;
      case ApicReg.Dfr:
        return this.dfr;
      case ApicReg.Svr:
        return this.svr;
      case ApicReg.Esr:
        return this.esr;
      case ApicReg.IcrLow:
        return this.icrLow;
      case ApicReg.IcrHigh:
        return this.icrHigh;
      case ApicReg.TimerInitial:
        return this.timerInitial;
      case ApicReg.TimerCurrent:
        return this.timerCurrent();
      case ApicReg.TimerDivide:
        return this.timerDivide;
    }
    if (offset >= ApicReg.Isr && offset < ApicReg.Isr + 0x80) return this.isr[(offset - ApicReg.Isr) >> 4];
    if (offset >= ApicReg.Tmr && offset < ApicReg.Tmr + 0x80) return this.tmr[(offset - ApicReg.Tmr) >> 4];
    if (offset >= ApicReg.Irr && offset < ApicReg.Irr + 0x80) return this.irr[(offset - ApicReg.Irr) >> 4];
    const lvt = LVT_OFFSETS.indexOf(offset);
    if (lvt >= 0) return this.lvt[lvt];
    return 0;
  }

  write(offset: number, value: number): void {
    value >>>= 0;
    switch (offset) {
      case ApicReg.Id:
        this.id = value >>> 24;
        return;
      case ApicReg.Tpr:
        this.tpr = value & 0xff;
        this.onChange();
        return;
      case ApicReg.Eoi:
        this.eoi();
        return;
      case ApicReg.Ldr:
        this.ldr = value & 0xff000000;
        return;
      case ApicReg.Dfr:
        this.dfr = value | 0x0fffffff;
        return;
      case ApicReg.Svr:
        this.svr = value & 0x3ff;
        // Software-disabling masks every LVT entry (SDM 10.4.7.2).
        if (!this.softwareEnabled) for (let i = 0; i < LVT_COUNT; i++) this.lvt[i] |= LVT_MASKED;
        this.onChange();
        return;
      case ApicReg.Esr:
        this.esr = 0; // a write clears the accumulated errors
        return;
      case ApicReg.IcrHigh:
        this.icrHigh = value & 0xff000000;
        return;
      case ApicReg.IcrLow:
        this.writeIcr(value);
        return;
      case ApicReg.TimerInitial:
        this.timerInitial = value;
        this.timerStartNs = this.machine.clock.nowNs();
        this.scheduleTimer();
        return;
      case ApicReg.TimerDivide:
        this.timerDivide = value & 0xb;
        this.scheduleTimer();
        return;
    }
    const lvt = LVT_OFFSETS.indexOf(offset);
    if (lvt >= 0) {
      let v = value & (lvt === TIMER ? 0x700ff : 0x1a7ff);
      if (!this.softwareEnabled) v |= LVT_MASKED; // stays masked while software-disabled
      this.lvt[lvt] = v;
      if (lvt === TIMER) this.scheduleTimer();
      this.onChange();
    }
    // Read-only and reserved registers ignore writes.
  }

  private mmioRead(offset: number, size: 1 | 2 | 4): number {
    const reg = this.read(offset & 0xff0);
    const shift = (offset & 3) * 8;
    const v = reg >>> shift;
    return size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1);
  }

  private mmioWrite(offset: number, _size: 1 | 2 | 4, value: number): void {
    // APIC registers are 32-bit and 16-byte aligned; narrower writes are treated as the full register.
    if ((offset & 0xf) !== 0) return;
    this.write(offset, value);
  }
}

function u32Bytes(a: Uint32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setUint32(i * 4, a[i], true);
  return out;
}

function bytesU32(b: Uint8Array): Uint32Array {
  const out = new Uint32Array(b.length / 4);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}
