import { type Machine, recordSection, SnapshotError } from '@tsvm/core';

const FIFO_SIZE = 16;
/** Host input waiting for room in the receive FIFO; beyond this, `receive` refuses bytes. */
export const UART_INPUT_QUEUE_BYTES = 64 * 1024;

/** Line status register bits (what polling guests look at). */
export const Lsr = {
  DataReady: 0x01,
  Overrun: 0x02,
  ParityError: 0x04,
  FramingError: 0x08,
  Break: 0x10,
  /** Transmit holding register empty: the guest may write the next byte. */
  ThrEmpty: 0x20,
  /** Transmitter completely idle. */
  TransmitterEmpty: 0x40,
  FifoError: 0x80,
} as const;

/** Interrupt identification values (IIR bits 3-0), highest priority first. */
const Iir = {
  None: 0x01,
  LineStatus: 0x06,
  ReceivedData: 0x04,
  CharacterTimeout: 0x0c,
  ThrEmpty: 0x02,
  ModemStatus: 0x00,
} as const;

const Ier = { ReceivedData: 0x01, ThrEmpty: 0x02, LineStatus: 0x04, ModemStatus: 0x08 } as const;
const Mcr = { Dtr: 0x01, Rts: 0x02, Out1: 0x04, Out2: 0x08, Loopback: 0x10 } as const;
const RX_TRIGGER_LEVELS = [1, 4, 8, 14];

export interface Uart16550Options {
  /** I/O base (COM1: 0x3f8). */
  readonly base?: number;
  /** Drives the interrupt line (ISA IRQ 4 for COM1). */
  readonly irq?: (level: boolean) => void;
  /** Receives every byte the guest transmits. */
  readonly output?: (byte: number) => void;
  /** Section and reset-handler name (default `uart@<base>`). */
  readonly name?: string;
}

/**
 * A 16550A UART. Transmission is instantaneous (the byte goes to `output` when the guest writes
 * THR, so THRE is set again at once); reception comes from `receive()`. FIFO mode, trigger levels,
 * the four interrupt sources with their priorities, loopback and the scratch register are modelled.
 * The character-timeout interrupt is reported as soon as data below the trigger level waits.
 */
export class Uart16550 {
  private rbrFifo: number[] = [];
  private inputQueue: number[] = [];
  private ier = 0;
  private lcr = 0x03;
  private mcr = 0;
  private lsrErrors = 0;
  private scr = 0;
  private dll = 0x0c; // 9600 baud
  private dlm = 0;
  private fifoEnabled = false;
  private rxTrigger = 1;
  /** The THRE interrupt is pending (set by THR empty, cleared by reading IIR or writing THR). */
  private thrInterrupt = false;
  private msrDelta = 0;
  private irqLevel = false;
  private readonly base: number;
  private readonly irq: (level: boolean) => void;
  output: (byte: number) => void;

