import type { X86CpuState } from '@tsvm/arch-x86';
import { type Machine, recordSection } from '@tsvm/core';
import type { ResetRequester } from './reset-control.js';

/** Status register (port 0x64 read) bits. */
const Status = { OutputFull: 0x01, InputFull: 0x02, System: 0x04, Command: 0x08, Unlocked: 0x10 } as const;
/** Controller command byte bits. */
const Ctr = {
  KbdInt: 0x01,
  AuxInt: 0x02,
  System: 0x04,
  KbdDisable: 0x10,
  AuxDisable: 0x20,
  Xlate: 0x40,
} as const;
/** Output port bits. */
const Out = { ResetHigh: 0x01, A20: 0x02, KbdIrq: 0x10 } as const;

/** Longest queue of bytes waiting for the output buffer (the keyboard answers at most 3 at a time). */
const QUEUE_LIMIT = 16;

/**
 * The 8042 keyboard controller at 0x60/0x64 with an AT keyboard that has no keys pressed and no
 * auxiliary (mouse) port: self test (0xAA → 0x55), the command byte (0x20/0x60), keyboard
 * interface test, enable/disable, the output port (0xD0/0xD1: bit 0 low resets, bit 1 is the A20
 * gate), pulse-reset commands (0xF0-0xFE with bit 0 clear) and the keyboard's own commands
 * (reset → 0xAA, identify → 0xAB 0x41 translated, LEDs, rate, scan set, enable/disable), each
 * acknowledged with 0xFA. Output raises IRQ 1 when the command byte enables it.
 */
export class I8042 {
  private ctr = Ctr.KbdInt | Ctr.System | Ctr.Xlate;
  private queue: number[] = [];
  /** Byte in the output buffer (valid while `full`). */
  private out = 0;
  private full = false;
  private lastWasCommand = false;
  /** Controller command waiting for its data byte (0x60, 0xD1, 0xD2, 0xD3, 0xD4), or 0. */
  private pendingController = 0;
  /** Keyboard command waiting for its argument (0xED, 0xF0, 0xF3), or 0. */
  private pendingKeyboard = 0;
  private scanning = true;

