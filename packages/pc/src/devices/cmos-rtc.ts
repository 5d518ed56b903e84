import { type Machine, recordSection, SnapshotError, type TimerHandle } from '@tsvm/core';

/** CMOS register indices with a meaning. */
export const Cmos = {
  Seconds: 0x00,
  SecondsAlarm: 0x01,
  Minutes: 0x02,
  MinutesAlarm: 0x03,
  Hours: 0x04,
  HoursAlarm: 0x05,
  DayOfWeek: 0x06,
  DayOfMonth: 0x07,
  Month: 0x08,
  Year: 0x09,
  StatusA: 0x0a,
  StatusB: 0x0b,
  StatusC: 0x0c,
  StatusD: 0x0d,
  BaseMemoryLow: 0x15,
  BaseMemoryHigh: 0x16,
  ExtendedMemoryLow: 0x17,
  ExtendedMemoryHigh: 0x18,
  ExtendedMemory2Low: 0x30,
  ExtendedMemory2High: 0x31,
  Century: 0x32,
  /** RAM between 16 MiB and 4 GiB in 64 KiB units (the convention SeaBIOS and QEMU use). */
  HighMemoryLow: 0x34,
  HighMemoryHigh: 0x35,
  /** Number of CPUs minus one (QEMU convention). */
  CpuCountMinusOne: 0x5f,
} as const;

const B = {
  Set: 0x80,
  PeriodicIrq: 0x40,
  AlarmIrq: 0x20,
  UpdateIrq: 0x10,
  Binary: 0x04,
  Hour24: 0x02,
} as const;
const C = { Irq: 0x80, Periodic: 0x40, Alarm: 0x20, Update: 0x10 } as const;

export interface CmosRtcOptions {
  /** Drives IRQ 8 (edge). */
  readonly irq?: () => void;
  /** Host wall-clock time in milliseconds (default `Date.now`); the RTC follows it plus any guest adjustment. */
  readonly hostTimeMs?: () => number;
  readonly ramBytes?: number;
  readonly cpuCount?: number;
}

const toBcd = (v: number) => ((Math.floor(v / 10) % 10) << 4) | (v % 10);
const fromBcd = (v: number) => (v >> 4) * 10 + (v & 0xf);

/**
 * The MC146818-style CMOS RTC at 0x70 (index, bit 7 masks NMI) / 0x71 (data). The time of
 * day follows host UTC time (as QEMU's `-rtc base=utc`) plus whatever offset the guest set by
 * writing the time registers; it is read in BCD or binary, 12- or 24-hour, as register B says.
 * Periodic (register A rate), update-ended and alarm interrupts are delivered on IRQ 8.
 * NVRAM holds the memory sizes firmware-less guests look up.
 */
export class CmosRtc {
  private nvram = new Uint8Array(128);
  private index = 0;
  private nmiMasked = false;
  /** Guest adjustment of the host clock, in ms. */
  private offsetMs = 0;
  private periodicTimer: TimerHandle | undefined;
  private secondTimer: TimerHandle | undefined;
  private readonly defaults: Uint8Array;
  private readonly hostTimeMs: () => number;
  private readonly irq: () => void;