  constructor(machine: Machine | undefined, options: Uart16550Options = {}) {
    this.base = options.base ?? 0x3f8;
    this.irq = options.irq ?? (() => {});
    this.output = options.output ?? (() => {});
    const name = options.name ?? `uart@${this.base.toString(16)}`;
    if (!machine) return;
    machine.ports.register(name, this.base, 8, {
      read: (port) => this.read(port - this.base),
      write: (port, _size, value) => this.write(port - this.base, value & 0xff),
    });
    machine.resets.register(name, () => this.reset());
    machine.registerSection(
      recordSection({
        name,
        version: 1,
        save: () => ({
          rxFifo: Uint8Array.from(this.rbrFifo),
          inputQueue: Uint8Array.from(this.inputQueue),
          ier: this.ier,
          lcr: this.lcr,
          mcr: this.mcr,
          lsrErrors: this.lsrErrors,
          scr: this.scr,
          dll: this.dll,
          dlm: this.dlm,
          fifoEnabled: this.fifoEnabled,
          rxTrigger: this.rxTrigger,
          thrInterrupt: this.thrInterrupt,
          msrDelta: this.msrDelta,
        }),
        load: (f) => {
          const rxFifo = [...f.bytes('rxFifo')];
          const inputQueue = [...f.bytes('inputQueue')];
          if (rxFifo.length > FIFO_SIZE || inputQueue.length > UART_INPUT_QUEUE_BYTES) {
            throw new SnapshotError('corrupt', `section '${name}': receive buffers exceed their sizes`);
          }
          const regs = {
            ier: f.uint('ier', 4),
            lcr: f.uint('lcr', 8),
            mcr: f.uint('mcr', 5),
            lsrErrors: f.uint('lsrErrors', 8),
            scr: f.uint('scr', 8),
            dll: f.uint('dll', 8),
            dlm: f.uint('dlm', 8),
            fifoEnabled: f.boolean('fifoEnabled'),
            rxTrigger: f.uint('rxTrigger', 4),
            thrInterrupt: f.boolean('thrInterrupt'),
            msrDelta: f.uint('msrDelta', 4),
          };
          if (!RX_TRIGGER_LEVELS.includes(regs.rxTrigger)) {
            throw new SnapshotError(
              'corrupt',
              `section '${name}': rxTrigger ${regs.rxTrigger} is not 1, 4, 8 or 14`,
            );
          }
          return () => {
            Object.assign(this, regs);
            this.rbrFifo = rxFifo;
            this.inputQueue = inputQueue;
            this.updateIrq();
          };
        },
      }),
    );
  }

  reset(): void {
    // Host input not yet in the FIFO is kept: it was typed, and the rebooted guest may read it.
    this.rbrFifo = [];
    this.ier = 0;
    this.lcr = 0x03;
    this.mcr = 0;
    this.lsrErrors = 0;
    this.scr = 0;
    this.dll = 0x0c;
    this.dlm = 0;
    this.fifoEnabled = false;
    this.rxTrigger = 1;
    this.thrInterrupt = false;
    this.msrDelta = 0;
    this.refill();
    this.updateIrq();
  }

  /** Host → guest bytes. Returns how many were accepted (the rest: queue full, try later). */
  receive(bytes: Uint8Array | readonly number[]): number {
    const room = UART_INPUT_QUEUE_BYTES - this.pendingInput;
    const n = Math.min(room, bytes.length);
    for (let i = 0; i < n; i++) this.inputQueue.push(bytes[i] & 0xff);
    this.refill();
    this.updateIrq();
    return n;
  }

  /** Bytes waiting for the guest (FIFO plus host queue). */
  get pendingInput(): number {
    return this.rbrFifo.length + this.inputQueue.length;
  }

  private get capacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  private refill(): void {
    // In loopback mode the receiver is disconnected from the outside world.
    if (this.mcr & Mcr.Loopback) return;
    while (this.inputQueue.length > 0 && this.rbrFifo.length < this.capacity)
      this.rbrFifo.push(this.inputQueue.shift()!);
  }

  private lsr(): number {
    let v = Lsr.ThrEmpty | Lsr.TransmitterEmpty | this.lsrErrors;
    if (this.rbrFifo.length > 0) v |= Lsr.DataReady;
    return v;
  }

  private msr(): number {
    if (this.mcr & Mcr.Loopback) {
      // Loopback wires DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD.
      const m = this.mcr;
      return (
        ((m & Mcr.Rts ? 1 : 0) << 4) |
        ((m & Mcr.Dtr ? 1 : 0) << 5) |
        ((m & Mcr.Out1 ? 1 : 0) << 6) |
        ((m & Mcr.Out2 ? 1 : 0) << 7) |
        this.msrDelta
      );
    }
    // A console is always there: carrier detect, data set ready and clear to send.
    return 0xb0 | this.msrDelta;
  }

