import type { InterruptLines } from '@tsvm/core';
import type { CoprocessorError } from './coprocessor-error.js';
import type { I8259Pic } from './i8259-pic.js';
import type { LocalApic } from './local-apic.js';

/**
 * The wiring between the interrupt controllers and the one CPU: the local APIC's own
 * requests (timer, self-IPIs) come first; the 8259 pair reaches the CPU through LINT0 when
 * the APIC has it programmed as ExtINT (the power-on wiring firmware leaves behind). NMIs come
 * from the local APIC: NMI IPIs, LINT1 (the board's NMI line, `PcMachine.injectNmi`) and LINT0
 * when the guest programs it as NMI — then a new 8259 request (a rising edge of its INTR output)
 * is an NMI instead of an ExtINT interrupt. The CPU's FERR# output goes to the numeric-error
 * logic (IRQ 13) once it is attached.
 */
export class InterruptRouter implements InterruptLines {
  constructor(
    private readonly pic: I8259Pic,
    private readonly apic: LocalApic,
  ) {}

  hasInterrupt(): boolean {
    return this.apic.pendingVector() >= 0 || (this.apic.acceptsExtInt() && this.pic.hasInterrupt());
  }

  acknowledge(): number {
    if (this.apic.pendingVector() >= 0) return this.apic.acknowledge();
    return this.pic.acknowledge();
  }

  private picLevel = false;

  /** The 8259's output may have changed: a rising edge reaches LINT0. */
  picChanged(): void {
    const level = this.pic.hasInterrupt();
    if (level && !this.picLevel) this.apic.assertLint(0);
    this.picLevel = level;
  }

  hasNmi(): boolean {
    return this.apic.hasNmi();
  }

  takeNmi(): void {
    this.apic.takeNmi();
  }

  /** Where FERR# goes (set by the board after it creates the device). */
  coprocessorError: CoprocessorError | undefined;

  cpuOutput(line: string, level: boolean): void {
    if (line === 'ferr') this.coprocessorError?.setFerr(level);
  }
}