  constructor(
    private readonly machine: Machine<X86CpuState>,
    private readonly options: {
      readonly irq: (level: boolean) => void;
      readonly requestReset: ResetRequester;
    },
  ) {
    machine.ports.register('i8042-data', 0x60, 1, {
      read: () => this.readData(),
      write: (_port, _size, value) => this.writeData(value & 0xff),
    });
    machine.ports.register('i8042-command', 0x64, 1, {
      read: () => this.status(),
      write: (_port, _size, value) => this.writeCommand(value & 0xff),
    });
    machine.resets.register('i8042', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'i8042',
        version: 1,
        save: () => ({
          ctr: this.ctr,
          queue: Uint8Array.from(this.full ? [this.out, ...this.queue] : this.queue),
          lastWasCommand: this.lastWasCommand,
          pendingController: this.pendingController,
          pendingKeyboard: this.pendingKeyboard,
          scanning: this.scanning,
        }),
        load: (f) => {
          const ctr = f.uint('ctr', 8);
          const queue = [...f.bytes('queue')];
          if (queue.length > QUEUE_LIMIT)
            throw new RangeError(`i8042 queue of ${queue.length} bytes is too long`);
          const lastWasCommand = f.boolean('lastWasCommand');
          const pendingController = f.uint('pendingController', 8);
          const pendingKeyboard = f.uint('pendingKeyboard', 8);
          const scanning = f.boolean('scanning');
          return () => {
            this.ctr = ctr;
            this.queue = queue;
            this.full = false;
            this.lastWasCommand = lastWasCommand;
            this.pendingController = pendingController;
            this.pendingKeyboard = pendingKeyboard;
            this.scanning = scanning;
            this.refill();
          };
        },
      }),
    );
  }

  private get a20(): boolean {
    return this.machine.vcpus[0]?.state.a20Enabled ?? true;
  }

  private set a20(enabled: boolean) {
    for (const vcpu of this.machine.vcpus) vcpu.state.a20Enabled = enabled;
  }

  private reset(): void {
    this.ctr = Ctr.KbdInt | Ctr.System | Ctr.Xlate;
    this.queue = [];
    this.full = false;
    this.lastWasCommand = false;
    this.pendingController = 0;
    this.pendingKeyboard = 0;
    this.scanning = true;
    this.options.irq(false);
  }

  private status(): number {
    return (
      (this.full ? Status.OutputFull : 0) |
      (this.ctr & Ctr.System ? Status.System : 0) |
      (this.lastWasCommand ? Status.Command : 0) |
      Status.Unlocked
    );
  }

  private readData(): number {
    const value = this.out;
    this.full = false;
    this.options.irq(false);
    this.refill();
    return value;
  }

  /** Queue bytes for the host, as if from the keyboard (or the controller itself). */
  private push(...bytes: number[]): void {
    for (const b of bytes) if (this.queue.length < QUEUE_LIMIT) this.queue.push(b);
    this.refill();
  }

  private refill(): void {
    if (this.full || this.queue.length === 0) return;
    this.out = this.queue.shift()!;
    this.full = true;
    // The edge of each new byte is what the 8259 sees.
    if (this.ctr & Ctr.KbdInt) this.options.irq(true);
  }

  private outputPort(): number {
    return Out.ResetHigh | (this.a20 ? Out.A20 : 0) | (this.full ? Out.KbdIrq : 0);
  }

  private writeCommand(command: number): void {
    this.lastWasCommand = true;
    this.pendingController = 0;
    switch (command) {
      case 0x20:
        this.push(this.ctr);
        return;
      case 0x60:
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xd4:
        this.pendingController = command;
        return;
      case 0xa7: // disable aux: no aux port, but the bit reads back as a real controller's would
        this.ctr |= Ctr.AuxDisable;
        return;
      case 0xa8:
        this.ctr &= ~Ctr.AuxDisable;
        return;
      case 0xa9: // aux interface test: 0x02, clock line stuck high (nothing connected)
        this.push(0x02);
        return;
      case 0xaa: // controller self test passed
        this.ctr |= Ctr.System;
        this.push(0x55);
        return;
      case 0xab: // keyboard interface test: no error
        this.push(0x00);
        return;
      case 0xad:
        this.ctr |= Ctr.KbdDisable;
        return;
      case 0xae:
        this.ctr &= ~Ctr.KbdDisable;
        return;
      case 0xc0: // input port: keyboard not inhibited
        this.push(0x80);
        return;
      case 0xd0:
        this.push(this.outputPort());
        return;
      default:
        // Pulse output port bits 0-3 low for 6 µs: bit 0 is the CPU reset line.
        if (command >= 0xf0 && (command & 1) === 0)
          this.options.requestReset(`keyboard controller 0x${command.toString(16).toUpperCase()}`);
    }
  }

  private writeData(value: number): void {
    this.lastWasCommand = false;
    const pending = this.pendingController;
    this.pendingController = 0;
    switch (pending) {
      case 0x60:
        this.ctr = value;
        return;
      case 0xd1:
        this.a20 = (value & Out.A20) !== 0;
        if (!(value & Out.ResetHigh)) this.options.requestReset('keyboard controller output port bit 0');
        return;
      case 0xd2:
        this.push(value);
        return;
      case 0xd3: // aux loopback: there is no aux port, so the byte comes back as keyboard data
        this.push(value);
        return;
      case 0xd4: // to the aux device: nothing is connected
        return;
      default:
        this.ctr &= ~Ctr.KbdDisable; // writing to the keyboard enables its interface
        this.keyboardByte(value);
        return;
    }
  }

  /** A byte the host sent to the keyboard. */
  private keyboardByte(value: number): void {
    const pending = this.pendingKeyboard;
    if (pending) {
      this.pendingKeyboard = 0;
      if (pending === 0xf0 && value === 0) {
        this.push(0xfa, this.ctr & Ctr.Xlate ? 0x41 : 0x02);
        return;
      }
      this.push(0xfa);
      return;
    }
    switch (value) {
      case 0xed: // LEDs
      case 0xf0: // scan code set
      case 0xf3: // typematic rate
        this.pendingKeyboard = value;
        this.push(0xfa);
        return;
      case 0xee: // echo
        this.push(0xee);
        return;
      case 0xf2: // identify: an MF2 keyboard (0x83 arrives translated as 0x41)
        this.push(0xfa, 0xab, this.ctr & Ctr.Xlate ? 0x41 : 0x83);
        return;
      case 0xf4:
        this.scanning = true;
        this.push(0xfa);
        return;
      case 0xf5:
        this.scanning = false;
        this.push(0xfa);
        return;
      case 0xf6:
        this.scanning = true;
        this.push(0xfa);
        return;
      case 0xff: // reset: acknowledge, then basic assurance test passed
        this.scanning = true;
        this.push(0xfa, 0xaa);
        return;
      default:
        this.push(0xfa);
        return;
    }
  }
}