  /** The interrupt the UART would report now (IIR bits 3-0). */
  private pendingInterrupt(): number {
    if (
      this.ier & Ier.LineStatus &&
      this.lsrErrors & (Lsr.Overrun | Lsr.ParityError | Lsr.FramingError | Lsr.Break)
    ) {
      return Iir.LineStatus;
    }
    if (this.ier & Ier.ReceivedData && this.rbrFifo.length > 0) {
      if (!this.fifoEnabled || this.rbrFifo.length >= this.rxTrigger) return Iir.ReceivedData;
      return Iir.CharacterTimeout;
    }
    if (this.ier & Ier.ThrEmpty && this.thrInterrupt) return Iir.ThrEmpty;
    if (this.ier & Ier.ModemStatus && this.msrDelta) return Iir.ModemStatus;
    return Iir.None;
  }

  private updateIrq(): void {
    const level = this.pendingInterrupt() !== Iir.None;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq(level);
    }
  }

  read(offset: number): number {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0: {
        if (dlab) return this.dll;
        const byte = this.rbrFifo.shift() ?? 0;
        this.refill();
        this.updateIrq();
        return byte;
      }
      case 1:
        return dlab ? this.dlm : this.ier;
      case 2: {
        const id = this.pendingInterrupt();
        // Reading IIR while it reports THRE clears that source.
        if (id === Iir.ThrEmpty) this.thrInterrupt = false;
        this.updateIrq();
        return id | (this.fifoEnabled ? 0xc0 : 0);
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5: {
        const v = this.lsr();
        this.lsrErrors = 0; // error bits clear on read
        this.updateIrq();
        return v;
      }
      case 6: {
        const v = this.msr();
        this.msrDelta = 0;
        this.updateIrq();
        return v;
      }
      default:
        return this.scr;
    }
  }

  write(offset: number, value: number): void {
    const dlab = (this.lcr & 0x80) !== 0;
    switch (offset) {
      case 0:
        if (dlab) {
          this.dll = value;
          return;
        }
        this.transmit(value);
        break;
      case 1:
        if (dlab) {
          this.dlm = value;
          return;
        }
        {
          const enablingThre = !(this.ier & Ier.ThrEmpty) && value & Ier.ThrEmpty;
          this.ier = value & 0x0f;
          // Enabling THRE interrupts while THR is empty raises one at once (guests rely on this to start sending).
          if (enablingThre) this.thrInterrupt = true;
        }
        break;
      case 2: {
        const enable = (value & 0x01) !== 0;
        if (enable !== this.fifoEnabled) this.rbrFifo = this.rbrFifo.slice(0, enable ? FIFO_SIZE : 0);
        this.fifoEnabled = enable;
        if (value & 0x02) this.rbrFifo = [];
        this.rxTrigger = RX_TRIGGER_LEVELS[value >> 6];
        this.refill();
        break;
      }
      case 3:
        this.lcr = value;
        return;
      case 4: {
        const wasLoopback = (this.mcr & Mcr.Loopback) !== 0;
        const old = this.msr();
        this.mcr = value & 0x1f;
        if (this.mcr & Mcr.Loopback || wasLoopback) {
          // Delta bits for CTS and DSR changes, trailing edge of RI, change of DCD.
          const now = this.msr();
          const changed = (old ^ now) >> 4;
          this.msrDelta |= (changed & 0x3) | (old & ~now & 0x40 ? 0x4 : 0) | (changed & 0x8);
        }
        if (!(this.mcr & Mcr.Loopback)) this.refill();
        break;
      }
      case 5:
      case 6:
        return; // read-only (factory test writes ignored)
      default:
        this.scr = value;
        return;
    }
    this.updateIrq();
  }

  private transmit(byte: number): void {
    // Writing THR clears THRE; drop the line first so the fresh THRE below is a new edge for the PIC.
    this.thrInterrupt = false;
    this.updateIrq();
    if (this.mcr & Mcr.Loopback) {
      if (this.rbrFifo.length < this.capacity) this.rbrFifo.push(byte);
      else this.lsrErrors |= Lsr.Overrun;
    } else {
      this.output(byte);
    }
    // The byte left at once: THR is empty again, which is a fresh THRE event.
    this.thrInterrupt = true;
  }
}