  constructor(
    private readonly machine: Machine,
    options: CmosRtcOptions = {},
  ) {
    this.hostTimeMs = options.hostTimeMs ?? Date.now;
    this.irq = options.irq ?? (() => {});
    this.defaults = defaultNvram(options.ramBytes ?? 0, options.cpuCount ?? 1);
    this.nvram.set(this.defaults);
    machine.ports.register('cmos', 0x70, 2, {
      read: (port) => (port === 0x70 ? 0xff : this.readRegister(this.index)),
      write: (port, _size, value) => {
        if (port === 0x70) {
          this.index = value & 0x7f;
          this.nmiMasked = (value & 0x80) !== 0;
        } else {
          this.writeRegister(this.index, value);
        }
      },
    });
    machine.resets.register('cmos', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'cmos',
        version: 1,
        save: () => ({
          nvram: this.nvram.slice(),
          index: this.index,
          nmiMasked: this.nmiMasked,
          offsetMs: this.offsetMs,
        }),
        load: (f) => {
          const nvram = f.bytes('nvram', 128).slice();
          const index = f.uint('index', 7);
          const nmiMasked = f.boolean('nmiMasked');
          const offsetMs = f.number('offsetMs');
          if (!Number.isFinite(offsetMs))
            throw new SnapshotError('corrupt', `section 'cmos': offsetMs is ${offsetMs}`);
          return () => {
            this.nvram = nvram;
            this.index = index;
            this.nmiMasked = nmiMasked;
            this.offsetMs = offsetMs;
            this.reschedule();
          };
        },
      }),
    );
  }

  /** Whether the guest masked NMIs through bit 7 of port 0x70. */
  get nmiDisabled(): boolean {
    return this.nmiMasked;
  }

  reset(): void {
    // The RTC is battery-backed: time and NVRAM survive a reset; only interrupt enables clear.
    this.nvram[Cmos.StatusB] &= ~(B.PeriodicIrq | B.AlarmIrq | B.UpdateIrq);
    this.nvram[Cmos.StatusC] = 0;
    this.index = 0;
    this.reschedule();
  }

  private guestTimeMs(): number {
    return this.hostTimeMs() + this.offsetMs;
  }

  private encode(v: number): number {
    return this.nvram[Cmos.StatusB] & B.Binary ? v : toBcd(v);
  }

  private decode(v: number): number {
    return this.nvram[Cmos.StatusB] & B.Binary ? v : fromBcd(v & 0xff);
  }

  private encodeHours(h: number): number {
    if (this.nvram[Cmos.StatusB] & B.Hour24) return this.encode(h);
    const pm = h >= 12 ? 0x80 : 0;
    return this.encode(h % 12 === 0 ? 12 : h % 12) | pm;
  }

  private decodeHours(v: number): number {
    if (this.nvram[Cmos.StatusB] & B.Hour24) return this.decode(v);
    const h = this.decode(v & 0x7f) % 12;
    return v & 0x80 ? h + 12 : h;
  }

  readRegister(index: number): number {
    const t = new Date(this.guestTimeMs());
    switch (index) {
      case Cmos.Seconds:
        return this.encode(t.getUTCSeconds());
      case Cmos.Minutes:
        return this.encode(t.getUTCMinutes());
      case Cmos.Hours:
        return this.encodeHours(t.getUTCHours());
      case Cmos.DayOfWeek:
        return this.encode(t.getUTCDay() + 1);
      case Cmos.DayOfMonth:
        return this.encode(t.getUTCDate());
      case Cmos.Month:
        return this.encode(t.getUTCMonth() + 1);
      case Cmos.Year:
        return this.encode(t.getUTCFullYear() % 100);
      case Cmos.Century:
        return this.encode(Math.floor(t.getUTCFullYear() / 100));
      case Cmos.StatusA: {
        // Update-in-progress for the last 244 µs of each second, as on the real part.
        const uip = t.getUTCMilliseconds() >= 1000 - 0.244 ? 0x80 : 0;
        return uip | (this.nvram[Cmos.StatusA] & 0x7f);
      }
      case Cmos.StatusC: {
        const v = this.nvram[Cmos.StatusC];
        this.nvram[Cmos.StatusC] = 0; // reading C acknowledges every flag
        return v;
      }
      case Cmos.StatusD:
        return 0x80; // battery good
      default:
        return this.nvram[index];
    }
  }

  writeRegister(index: number, value: number): void {
    switch (index) {
      case Cmos.Seconds:
      case Cmos.Minutes:
      case Cmos.Hours:
      case Cmos.DayOfMonth:
      case Cmos.Month:
      case Cmos.Year:
      case Cmos.Century:
        this.setTimeField(index, value);
        return;
      case Cmos.StatusA:
        this.nvram[index] = value & 0x7f;
        this.reschedule();
        return;
      case Cmos.StatusB:
        this.nvram[index] = value;
        this.reschedule();
        return;
      case Cmos.StatusC:
      case Cmos.StatusD:
        return; // read-only
      default:
        this.nvram[index] = value;
    }
  }

  /** The guest sets the clock: keep the new field, move the offset so the clock follows from there. */
  private setTimeField(index: number, value: number): void {
    const t = new Date(this.guestTimeMs());
    const y = t.getUTCFullYear();
    const fields = {
      year: y,
      month: t.getUTCMonth(),
      day: t.getUTCDate(),
      hours: t.getUTCHours(),
      minutes: t.getUTCMinutes(),
      seconds: t.getUTCSeconds(),
    };
    const v = this.decode(value);
    if (index === Cmos.Seconds) fields.seconds = v % 60;
    else if (index === Cmos.Minutes) fields.minutes = v % 60;
    else if (index === Cmos.Hours) fields.hours = this.decodeHours(value) % 24;
    else if (index === Cmos.DayOfMonth) fields.day = Math.max(1, v);
    else if (index === Cmos.Month) fields.month = Math.max(1, Math.min(12, v)) - 1;
    else if (index === Cmos.Year) fields.year = Math.floor(y / 100) * 100 + (v % 100);
    else fields.year = v * 100 + (y % 100);
    const target = Date.UTC(
      fields.year,
      fields.month,
      fields.day,
      fields.hours,
      fields.minutes,
      fields.seconds,
    );
    this.offsetMs += target - (this.guestTimeMs() - t.getUTCMilliseconds());
  }

  /** Periodic interrupt period from register A's rate select, in ns (0 = off). */
  private periodicNs(): number {
    const rate = this.nvram[Cmos.StatusA] & 0x0f;
    if (rate === 0) return 0;
    const r = rate <= 2 ? rate + 7 : rate; // rates 1 and 2 behave as 8 and 9
    return (1e9 * (1 << (r - 1))) / 32768;
  }

  private reschedule(): void {
    this.periodicTimer?.cancel();
    this.secondTimer?.cancel();
    this.periodicTimer = undefined;
    this.secondTimer = undefined;
    const b = this.nvram[Cmos.StatusB];
    const now = this.machine.clock.nowNs();
    const period = this.periodicNs();
    if (b & B.PeriodicIrq && period > 0) {
      const tick = () => {
        this.raise(C.Periodic);
        this.periodicTimer = this.machine.clock.schedule(this.machine.clock.nowNs() + period, tick);
      };
      this.periodicTimer = this.machine.clock.schedule(now + period, tick);
    }
    if (b & (B.UpdateIrq | B.AlarmIrq) && !(b & B.Set)) {
      const onSecond = () => {
        this.raise(C.Update);
        if (this.alarmMatches()) this.raise(C.Alarm);
        this.secondTimer = this.machine.clock.schedule(
          this.machine.clock.nowNs() + this.msToNextSecond() * 1e6,
          onSecond,
        );
      };
      this.secondTimer = this.machine.clock.schedule(now + this.msToNextSecond() * 1e6, onSecond);
    }
  }

  private msToNextSecond(): number {
    const ms = this.guestTimeMs() % 1000;
    return 1000 - (ms < 0 ? ms + 1000 : ms);
  }

  private alarmMatches(): boolean {
    const t = new Date(this.guestTimeMs());
    // An alarm register with its top two bits set is a "don't care" wildcard.
    const match = (alarm: number, now: number) => (alarm & 0xc0) === 0xc0 || alarm === now;
    return (
      match(this.nvram[Cmos.SecondsAlarm], this.encode(t.getUTCSeconds())) &&
      match(this.nvram[Cmos.MinutesAlarm], this.encode(t.getUTCMinutes())) &&
      match(this.nvram[Cmos.HoursAlarm], this.encodeHours(t.getUTCHours()))
    );
  }

  private raise(flag: number): void {
    this.nvram[Cmos.StatusC] |= flag;
    // Register B bits 6-4 enable the sources that C bits 6-4 report; IRQF (C bit 7) stays set,
    // and the line high, until the guest reads C — so only its rising edge interrupts.
    if (this.nvram[Cmos.StatusB] & flag && !(this.nvram[Cmos.StatusC] & C.Irq)) {
      this.nvram[Cmos.StatusC] |= C.Irq;
      this.irq();
    }
  }
}

