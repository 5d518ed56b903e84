import { type Machine, recordSection } from '@tsvm/core';

/**
 * The PC/AT numeric-error wiring (CR0.NE = 0 guests, DOS style): the CPU's FERR# output drives
 * IRQ 13; a write to port 0xF0 acknowledges it — IRQ 13 drops and IGNNE# is latched so further
 * errors are ignored until FERR# itself goes away (the handler's FNCLEX/FNINIT clears it).
 * The CPU reaches this through `InterruptLines.cpuOutput('ferr', level)`.
 */
export class CoprocessorError {
  private ferr = false;
  private ignne = false;

  constructor(
    machine: Machine,
    private readonly irq13: (level: boolean) => void,
  ) {
    machine.ports.register('coprocessor-error', 0xf0, 1, {
      read: () => 0xff,
      write: () => {
        this.ignne = true;
        this.irq13(false);
      },
    });
    machine.resets.register('coprocessor-error', () => {
      this.ferr = false;
      this.ignne = false;
      this.irq13(false);
    });
    machine.registerSection(
      recordSection({
        name: 'coprocessor-error',
        version: 1,
        save: () => ({ ferr: this.ferr, ignne: this.ignne }),
        load: (f) => {
          const ferr = f.boolean('ferr');
          const ignne = f.boolean('ignne');
          return () => {
            this.ferr = ferr;
            this.ignne = ignne;
          };
        },
      }),
    );
  }

  /** FERR# from the CPU. */
  setFerr(level: boolean): void {
    this.ferr = level;
    if (!level) {
      // FERR# gone: the chipset releases IGNNE# and the request.
      this.ignne = false;
      this.irq13(false);
    } else if (!this.ignne) {
      this.irq13(true);
    }
  }

  /** IGNNE# as the board drives it (observable for tests and debuggers). */
  get ignoringErrors(): boolean {
    return this.ignne;
  }

  get ferrAsserted(): boolean {
    return this.ferr;
  }
}
