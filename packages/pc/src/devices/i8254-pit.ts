import { type Machine, type RecordFields, recordSection, SnapshotError, type TimerHandle } from '@tsvm/core';

/** The PIT's input clock: 1.193182 MHz. */
export const PIT_HZ = 1_193_182;

/** Ticks of the input clock elapsed at virtual time `ns` since `sinceNs`. */
function ticksBetween(sinceNs: number, ns: number): number {
  return Math.floor(((ns - sinceNs) * PIT_HZ) / 1e9);
}

/** Virtual time of the `ticks`-th input clock tick after `sinceNs`. */
function timeOfTick(sinceNs: number, ticks: number): number {
  return sinceNs + Math.ceil((ticks * 1e9) / PIT_HZ);
}

interface Channel {
  mode: number;
  /** 1 = LSB only, 2 = MSB only, 3 = LSB then MSB. */
  access: number;
  bcd: boolean;
  /** Reload value (0 means 65536, or 10000 in BCD). */
  reload: number;
  /** Virtual time the current count started (ns), or -1 when no count is loaded. */
  startNs: number;
  gate: boolean;
  /** LSB written, waiting for the MSB. */
  writeHigh: boolean;
  /** LSB read, next read returns the MSB. */
  readHigh: boolean;
  /** Latched count (latch command), -1 when none. */
  latched: number;
  latchedHigh: boolean;
  /** Read-back status latch, -1 when none. */
  status: number;
  /** Written LSB waiting for its MSB. */
  pendingLow: number;
}

function makeChannel(gate: boolean): Channel {
  return {
    mode: 0,
    access: 3,
    bcd: false,
    reload: 0,
    startNs: -1,
    gate,
    writeHigh: false,
    readHigh: false,
    latched: -1,
    latchedHigh: false,
    status: -1,
    pendingLow: 0,
  };
}

const NUMBER_FIELDS = ['mode', 'access', 'reload', 'startNs', 'latched', 'status', 'pendingLow'] as const;
const FLAG_FIELDS = ['bcd', 'gate', 'writeHigh', 'readHigh', 'latchedHigh'] as const;

/**
 * The 8254 programmable interval timer at 0x40-0x43, plus system control port B (0x61)
 * that gates channel 2 and shows its output. Counts are computed from the virtual clock, so
 * nothing ticks while the machine is stopped. Channel 0's output drives IRQ 0: a rising edge
 * is delivered at each period of the programmed rate (modes 2 and 3) or once (modes 0, 1, 4, 5).
 */
export class I8254Pit {
  private channels: Channel[] = [makeChannel(true), makeChannel(true), makeChannel(false)];
  private speakerData = false;
  private refreshToggle = false;
  private timer: TimerHandle | undefined;
  /** Virtual time of the next IRQ 0 edge already scheduled. */
  private nextIrqNs = -1;
  /** Count of IRQ 0 edges delivered (for tests and statistics). */
  irqCount = 0;