function defaultNvram(ramBytes: number, cpuCount: number): Uint8Array {
  const n = new Uint8Array(128);
  n[Cmos.StatusA] = 0x26; // 32.768 kHz divider, 1024 Hz periodic rate
  n[Cmos.StatusB] = B.Hour24; // BCD, 24-hour
  n[Cmos.StatusD] = 0x80;
  const baseKb = 640;
  n[Cmos.BaseMemoryLow] = baseKb & 0xff;
  n[Cmos.BaseMemoryHigh] = baseKb >> 8;
  // Extended memory above 1 MiB in KiB, capped at 0xFFFF (65535 KiB) as the register is 16 bits.
  const extKb = Math.min(0xffff, Math.max(0, Math.floor((ramBytes - 0x100000) / 1024)));
  n[Cmos.ExtendedMemoryLow] = n[Cmos.ExtendedMemory2Low] = extKb & 0xff;
  n[Cmos.ExtendedMemoryHigh] = n[Cmos.ExtendedMemory2High] = extKb >> 8;
  const high64k = Math.min(0xffff, Math.max(0, Math.floor((ramBytes - 0x1000000) / 0x10000)));
  n[Cmos.HighMemoryLow] = high64k & 0xff;
  n[Cmos.HighMemoryHigh] = high64k >> 8;
  n[Cmos.CpuCountMinusOne] = cpuCount - 1;
  n[0x14] = 0x06; // equipment byte: math coprocessor present, VGA/EGA
  return n;
}
