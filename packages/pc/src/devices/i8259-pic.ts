import { type Machine, type RecordFields, recordSection, SnapshotError, type StateRecord } from '@tsvm/core';

/** One 8259A: the registers the guest programs through ICW1-4 and OCW1-3. */
interface PicChip {
  /** Interrupt request register: lines that asked and were not yet acknowledged. */
  irr: number;
  /** In-service register: acknowledged, not yet ended by an EOI. */
  isr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** Current input levels, for edge detection. */
  lines: number;
  /** ICW2: vector of IRQ 0 on this chip. */
  vectorBase: number;
  /** Lowest-priority IRQ (priority rotation); IRQ (lowest+1)&7 has the highest priority. */
  lowestPriority: number;
  /** OCW3 read select: false → IRR, true → ISR. */
  readIsr: boolean;
  autoEoi: boolean;
  rotateOnAutoEoi: boolean;
  specialMask: boolean;
  /** Next OCW3 read returns the poll word. */
  poll: boolean;
  /** Initialization sequence: 0 = done, 2..4 = next ICW expected. */
  initStep: number;
  /** ICW1 bit 0: ICW4 follows. */
  needIcw4: boolean;
  /** ICW1 bit 1: single chip, no ICW3. */
  single: boolean;
  /** ELCR: 1 bits are level-triggered inputs. */
  elcr: number;
}

function makeChip(): PicChip {
  return {
    irr: 0,
    isr: 0,
    imr: 0,
    lines: 0,
    vectorBase: 0,
    lowestPriority: 7,
    readIsr: false,
    autoEoi: false,
    rotateOnAutoEoi: false,
    specialMask: false,
    poll: false,
    initStep: 0,
    needIcw4: false,
    single: false,
    elcr: 0,
  };
}

/** The IRQ of `mask` with the highest priority given the rotation, or -1. */
function highestPriority(chip: PicChip, mask: number): number {
  if (mask === 0) return -1;
  for (let i = 1; i <= 8; i++) {
    const irq = (chip.lowestPriority + i) & 7;
    if (mask & (1 << irq)) return irq;
  }
  return -1;
}

/** The cascade input of the master (IRQ 2) and the number of IRQs of the pair. */
const CASCADE_IRQ = 2;
export const PIC_IRQ_COUNT = 16;

const CHIP_FIELDS = [
  'irr',
  'isr',
  'imr',
  'lines',
  'vectorBase',
  'lowestPriority',
  'initStep',
  'elcr',
] as const satisfies readonly (keyof PicChip)[];
const CHIP_FLAGS = [
  'readIsr',
  'autoEoi',
  'rotateOnAutoEoi',
  'specialMask',
  'poll',
  'needIcw4',
  'single',
] as const satisfies readonly (keyof PicChip)[];

/**
 * The PC's pair of 8259A interrupt controllers: master at 0x20/0x21, slave at 0xA0/0xA1
 * cascaded on master IRQ 2, and the ELCR edge/level registers at 0x4D0/0x4D1.
 * Devices call `setIrq(n, level)`; the interrupt router asks `pendingIrq()` and `acknowledge()`.
 */
export class I8259Pic {
  private readonly chips: [PicChip, PicChip] = [makeChip(), makeChip()];
  /** Called when the output (INTR) may have changed, so the machine can wake a halted vCPU. */
  onChange: () => void = () => {};

  constructor(machine?: Machine) {
    if (!machine) return;
    machine.ports.register('pic-master', 0x20, 2, {
      read: (port) => this.readPort(0, port & 1),
      write: (port, _size, value) => this.writePort(0, port & 1, value),
    });
    machine.ports.register('pic-slave', 0xa0, 2, {
      read: (port) => this.readPort(1, port & 1),
      write: (port, _size, value) => this.writePort(1, port & 1, value),
    });
    machine.ports.register('pic-elcr', 0x4d0, 2, {
      read: (port) => this.chips[port & 1].elcr,
      // IRQ 0, 1, 2, 8 and 13 are always edge-triggered on the PC.
      write: (port, _size, value) => {
        this.chips[port & 1].elcr = value & (port & 1 ? 0xde : 0xf8);
      },
    });
    machine.resets.register('pic', () => this.reset());
    machine.registerSection(
      recordSection({
        name: 'pic',
        version: 1,
        save: () => ({ master: this.saveChip(0), slave: this.saveChip(1) }),
        load: (fields) => {
          const master = this.parseChip(fields.nested('master'));
          const slave = this.parseChip(fields.nested('slave'));
          return () => {
            this.chips[0] = master;
            this.chips[1] = slave;
            this.onChange();
          };
        },
      }),
    );
  }