  constructor(
    private readonly machine: Machine,
    private readonly irq0: () => void,
  ) {
    machine.ports.register('pit', 0x40, 4, {
      read: (port) => this.readCounter(port - 0x40),
      write: (port, _size, value) =>
        port === 0x43 ? this.writeControl(value) : this.writeCounter(port - 0x40, value),
    });
    machine.ports.register('port-b', 0x61, 1, {
      read: () => {
        // Bit 4 toggles with DRAM refresh; guests poll it for short delays.
        this.refreshToggle = !this.refreshToggle;
        const c2 = this.channels[2];
        return (
          (c2.gate ? 1 : 0) |
          (this.speakerData ? 2 : 0) |
          (this.refreshToggle ? 0x10 : 0) |
          (this.output(2, this.now()) ? 0x20 : 0)
        );
      },
      write: (_port, _size, value) => {
        const c2 = this.channels[2];
        const gate = (value & 1) !== 0;
        // A rising gate restarts modes 1 and 5 (and reloads modes 2 and 3).
        if (gate && !c2.gate && c2.startNs >= 0) c2.startNs = this.now();
        c2.gate = gate;
        this.speakerData = (value & 2) !== 0;
      },
    });
    machine.resets.register('pit', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'pit',
        version: 1,
        save: () => ({
          channels: this.channels.map((c) => ({ ...c })),
          speakerData: this.speakerData,
          nextIrqNs: this.nextIrqNs,
          irqCount: this.irqCount,
        }),
        load: (f) => {
          const list = f.list('channels');
          if (list.length !== 3)
            throw new SnapshotError('corrupt', `section 'pit': ${list.length} channels, expected 3`);
          const channels = list.map((c) => this.parseChannel(c));
          const speakerData = f.boolean('speakerData');
          const nextIrqNs = f.number('nextIrqNs');
          const irqCount = f.number('irqCount');
          if (!Number.isFinite(nextIrqNs) || !Number.isSafeInteger(irqCount)) {
            throw new SnapshotError(
              'corrupt',
              `section 'pit': nextIrqNs ${nextIrqNs} or irqCount ${irqCount} is invalid`,
            );
          }
          return () => {
            this.channels = channels;
            this.speakerData = speakerData;
            this.irqCount = irqCount;
            this.scheduleAt(nextIrqNs);
          };
        },
      }),
    );
  }

  private now(): number {
    return this.machine.clock.nowNs();
  }

  reset(): void {
    this.channels = [makeChannel(true), makeChannel(true), makeChannel(false)];
    this.speakerData = false;
    this.scheduleAt(-1);
  }

  /** The reload value as a number of input ticks. */
  private period(c: Channel): number {
    if (c.reload === 0) return c.bcd ? 10000 : 0x10000;
    return c.bcd ? fromBcd(c.reload) : c.reload;
  }

  /** Current count of channel `i` at time `ns`. */
  count(i: number, ns: number = this.now()): number {
    const c = this.channels[i];
    if (c.startNs < 0) return c.reload;
    const period = this.period(c);
    const elapsed = ticksBetween(c.startNs, ns);
    let value: number;
    switch (c.mode) {
      case 2:
      case 3: {
        // Mode 3 counts down by two twice per period; report the position within the period like mode 2.
        value = period - (elapsed % period);
        break;
      }
      default:
        value = (period - elapsed) & 0xffff; // modes 0, 1, 4, 5 wrap after reaching zero
    }
    return c.bcd ? toBcd(value % 10000) : value & 0xffff;
  }

  /** Output pin of channel `i` at time `ns`. */
  output(i: number, ns: number): boolean {
    const c = this.channels[i];
    if (c.startNs < 0) return c.mode !== 0;
    if (i === 2 && !c.gate) return true;
    const period = this.period(c);
    const elapsed = ticksBetween(c.startNs, ns);
    switch (c.mode) {
      case 0:
        return elapsed >= period;
      case 1:
        return elapsed >= period;
      case 2:
        return elapsed % period !== period - 1;
      case 3:
        return elapsed % period < Math.ceil(period / 2);
      default:
        return elapsed !== period; // modes 4, 5: one low tick at terminal count
    }
  }

  private writeControl(value: number): void {
    const select = value >> 6;
    if (select === 3) {
      this.readBack(value);
      return;
    }
    const c = this.channels[select];
    const access = (value >> 4) & 3;
    if (access === 0) {
      // Counter latch command: freeze the count until it has been read.
      if (c.latched < 0) {
        c.latched = this.count(select);
        c.latchedHigh = false;
      }
      return;
    }
    c.access = access;
    c.mode = (value >> 1) & 7;
    if (c.mode > 5) c.mode -= 4; // 6 and 7 are aliases of 2 and 3
    c.bcd = (value & 1) !== 0;
    c.writeHigh = false;
    c.readHigh = false;
    c.latched = -1;
    c.status = -1;
    // Writing the control word stops the counter until a new count is written.
    c.startNs = -1;
    if (select === 0) this.scheduleAt(-1);
  }

  private readBack(value: number): void {
    const latchCount = !(value & 0x20);
    const latchStatus = !(value & 0x10);
    for (let i = 0; i < 3; i++) {
      if (!(value & (2 << i))) continue;
      const c = this.channels[i];
      if (latchCount && c.latched < 0) {
        c.latched = this.count(i);
        c.latchedHigh = false;
      }
      if (latchStatus && c.status < 0) {
        c.status =
          (this.output(i, this.now()) ? 0x80 : 0) |
          (c.startNs < 0 ? 0x40 : 0) |
          (c.access << 4) |
          (c.mode << 1) |
          (c.bcd ? 1 : 0);
      }
    }
  }

  private writeCounter(i: number, value: number): void {
    const c = this.channels[i];
    value &= 0xff;
    switch (c.access) {
      case 1:
        this.load(i, value);
        break;
      case 2:
        this.load(i, value << 8);
        break;
      default:
        if (!c.writeHigh) {
          c.pendingLow = value;
          c.writeHigh = true;
        } else {
          c.writeHigh = false;
          this.load(i, c.pendingLow | (value << 8));
        }
    }
  }

  private load(i: number, reload: number): void {
    const c = this.channels[i];
    c.reload = reload;
    c.startNs = this.now();
    if (i === 0) this.scheduleNextIrq(c.startNs);
  }

  private readCounter(i: number): number {
    if (i === 3) return 0xff; // the control word is write-only
    const c = this.channels[i];
    if (c.status >= 0) {
      const s = c.status;
      c.status = -1;
      return s;
    }
    const value = c.latched >= 0 ? c.latched : this.count(i);
    let byte: number;
    switch (c.access) {
      case 1:
        byte = value & 0xff;
        c.latched = -1;
        break;
      case 2:
        byte = (value >> 8) & 0xff;
        c.latched = -1;
        break;
      default:
        byte = c.readHigh ? (value >> 8) & 0xff : value & 0xff;
        c.readHigh = !c.readHigh;
        if (!c.readHigh) c.latched = -1;
    }
    return byte;
  }

  /** Schedule the first IRQ 0 edge at or after `fromNs` for channel 0's current programming. */
  private scheduleNextIrq(fromNs: number): void {
    const c = this.channels[0];
    if (c.startNs < 0) {
      this.scheduleAt(-1);
      return;
    }
    const period = this.period(c);
    const elapsed = Math.max(0, ticksBetween(c.startNs, fromNs));
    let tick: number;
    if (c.mode === 2 || c.mode === 3) {
      // Periodic: the output rises at the end of every period.
      tick = (Math.floor(elapsed / period) + 1) * period;
    } else if (elapsed < period) {
      tick = period; // one-shot: terminal count once
    } else {
      this.scheduleAt(-1);
      return;
    }
    this.scheduleAt(timeOfTick(c.startNs, tick));
  }

  private scheduleAt(ns: number): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.nextIrqNs = ns;
    if (ns < 0) return;
    this.timer = this.machine.clock.schedule(ns, () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    const due = this.nextIrqNs;
    this.irqCount++;
    this.irq0();
    // A host that fell far behind (stalled process) delivers one edge, not a storm of missed ones.
    const now = this.now();
    this.scheduleNextIrq(Math.max(due, now - 1e9 / PIT_HZ));
  }

  private parseChannel(f: RecordFields): Channel {
    const c = makeChannel(false);
    for (const k of NUMBER_FIELDS) {
      const v = f.number(k);
      // startNs is a virtual-clock time, which need not be a whole number of nanoseconds.
      const ok =
        k === 'startNs' ? Number.isFinite(v) && (v >= 0 || v === -1) : Number.isInteger(v) && v >= -1;
      if (!ok) throw new SnapshotError('corrupt', `${f.context}: '${k}' = ${v}`);
      c[k] = v;
    }
    for (const k of FLAG_FIELDS) c[k] = f.boolean(k);
    if (c.mode > 5 || c.access < 1 || c.access > 3 || c.reload > 0xffff) {
      throw new SnapshotError('corrupt', `${f.context}: mode/access/reload out of range`);
    }
    return c;
  }
}

function fromBcd(v: number): number {
  return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 + (v & 0xf);
}

function toBcd(v: number): number {
  return (
    ((Math.floor(v / 1000) % 10) << 12) |
    ((Math.floor(v / 100) % 10) << 8) |
    ((Math.floor(v / 10) % 10) << 4) |
    (v % 10)
  );
}
