import { type Machine, recordSection } from '@tsvm/core';

/** The ACPI PM timer's rate (Hz). */
export const PM_TIMER_HZ = 3_579_545;

/** PM1 status/enable bits of the fixed events this board has. */
export const Pm1Event = { PowerButton: 1 << 8 } as const;

/** PM1 control bits. */
const Pm1Cnt = { SciEn: 1 << 0, SlpTypShift: 10, SlpTypMask: 7 << 10, SlpEn: 1 << 13 } as const;

export interface AcpiPmOptions {
  /** First port of the block: PM1a_EVT (+0, 4 bytes), PM1a_CNT (+4, 2 bytes), PM_TMR (+8, 4 bytes). */
  readonly base: number;
  /** SLP_TYP value that means S5 (soft off), as the DSDT's `\_S5` says. */
  readonly s5SleepType: number;
  /** The guest wrote SLP_EN with the S5 sleep type. */
  readonly onPowerOff: () => void;
  /** The SCI line (level: high while an enabled fixed event's status bit is set). */
  readonly sci?: (level: boolean) => void;
}

/**
 * The ACPI fixed-hardware PM block the FADT points at: PM1 status/enable (write 1 to clear
 * status), PM1 control (SCI_EN reads 1: there is no legacy mode to leave; SLP_EN with the S5
 * SLP_TYP powers the machine off) and the 24-bit PM timer, counted from the virtual clock so it
 * agrees with the PIT, the RTC and the TSC. The power button is its one fixed event: pressing it
 * sets PWRBTN_STS and, once the guest's ACPI driver has set PWRBTN_EN, raises the SCI until the
 * guest clears the status bit.
 */
export class AcpiPm {
  private status = 0;
  private enable = 0;
  private control = Pm1Cnt.SciEn;

  constructor(
    private readonly machine: Machine,
    private readonly options: AcpiPmOptions,
  ) {
    const base = options.base;
    machine.ports.register('acpi-pm1-event', base, 4, {
      read: (port, size) => this.readWide(port - base, size, [this.status, this.enable]),
      write: (port, size, value) => this.writeEvent(port - base, size, value),
    });
    machine.ports.register('acpi-pm1-control', base + 4, 2, {
      read: (port, size) => this.readWide(port - base - 4, size, [this.control]),
      write: (port, size, value) => this.writeControl(port - base - 4, size, value),
    });
    machine.ports.register('acpi-pm-timer', base + 8, 4, {
      read: (port) => (this.timer() >>> ((port - base - 8) * 8)) & 0xffffffff,
      write: () => {},
    });
    machine.resets.register('acpi-pm', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'acpi-pm',
        version: 1,
        save: () => ({ status: this.status, enable: this.enable, control: this.control }),
        load: (f) => {
          const status = f.uint('status', 16);
          const enable = f.uint('enable', 16);
          const control = f.uint('control', 16);
          return () => {
            this.status = status;
            this.enable = enable;
            this.control = control | Pm1Cnt.SciEn;
            this.updateSci();
          };
        },
      }),
    );
  }

  /** The PM timer: a 24-bit count of 3.579545 MHz ticks of virtual time. */
  timer(): number {
    const ns = this.machine.clock.nowNs();
    // Whole seconds and the rest apart: ns * PM_TIMER_HZ alone would exceed 2^53 after ~40 min.
    const seconds = Math.floor(ns / 1e9);
    return (seconds * PM_TIMER_HZ + Math.floor(((ns - seconds * 1e9) * PM_TIMER_HZ) / 1e9)) % 0x1000000;
  }

  /** The host pressed the power button (QMP `system_powerdown`). */
  pressPowerButton(): void {
    this.status |= Pm1Event.PowerButton;
    this.updateSci();
  }

  /** True while the SCI is asserted. */
  get sciLevel(): boolean {
    return (this.status & this.enable & Pm1Event.PowerButton) !== 0;
  }

  private updateSci(): void {
    this.options.sci?.(this.sciLevel);
  }

  private reset(): void {
    this.status = 0;
    this.enable = 0;
    this.control = Pm1Cnt.SciEn;
    this.updateSci();
  }

  /** Read `size` bytes at byte `offset` of a block of little-endian 16-bit registers. */
  private readWide(offset: number, size: number, words: number[]): number {
    let value = 0;
    for (let i = 0; i < size; i++) {
      const byte = offset + i;
      const word = words[byte >> 1] ?? 0xffff;
      value |= ((word >>> ((byte & 1) * 8)) & 0xff) << (i * 8);
    }
    return value >>> 0;
  }

  private writeEvent(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) {
      const byte = offset + i;
      const b = (value >>> (i * 8)) & 0xff;
      const shift = (byte & 1) * 8;
      if (byte < 2)
        this.status &= ~(b << shift); // write 1 to clear
      else if (byte < 4) this.enable = (this.enable & ~(0xff << shift)) | (b << shift);
    }
    this.updateSci();
  }

  private writeControl(offset: number, size: number, value: number): void {
    let next = this.control;
    for (let i = 0; i < size && offset + i < 2; i++) {
      const shift = (offset + i) * 8;
      next = (next & ~(0xff << shift)) | (((value >>> (i * 8)) & 0xff) << shift);
    }
    const sleep = (next & Pm1Cnt.SlpEn) !== 0;
    // SLP_EN is write-only (reads 0); SCI_EN stays set.
    this.control = (next & ~Pm1Cnt.SlpEn) | Pm1Cnt.SciEn;
    if (sleep && (next & Pm1Cnt.SlpTypMask) >> Pm1Cnt.SlpTypShift === this.options.s5SleepType)
      this.options.onPowerOff();
  }
}