  reset(): void {
    for (let i = 0; i < 2; i++) {
      // Input levels are wires, not registers: they survive a reset; ELCR is reset by the chipset.
      const lines = this.chips[i].lines;
      this.chips[i] = { ...makeChip(), lines };
    }
  }

  /** Drive IRQ line `irq` (0-15) to `level`. Edge-triggered inputs latch a rising edge. */
  setIrq(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq >= PIC_IRQ_COUNT)
      throw new RangeError(`IRQ ${irq} is not 0-15`);
    const chip = this.chips[irq >> 3];
    const bit = 1 << (irq & 7);
    const was = (chip.lines & bit) !== 0;
    if (level) {
      chip.lines |= bit;
      if (!was || chip.elcr & bit) chip.irr |= bit;
    } else {
      chip.lines &= ~bit;
      // A level-triggered request disappears with its line.
      if (chip.elcr & bit) chip.irr &= ~bit;
    }
    this.updateCascade();
    this.onChange();
  }

  /** Convenience for edge-triggered devices: a rising then falling edge. */
  pulseIrq(irq: number): void {
    this.setIrq(irq, true);
    this.setIrq(irq, false);
  }

  /** The cascade wire: the slave's INTR output drives master IRQ 2 (level). */
  private updateCascade(): void {
    const slaveOut = this.chipOutput(1) >= 0;
    const master = this.chips[0];
    const bit = 1 << CASCADE_IRQ;
    if (slaveOut) {
      master.lines |= bit;
      master.irr |= bit;
    } else {
      master.lines &= ~bit;
      master.irr &= ~bit;
    }
  }

  /** The IRQ (0-7) this chip would present on INTR now, or -1. */
  private chipOutput(index: 0 | 1): number {
    const chip = this.chips[index];
    const requested = chip.irr & ~chip.imr;
    const irq = highestPriority(chip, requested);
    if (irq < 0) return -1;
    // Fully nested mode: only a request of higher priority than every in-service one gets through.
    // Special mask mode lifts that for the masked-out in-service levels.
    let inService = chip.isr;
    if (chip.specialMask) inService &= ~chip.imr;
    // The master lets a slave request through while IRQ 2 is in service (special fully nested is not modelled).
    if (index === 0 && irq === CASCADE_IRQ) inService &= ~(1 << CASCADE_IRQ);
    const servicing = highestPriority(chip, inService);
    if (servicing >= 0 && this.priorityRank(chip, servicing) <= this.priorityRank(chip, irq)) return -1;
    return irq;
  }

  private priorityRank(chip: PicChip, irq: number): number {
    return (irq - chip.lowestPriority - 1) & 7;
  }

  /** True while the pair asks the CPU for an interrupt. */
  hasInterrupt(): boolean {
    return this.chipOutput(0) >= 0;
  }

  /** INTA cycle: returns the vector and moves the request into service. Spurious requests give IRQ 7/15. */
  acknowledge(): number {
    const irq = this.chipOutput(0);
    if (irq < 0) return this.chips[0].vectorBase + 7;
    if (irq !== CASCADE_IRQ) {
      this.accept(0, irq);
      this.updateCascade();
      return this.chips[0].vectorBase + irq;
    }
    const slaveIrq = this.chipOutput(1);
    this.accept(0, CASCADE_IRQ);
    if (slaveIrq < 0) {
      this.updateCascade();
      return this.chips[1].vectorBase + 7;
    }
    this.accept(1, slaveIrq);
    this.updateCascade();
    return this.chips[1].vectorBase + slaveIrq;
  }

  private accept(index: 0 | 1, irq: number): void {
    const chip = this.chips[index];
    const bit = 1 << irq;
    // Edge-triggered requests are consumed by the acknowledge; level ones stay while the line is high.
    if (!(chip.elcr & bit)) chip.irr &= ~bit;
    if (chip.autoEoi) {
      if (chip.rotateOnAutoEoi) chip.lowestPriority = irq;
    } else {
      chip.isr |= bit;
    }
  }

  private readPort(index: 0 | 1, a0: number): number {
    const chip = this.chips[index];
    if (chip.poll) {
      chip.poll = false;
      const irq = this.chipOutput(index);
      if (irq < 0) return 0;
      this.accept(index, irq);
      this.updateCascade();
      this.onChange();
      return 0x80 | irq;
    }
    if (a0 === 1) return chip.imr;
    return chip.readIsr ? chip.isr : chip.irr;
  }

  private writePort(index: 0 | 1, a0: number, value: number): void {
    const chip = this.chips[index];
    if (a0 === 0) {
      if (value & 0x10) {
        // ICW1 starts initialization: clears IMR and ISR, IRQ 7 lowest priority, read IRR.
        Object.assign(chip, {
          ...makeChip(),
          lines: chip.lines,
          elcr: chip.elcr,
          initStep: 2,
          needIcw4: (value & 1) !== 0,
          single: (value & 2) !== 0,
        });
        chip.irr &= chip.elcr; // edge-sense logic is reset: pending edges are forgotten
      } else if (value & 0x08) {
        this.writeOcw3(chip, value);
      } else {
        this.writeOcw2(chip, value);
      }
    } else if (chip.initStep === 2) {
      chip.vectorBase = value & 0xf8;
      chip.initStep = chip.single ? (chip.needIcw4 ? 4 : 0) : 3;
    } else if (chip.initStep === 3) {
      chip.initStep = chip.needIcw4 ? 4 : 0; // ICW3: cascade wiring is fixed on the PC
    } else if (chip.initStep === 4) {
      chip.autoEoi = (value & 2) !== 0;
      chip.initStep = 0;
    } else {
      chip.imr = value;
    }
    this.updateCascade();
    this.onChange();
  }

  private writeOcw2(chip: PicChip, value: number): void {
    const command = value >> 5;
    switch (command) {
      case 0: // rotate in automatic EOI mode: clear
        chip.rotateOnAutoEoi = false;
        break;
      case 4: // rotate in automatic EOI mode: set
        chip.rotateOnAutoEoi = true;
        break;
      case 1: // non-specific EOI
      case 5: {
        // non-specific EOI with rotation
        const irq = highestPriority(chip, chip.isr);
        if (irq >= 0) {
          chip.isr &= ~(1 << irq);
          if (command === 5) chip.lowestPriority = irq;
        }
        break;
      }
      case 3: // specific EOI
        chip.isr &= ~(1 << (value & 7));
        break;
      case 7: // specific EOI with rotation
        chip.isr &= ~(1 << (value & 7));
        chip.lowestPriority = value & 7;
        break;
      case 6: // set priority
        chip.lowestPriority = value & 7;
        break;
      default: // 2: no operation
        break;
    }
  }

  private writeOcw3(chip: PicChip, value: number): void {
    if (value & 0x04) chip.poll = true;
    if (value & 0x02) chip.readIsr = (value & 0x01) !== 0;
    if (value & 0x40) chip.specialMask = (value & 0x20) !== 0;
  }

  /** Read-only view for tests and `info pic`. */
  inspect(index: 0 | 1): Readonly<PicChip> {
    return { ...this.chips[index] };
  }

  private saveChip(index: 0 | 1): StateRecord {
    const chip = this.chips[index];
    const record: Record<string, number | boolean> = {};
    for (const f of CHIP_FIELDS) record[f] = chip[f];
    for (const f of CHIP_FLAGS) record[f] = chip[f];
    return record;
  }

  private parseChip(fields: RecordFields): PicChip {
    const chip = makeChip();
    for (const f of CHIP_FIELDS) chip[f] = fields.uint(f, 8);
    for (const f of CHIP_FLAGS) chip[f] = fields.boolean(f);
    if (chip.lowestPriority > 7 || chip.initStep > 4) {
      throw new SnapshotError('corrupt', `${fields.context}: lowestPriority/initStep out of range`);
    }
    return chip;
  }
}
